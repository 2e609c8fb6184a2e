"""Shared by time-tick and time-after-in-loop, which replace a throwaway time.Tick/time.After
channel with a named ticker or timer that the function stops when it returns (in a loop's
select: one timer re-armed each pass); ``fresh_name`` also serves the goroutine rules."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.edits import Fix, TextEdit, insert_before_statement
from gofixleaks.source import SourceFile


def fresh_name(sf: SourceFile, near: Node, base: str, avoid: set[str]) -> str:
    """A free name (see ``analysis.free_name``) that is not in ``avoid`` either: the names
    this pass already gave to fixes in the same function, applied in the same round."""
    i = 1
    while True:
        name = base if i == 1 else f"{base}{i}"
        if name not in avoid and a.free_name(sf, near, name) == name:
            return name
        i += 1


def package_of(sf: SourceFile, call: Node) -> str:
    """The local name under which ``call``'s package is imported (``time``, ``clock``)."""
    return sf.text(call.child_by_field_name("function").child_by_field_name("operand"))


_UNITS = {"Nanosecond": 1, "Microsecond": 1e3, "Millisecond": 1e6, "Second": 1e9, "Minute": 60e9, "Hour": 3600e9}
_OPS = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}


def duration(sf: SourceFile, expr: Node, consts: bool = False, depth: int = 0) -> float | None:
    """The nanoseconds of a constant duration (``500 * time.Millisecond``, ``2``): number
    literals and time's unit constants joined by ``+``, ``-``, ``*``; with ``consts``, also
    constants declared at the top of this file under names no enclosing function declares.
    None when it is not such a constant."""
    t = expr.type
    if t == "parenthesized_expression":
        return duration(sf, expr.named_children[0], consts, depth)
    if t in ("int_literal", "float_literal"):
        return _number(sf.text(expr))
    if t == "selector_expression":
        op, field = expr.child_by_field_name("operand"), sf.text(expr.child_by_field_name("field"))
        ok = op.type == "identifier" and sf.imports.get(sf.text(op)) == "time"
        return _UNITS.get(field) if ok else None
    if t == "unary_expression" and sf.text(expr.child_by_field_name("operator")) == "-":
        v = duration(sf, expr.child_by_field_name("operand"), consts, depth)
        return -v if v is not None else None
    if t == "binary_expression":
        op = _OPS.get(sf.text(expr.child_by_field_name("operator")))
        left = duration(sf, expr.child_by_field_name("left"), consts, depth)
        right = duration(sf, expr.child_by_field_name("right"), consts, depth)
        return op(left, right) if op is not None and left is not None and right is not None else None
    if t == "identifier" and consts and depth < 4 and a.binding_of(sf, expr) is None:
        name = sf.text(expr)
        if any(a.params_declare(sf, fn, name) for fn in a.ancestors(expr) if fn.type in a.FUNCTION_TYPES):
            return None
        value = _file_const(sf, name)
        return duration(sf, value, consts, depth + 1) if value is not None else None
    return None


def _file_const(sf: SourceFile, name: str) -> Node | None:
    """The value of the top-level ``const name = value`` of this file (one name, one value)."""
    for decl in sf.root.named_children:
        if decl.type == "const_declaration":
            for spec in a.specs(decl):
                names, values = spec.children_by_field_name("name"), spec.child_by_field_name("value")
                if [sf.text(n) for n in names] == [name] and values is not None and len(values.named_children) == 1:
                    return values.named_children[0]
    return None


def _number(text: str) -> float:
    try:
        return int(text, 0)
    except ValueError:
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return 0  # hex floats and the like: not worth proving positive


def top_level(node: Node) -> Node:
    while node.parent is not None and node.parent.type != "source_file":
        node = node.parent
    return node


# Expression nodes that read values without calling anything (a conversion is allowed below).
_PLAIN = {
    "identifier",
    "field_identifier",
    "package_identifier",
    "selector_expression",
    "int_literal",
    "float_literal",
    "binary_expression",
    "parenthesized_expression",
    "unary_expression",
    "argument_list",
}


def select_of(sf: SourceFile, channel: Node) -> Node | None:
    """The select statement when ``channel`` is received from as one of its cases."""
    recv = channel.parent
    if not a.is_receive(sf, recv):
        return None
    stmt = recv.parent
    if stmt is None or stmt.type != "receive_statement" or stmt.child_by_field_name("right") != recv:
        return None
    case = stmt.parent
    if case is None or case.type != "communication_case" or case.child_by_field_name("communication") != stmt:
        return None
    return case.parent


def piles_up(sf: SourceFile, call: Node, select: Node, loop: Node) -> bool:
    """Whether another case of ``select`` can win and let ``loop`` run it again, leaving
    this pass's timer behind: when every other case leaves the loop, at most one is left;
    so it is when the statements after the select, in its block, always leave the loop
    (gorilla/websocket's echo client waits for the close or a second, then returns)."""
    rest = [s for s in a.following(select) if s.type != "comment"]
    if _leaves(sf, rest, loop) and not any(True for s in rest for _ in a.of_type(s, "continue_statement", skip_functions=True)):
        return False
    others = [
        c for c in select.named_children
        if c.type in ("communication_case", "default_case") and not a.is_within(call, c)
    ]
    return any(not _leaves(sf, a.statements(c), loop) for c in others)


def _leaves(sf: SourceFile, stmts: list[Node], loop: Node) -> bool:
    """Whether ``stmts`` (a case body) always end by leaving ``loop``."""
    stmts = [s for s in stmts if s.type != "comment"]
    if not stmts:
        return False
    last = stmts[-1]
    t = last.type
    if t in ("return_statement", "goto_statement"):
        return True
    if t in ("break_statement", "continue_statement") and last.named_children:
        label = sf.text(last.named_children[0])
        target = next(
            (x for x in a.ancestors(last) if x.type == "labeled_statement" and sf.text(x.child_by_field_name("label")) == label),
            None,
        )
        if target is None:
            return False
        inner = target.named_children[-1]
        return a.is_within(loop, target) and not (t == "continue_statement" and inner == loop)
    if a.never_returns(sf, last):
        return True
    if t == "block":
        return _leaves(sf, a.statements(last), loop)
    if t == "if_statement":
        alt = last.child_by_field_name("alternative")
        return alt is not None and _leaves(sf, a.statements(last.child_by_field_name("consequence")), loop) and _leaves(
            sf, a.statements(alt) if alt.type == "block" else [alt], loop
        )
    return False


def side_effect_free(sf: SourceFile, expr: Node) -> bool:
    for n in a.walk(expr):
        if n.type == "call_expression":
            if not (a.is_call_to(sf, n, "time", ("Duration",)) and len(a.arguments(n)) == 1):
                return False
        elif n.type == "unary_expression":
            if sf.text(n.child_by_field_name("operator")) not in ("-", "+", "^"):
                return False
        elif n.type not in _PLAIN:
            return False
    return True


def _root(node: Node) -> Node:
    """``x`` for ``x``, ``x.f.g``, ``x[i]``, ``*x``, ``(x)``."""
    while node.type in ("selector_expression", "index_expression", "parenthesized_expression", "unary_expression"):
        inner = node.child_by_field_name("operand")
        if inner is None:
            inner = node.named_children[0] if node.named_children else None
        if inner is None:
            break
        node = inner
    return node


def changes_in(sf: SourceFile, region: Node, names: set[str]) -> bool:
    """Whether ``region`` declares, assigns, increments or takes the address of a variable
    in ``names`` (or of a field or element of one)."""
    for n in a.walk(region):
        t = n.type
        if any(a.declares(sf, n, name) for name in names):
            return True
        targets: list[Node] = []
        if t in ("assignment_statement", "range_clause"):
            targets = a.left_names(n)
        elif t in ("inc_statement", "dec_statement"):
            targets = n.named_children[:1]
        elif t == "unary_expression" and sf.text(n.child_by_field_name("operator")) == "&":
            targets = [n.child_by_field_name("operand")]
        if any(sf.text(_root(x)) in names for x in targets if x is not None):
            return True
    return False


def _variables(sf: SourceFile, expr: Node) -> set[str]:
    """Identifiers ``expr`` reads, package names aside."""
    out = set()
    for n in a.of_type(expr, "identifier"):
        parent = n.parent
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n and sf.text(n) in sf.imports:
            continue
        out.add(sf.text(n))
    return out


def one_timer(sf: SourceFile, call: Node, channel: Node, select: Node, loop: Node, given: set[str]) -> tuple[Fix | None, str]:
    """One timer made before ``loop``, re-armed before ``select``, stopped on return, in place
    of ``channel`` (``time.After(d)``, ``time.NewTimer(d).C``, ``time.Tick(d)``) made by
    ``call``; or None and why not."""
    args = a.arguments(call)
    if len(args) != 1:
        return None, "the timer's constructor takes one argument"
    d = args[0]
    # a comment inside the call but outside d would go with it: it is kept after the new
    # `timer.C`. A // comment has no place there (it would swallow the colon), nor in
    # the one-line statements d is copied into
    comments = list(a.of_type(call, "comment"))
    if any(sf.text(c).startswith("//") for c in comments):
        return None, "a // comment inside the timer's call would have no place once the call is replaced"
    comments = [c for c in comments if not a.is_within(c, d)]
    if not side_effect_free(sf, d):
        return None, "the timeout is computed by a call: evaluating it once more before the loop could change behaviour"
    if changes_in(sf, loop, _variables(sf, d)):
        return None, "the timeout changes or is declared inside the loop: one timer made before the loop would not mean the same"
    name = fresh_name(sf, call, "timer", given)
    pkg, dt = package_of(sf, call), sf.text(d)
    make = insert_before_statement(sf, a.statement_of(loop), [f"{name} := {pkg}.NewTimer({dt})", f"defer {name}.Stop()"])
    rearm = insert_before_statement(
        sf,
        a.statement_of(select),
        [f"if !{name}.Stop() {{", "\tselect {", f"\tcase <-{name}.C:", "\tdefault:", "\t}", "}", f"{name}.Reset({dt})"],
    )
    if make is None or rearm is None:
        return None, "the loop or the select shares its line with another statement"
    given.add(name)
    kept = "".join(f" {sf.text(c)}" for c in comments)
    if kept and sf.data[channel.end_byte:channel.end_byte + 1] == b":":
        kept += " "  # gofmt's spacing between a comment and the case's colon
    use = TextEdit(channel.start_byte, channel.end_byte, f"{name}.C{kept}".encode())
    return Fix(f"one timer {name} made before the loop, re-armed before the select, stopped on return", (make, rearm, use)), ""
