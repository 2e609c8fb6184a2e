"""Syntax questions the targeted shapes share: the channel a statement uses, lock calls and their keys, fields, zero values."""

from __future__ import annotations

import functools
import os
import re
from typing import Iterator

from tree_sitter import Node

from ... import analysis as a
from ... import discover, gomod
from ...edits import TextEdit
from ...source import SourceError, SourceFile
from ..dump import in_literal, runs_in, short_name
from ..match import Covered


def channel(sf: SourceFile, stmt: Node) -> Node | None:
    """The channel of a statement that is a bare send or receive (`<-ch`, `v = <-ch`), or
    a single-case select's (see sole_case), or the identifier a `for range` ranges over
    (whether a channel or not)."""
    if stmt.type == "select_statement":
        case = sole_case(stmt)
        return channel(sf, case.child_by_field_name("communication")) if case is not None else None
    if stmt.type == "send_statement":
        return stmt.child_by_field_name("channel")
    if stmt.type == "for_statement":
        clause = next((c for c in stmt.named_children if c.type == "range_clause"), None)
        right = clause.child_by_field_name("right") if clause is not None else None
        return right if right is not None and right.type == "identifier" else None
    if stmt.type == "expression_statement":
        expr = a.unparen(stmt.named_children[0])
    elif stmt.type == "receive_statement":  # a select case's `<-ch`, `v := <-ch`
        expr = a.unparen(stmt.child_by_field_name("right"))
    else:
        right = stmt.child_by_field_name("right")
        if right is None or right.named_child_count != 1:
            return None
        expr = a.unparen(right.named_children[0])
    return a.unparen(expr.child_by_field_name("operand")) if a.is_receive(sf, expr) else None


def sole_case(select: Node) -> Node | None:
    """The only case of a `select` that has no other and no default: Go compiles such a
    select to the plain send or receive, which a dump reports as `chan send`/`chan receive`
    on the case's line."""
    if select.type != "select_statement":
        return None
    cases = [c for c in select.named_children if c.type in ("communication_case", "default_case")]
    return cases[0] if len(cases) == 1 and cases[0].type == "communication_case" else None


def operation(stmt: Node) -> Node:
    """What blocks in ``stmt``: a single-case select's communication (``ch <- v``, ``v :=
    <-ch``), or ``stmt`` itself."""
    case = sole_case(stmt)
    return case.child_by_field_name("communication") if case is not None else stmt


def case_body(select: Node) -> list[Node]:
    """The statements (comments aside) a single-case select runs after its operation."""
    return [n for n in a.statements(sole_case(select)) if n.type != "comment"]


def add_case(sf: SourceFile, select: Node, lines: list[str]) -> TextEdit | None:
    """``lines`` (a case clause, its body's lines led by a tab) as the last clause of
    ``select``, at its indentation as gofmt lays it out; None when its closing brace shares
    its line with other code."""
    close = select.end_byte - 1
    start = sf.line_start(close)
    if sf.data[start:close].strip() or sf.line_col(close)[0] == sf.line_col(select.start_byte)[0]:
        return None
    indent = sf.indent_at(select.start_byte)
    return TextEdit(start, start, b"".join(indent + ln.encode() + sf.newline for ln in lines))


def struct_fields(sf: SourceFile, type_name: str) -> dict[str, str] | None:
    """Field name -> its type's text, of the struct type ``type_name`` declared in the file."""
    for spec in a.of_type(sf.root, "type_spec"):
        st = spec.child_by_field_name("type")
        if sf.text(spec.child_by_field_name("name")) == type_name and st is not None and st.type == "struct_type":
            return {sf.text(n): " ".join(sf.text(fd.child_by_field_name("type")).split())
                    for fd in a.of_type(st, "field_declaration") for n in fd.children_by_field_name("name")}
    return None


def own_channel_field(sf: SourceFile, chan: Node, fn: Node | None) -> str | None:
    """The field ``f`` when ``chan`` is ``r.f``, ``r`` the receiver of method ``fn`` and ``f``
    an unexported channel field of its struct declared in this file: no other package can
    send on it, receive from it or close it."""
    if chan.type != "selector_expression" or fn is None or fn.type != "method_declaration" \
            or sf.text(chan.child_by_field_name("operand")) != a.receiver_name(sf, fn):
        return None
    field = sf.text(chan.child_by_field_name("field"))
    if not field[0].islower() or "chan" not in (struct_fields(sf, a.function_key(sf, fn)[1]) or {}).get(field, ""):
        return None
    return field


def unsent_uses(sf: SourceFile, field: str) -> Iterator[tuple[Node, int, Node]]:
    """Each ``x.field`` of the file but a send's channel: the selector, its line, its parent."""
    for sel in a.of_type(sf.root, "selector_expression"):
        if sf.text(sel.child_by_field_name("field")) != field:
            continue
        parent = sel.parent
        if not (parent.type == "send_statement" and parent.child_by_field_name("channel") == sel):
            yield sel, sf.line_col(sel.start_byte)[0], parent


def used_elsewhere(abspath: str, patterns: list[bytes]) -> str | None:
    """Why what file ``abspath`` declares may be used beyond what it shows: another Go file
    of its package matches one of ``patterns`` (its uses would be out of view), or None."""
    folder = os.path.dirname(abspath)
    try:
        others = [f for f in os.listdir(folder) if f.endswith(".go") and f != os.path.basename(abspath)]
    except OSError:
        return "its package's other files cannot be read"
    for name in others:
        try:
            with open(os.path.join(folder, name), "rb") as fh:
                text = fh.read()
        except OSError:
            return "its package's other files cannot be read"
        if any(re.search(p, text) for p in patterns):
            return f"{name} of its package names them too: uses there are out of view"
    return None


def names_field(sf: SourceFile, node: Node | None, field: str) -> bool:
    return node is not None and node.type == "selector_expression" and sf.text(node.child_by_field_name("field")) == field


_ZERO = {"string": '""', "bool": "false", "error": "nil", "any": "nil"}
_NUMBERS = ("int", "uint", "float", "complex", "byte", "rune")


def zero_return(sf: SourceFile, fn: Node) -> str | None:
    """`return` with each result's zero value (see zero_values); None when one has none."""
    result = fn.child_by_field_name("result")
    if result is None:
        return "return"
    zeros = zero_values(sf, result)
    return None if zeros is None else "return " + ", ".join(zeros)


def zero_values(sf: SourceFile, types: Node) -> list[str] | None:
    """The zero value of each type a result or parameter list declares (one per name): 0,
    "", false, nil, ``T{}`` for a struct or array type (a type of this file named for a
    struct); None when one has no zero literal this can spell (a named type of another
    kind, a type parameter)."""
    each = [types] if types.type != "parameter_list" else [
        d.child_by_field_name("type") for d in a.of_type(types, "parameter_declaration")
        for _ in (d.children_by_field_name("name") or [None])]
    zeros = []
    for t in each:
        text = sf.text(t)
        if t.type in ("pointer_type", "slice_type", "map_type", "channel_type", "function_type", "interface_type"):
            zeros.append("nil")
        elif text in _ZERO:
            zeros.append(_ZERO[text])
        elif text.startswith(_NUMBERS) and t.type == "type_identifier" and text.rstrip("0123456789") in (*_NUMBERS, "uintptr"):
            zeros.append("0")
        elif t.type in ("struct_type", "array_type") or (t.type == "type_identifier" and struct_fields(sf, text) is not None):
            zeros.append(f"{text}{{}}")
        else:
            return None
    return zeros


# what a `return` moved after an Unlock may evaluate: nothing the lock could guard
PLAIN_RESULTS = ("expression_list", "identifier", "nil", "true", "false", "int_literal", "float_literal",
                  "interpreted_string_literal", "raw_string_literal", "rune_literal")


def lock_call(sf: SourceFile, stmt: Node, methods: tuple[str, ...]) -> bool:
    """``x.mu.Lock()`` (a method of ``methods``, no arguments) as a statement."""
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    mc = a.method_call(sf, call) if call is not None else None
    return mc is not None and mc[1] in methods and not a.arguments(call)


def lock_operand(sf: SourceFile, stmt: Node) -> str | None:
    """What a Lock/Unlock statement (a deferred Unlock too) locks, as written (``g.mu``), or
    None for another statement."""
    if stmt.type == "defer_statement":
        call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
        mc = a.method_call(sf, call) if call is not None else None
        return sf.text(mc[0]) if mc is not None and mc[1] in ("Unlock", "RUnlock") else None
    if not lock_call(sf, stmt, ("Lock", "Unlock", "RLock", "RUnlock")):
        return None
    return sf.text(a.method_call(sf, a.unparen(stmt.named_children[0]))[0])


def lock_key(sf: SourceFile, stmt: Node, fn: Node) -> str | None:
    """The lock a Lock/Unlock statement (deferred or not) of ``fn`` works on, with the
    receiver's name taken out (``.mu`` for ``g.mu.Lock()`` in a method on ``g``), or None
    for another statement."""
    operand = lock_operand(sf, stmt)
    if operand is None:
        return None
    recv = a.receiver_name(sf, fn) if fn.type == "method_declaration" else None
    if recv and (operand == recv or operand.startswith(recv + ".")):
        return operand[len(recv):]  # "" for a mutex the type embeds
    return operand if fn.type != "method_declaration" else None


def defers(sf: SourceFile, stmt: Node, operand: str, method: str) -> bool:
    """``defer operand.method()``."""
    call = next((c for c in stmt.named_children if c.type == "call_expression"), None) if stmt.type == "defer_statement" else None
    mc = a.method_call(sf, call) if call is not None else None
    return mc is not None and mc[1] == method and sf.text(mc[0]) == operand and not a.arguments(call)


def named_call(sf: SourceFile, stmt: Node, method: str) -> bool:
    call = a.unparen(stmt.named_children[0]) if stmt.named_children else None
    mc = a.method_call(sf, call) if call is not None else None
    return mc is not None and mc[1] == method and not a.arguments(call)


def lock_scope(sf: SourceFile, blocked: Node) -> tuple[str, list[Node], str] | None:
    """The blocked lock's key (see lock_key), the methods of the type whose value it is a
    lock of (the receiver's type, or the type of a local made here: ``x := &T{...}``), and
    that type's name."""
    fn = a.enclosing(blocked, "method_declaration") or a.enclosing_function(blocked)
    key = lock_key(sf, blocked, fn)
    if key is None:
        return None
    if fn.type == "method_declaration":
        type_name = a.function_key(sf, fn)[1]
    else:
        name, _, rest = key.partition(".")
        values = a.defined_values(sf, name, blocked)
        lit = a.unparen(values[0]) if len(values) == 1 else None
        lit = lit.named_children[0] if lit is not None and lit.type == "unary_expression" and lit.named_children else lit
        if lit is None or lit.type != "composite_literal" or struct_fields(sf, sf.text(lit.child_by_field_name("type"))) is None:
            return None
        type_name, key = sf.text(lit.child_by_field_name("type")), "." + rest if rest else ""
    return key, [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == type_name], type_name


def is_yield(sf: SourceFile, stmt: Node) -> bool:
    """``runtime.Gosched()``: a statement a method may run before its lock and keep there."""
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    return call is not None and a.is_call_to(sf, call, "runtime", ("Gosched",))


def cancels_call(sf: SourceFile, stmt: Node) -> bool:
    """A call such as ``cancel()`` or ``wc.cancel()``: by its name, it cancels a context."""
    call = a.unparen(stmt.named_children[0]) if stmt.named_children else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    last = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
    return last is not None and last.type in ("identifier", "field_identifier") and "cancel" in sf.text(last).lower()


def previous_statement(stmt: Node) -> Node | None:
    """The statement before ``stmt`` in its block, comments aside."""
    n = stmt.prev_named_sibling
    while n is not None and n.type == "comment":
        n = n.prev_named_sibling
    return n if stmt.parent is not None and stmt.parent.type == "statement_list" else None


def with_cancel(sf: SourceFile, cancel: str, at: Node, makers: tuple[str, ...] = ("WithCancel",)) -> tuple[Node, str] | None:
    """(the declaration, the context's name) of ``ctx, cancel := context.WithCancel(...)``
    (or another of ``makers``), the local ``cancel`` visible at ``at``."""
    decl = a.local_declaration(sf, cancel, at)
    if decl is None or decl.type != "short_var_declaration":
        return None
    names = [sf.text(n) for n in decl.child_by_field_name("left").named_children]
    values = decl.child_by_field_name("right").named_children
    if len(names) != 2 or names[1] != cancel or names[0] == "_" or len(values) != 1 \
            or not a.is_call_to(sf, a.unparen(values[0]), "context", makers):
        return None
    return decl, names[0]


def paired_field(sf: SourceFile, type_name: str, field: str, fields: dict[str, str], makers: tuple[str, ...] = ("WithCancel",),
                 assigned: bool = False) -> tuple[str | None, str | None]:
    """The context field of ``type_name`` that every keyed literal of the type fills
    together with ``field`` from one ``ctx, cancel := context.WithCancel(...)`` (or another
    of ``makers``), or (None, why not). ``assigned``: an assignment ``x.ctx, x.field =
    context.WithCancel(...)`` pairs them too (matched by the fields' names)."""
    lits = [n for n in a.of_type(sf.root, "composite_literal") if sf.text(n.child_by_field_name("type")) == type_name]
    paired: set[str] = set()
    for lit in lits:
        elems = {}
        for el in lit.child_by_field_name("body").named_children:
            if el.type == "literal_element":
                return None, f"a literal of {type_name} is not keyed: which field holds the context is not plain"
            if el.type == "keyed_element":  # each side a literal_element around the key or value
                key, value = (x.named_children[0] if x.type == "literal_element" else x for x in el.named_children[:2])
                elems[sf.text(key)] = a.unparen(value)
        if field not in elems:
            continue
        value = elems[field]
        made = with_cancel(sf, sf.text(value), value, makers) if value.type == "identifier" else None
        ctx = next((k for k, v in elems.items() if made is not None and v.type == "identifier" and sf.text(v) == made[1]), None)
        if ctx is None:
            return None, f"a literal of {type_name} sets {field} from no `ctx, cancel := context.WithCancel(...)` it also keeps"
        paired.add(ctx)
    for st in a.of_type(sf.root, "assignment_statement") if assigned else ():
        left, right = a.left_names(st), st.child_by_field_name("right").named_children
        if len(left) == 2 and len(right) == 1 and all(x.type == "selector_expression" for x in left) \
                and sf.text(left[1].child_by_field_name("field")) == field and a.is_call_to(sf, a.unparen(right[0]), "context", makers):
            paired.add(sf.text(left[0].child_by_field_name("field")))
    if len(paired) != 1 or "Context" not in fields.get(next(iter(paired)), ""):
        return None, f"no literal of {type_name} here pairs {field} with one context field: not provably the context's cancel"
    return paired.pop(), None


# ---------------------------------------------------------------------------- done field


def parsed_package(directory: str) -> tuple[tuple[str, SourceFile], ...]:
    """The Go files of the package in ``directory`` (discover.package_files: its tests too),
    each parsed with its path; a file that cannot be read or parsed is left out. Parsed once
    per state of those files (paths, sizes, modification times), so an edit is seen."""
    state = []
    for t in discover.package_files(directory):
        try:
            st = os.stat(t.path)
        except OSError:
            continue
        state.append((t.path, st.st_size, st.st_mtime_ns))
    return _parsed_package(tuple(state))


@functools.lru_cache(maxsize=4)
def _parsed_package(state: tuple[tuple[str, int, int], ...]) -> tuple[tuple[str, SourceFile], ...]:
    out = []
    for path, _, _ in state:
        try:
            with open(path, "rb") as fh:
                out.append((path, SourceFile.load(os.path.basename(path), fh.read(), gomod.resolve(path, None).version)))
        except (OSError, SourceError):
            continue
    return tuple(out)


def another_function(sf: SourceFile, line: int, function: str) -> str | None:
    """Why ``line`` of ``sf`` is not where the dump's ``function`` runs, or None: the named
    function or method whose body holds the line is not the one the dump names (see
    dump.declared_as). A dump of another build of the code: a fix aimed by its line would
    rewrite whatever now stands there. None where either side has no name to compare
    (package-level code, a symbol the tool cannot read)."""
    decl = next((d for d in a.of_type(sf.root, "function_declaration", "method_declaration")
                 if sf.line_col(d.start_byte)[0] <= line <= sf.line_col(d.end_byte)[0]), None)
    want, kind = a.function_key(sf, decl) if decl is not None else ("", "")
    verdict = runs_in(function, want, kind) if decl is not None else None
    if verdict is None:
        return None
    here = f"(*{kind}).{want}" if kind else want
    if verdict is False:
        return f"the dump has {short_name(function)} blocked at line {line}, where the code has {here}: the dump is of another build"
    # within the declaration, the dump names a literal's code for it (dump.in_literal)
    literals = [(sf.line_col(x.start_byte)[0], sf.line_col(x.end_byte)[0]) for x in a.of_type(decl, "func_literal")]
    literal = any(first < line <= last for first, last in literals)
    closure = in_literal(function)
    if closure is None or any(first == line for first, _ in literals):
        return None  # a wrapper names neither; a literal's first line holds code of both
    if closure != literal:
        where = f"a func literal of {here}" if literal else f"{here}'s own body"
        return f"the dump has {short_name(function)} blocked at line {line}, where the code has {where}: the dump is of another build"
    return None


def frame_file(sf: SourceFile, abspath: str, c: Covered, j: int) -> SourceFile | None:
    """The scanned file of frame ``j`` of the site's stack: the blocked one's, or another
    scanned file (parsed for the diagnosis)."""
    loc = c.site.stack[j]
    if loc.path == c.site.blocked.path:
        return sf
    target = c.stack_files[j] if j < len(c.stack_files) else None
    if target is None:
        return None
    from . import load  # the package's loader (a module-level import would be circular)

    other = load(os.path.abspath(target.path), target.display)
    return None if isinstance(other, str) else other
