"""Cancellation signals in scope at a point: context parameters and locals, done channels,
and context fields reached through a method's receiver."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from tree_sitter import Node

from ..source import SourceFile
from .bindings import binding_of, defined_values, left_names, local_declaration, params_declare, var_declaration_of
from .syntax import (
    FUNCTION_TYPES,
    ancestors,
    arguments,
    body,
    callee,
    is_call_to,
    is_receive,
    is_within,
    of_type,
    unparen,
)

# ---------------------------------------------------------------------------- cancellation


_DONE_NAMES = ("done", "stop", "quit", "exit", "clos", "cancel", "shutdown", "die")  # word stems


@dataclass(frozen=True)
class Cancellation:
    """A cancellation signal visible at some point: a context or a done channel."""

    name: str  # an expression usable at that point: ctx, s.ctx, done
    kind: str  # "context" or "channel"
    assumed: bool = False  # a parameter context plumbing would add

    def done_expr(self) -> str:
        return f"{self.name}.Done()" if self.kind == "context" else self.name


def _is_context_type(sf: SourceFile, type_node: Node | None) -> bool:
    if type_node is None or type_node.type != "qualified_type":
        return False
    pkg = sf.text(type_node.child_by_field_name("package"))
    return sf.imports.get(pkg) == "context" and sf.text(type_node.child_by_field_name("name")) == "Context"


def _is_done_channel(sf: SourceFile, name: str, type_node: Node | None) -> bool:
    if type_node is not None and type_node.type == "type_identifier":
        # a named channel type (``type stopChannel chan struct{}``) declared in this file
        type_node = sf.cached("named-channel-types", lambda: _named_channel_types(sf)).get(sf.text(type_node))
    if type_node is None or type_node.type != "channel_type":
        return False
    if "<-" in sf.text(type_node).split("chan")[-1]:
        return False  # send-only: cannot be received from
    value = type_node.child_by_field_name("value")
    return (
        value is not None
        and sf.text(value).replace(" ", "") == "struct{}"
        and names_a_signal(name)
    )


def _named_channel_types(sf: SourceFile) -> dict[str, Node]:
    """The channel types the file's type declarations name (``type stopChannel chan
    struct{}``, or an alias), by name; a name declared twice (in two functions) is left out."""
    out: dict[str, Node | None] = {}
    for spec in of_type(sf.root, "type_spec", "type_alias"):
        name, typ = spec.child_by_field_name("name"), spec.child_by_field_name("type")
        if name is not None and typ is not None and typ.type == "channel_type" and spec.child_by_field_name("type_parameters") is None:
            out[sf.text(name)] = None if sf.text(name) in out else typ
    return {k: v for k, v in out.items() if v is not None}


def names_a_signal(name: str) -> bool:
    """Whether an identifier reads as a done/stop signal: one of its words (camelCase or
    snake_case) starts with done, stop, quit, ... (``doneCh``, ``stopc``, ``closing``), and
    not merely contains one (``studies``, ``equity``)."""
    words = re.findall(r"[a-z]+|[A-Z][a-z]*", name)
    return any(w.lower().startswith(_DONE_NAMES) for w in words)


def signal_kind(sf: SourceFile, name: str, type_node: Node | None) -> str | None:
    """"context" or "channel" when a variable or field ``name`` of this declared type is a
    stop signal, else None."""
    found = _typed_signal(sf, name, name, type_node)
    return found[0].kind if found else None


def _typed_signal(sf: SourceFile, expr: str, name: str, type_node: Node | None) -> list[Cancellation]:
    """``expr`` (a parameter, local or field called ``name``) as the signal its declared type
    makes it, if any."""
    if _is_context_type(sf, type_node):
        return [Cancellation(expr, "context")]
    if _is_done_channel(sf, name, type_node):
        return [Cancellation(expr, "channel")]
    return []


def function_key(sf: SourceFile, fn: Node) -> tuple[str, str] | None:
    """(name, receiver type name) of a function or method declaration; "" for functions."""
    name = fn.child_by_field_name("name")
    if name is None or fn.type not in ("function_declaration", "method_declaration"):
        return None
    recv = ""
    if fn.type == "method_declaration":
        receiver = fn.child_by_field_name("receiver")
        first = receiver.named_children[0] if receiver is not None and receiver.named_child_count else None
        # the first declaration of the list is the first in the tree: asked of every
        # declaration of every file, a look-up through the index cost more than the rest
        decl = first if first is not None and first.type == "parameter_declaration" else next(
            of_type(receiver, "parameter_declaration"), None)
        typ = decl.child_by_field_name("type") if decl is not None else None
        recv = sf.text(typ).lstrip("*").split("[")[0].strip() if typ is not None else ""
    return sf.text(name), recv


def cancellation_in_scope(
    sf: SourceFile, node: Node, assumed: Mapping[tuple[str, str], str] | None = None
) -> list[Cancellation]:
    """Contexts and done channels visible at ``node``: parameters of enclosing functions
    and locals declared before it (``ctx, cancel := context.WithCancel(...)`` included).
    ``assumed``: functions (by function_key) to treat as having a context parameter of that
    name, which context plumbing would add (``Pass.assumed_contexts``)."""
    found: list[Cancellation] = []
    assumed = assumed or {}
    for fn in [a for a in ancestors(node) if a.type in FUNCTION_TYPES]:
        if assumed and fn.type != "func_literal" and function_key(sf, fn) in assumed:
            found.append(Cancellation(assumed[function_key(sf, fn)], "context", assumed=True))
        params = fn.child_by_field_name("parameters")
        for p in of_type(params, "parameter_declaration") if params is not None else ():
            typ = p.child_by_field_name("type")
            for ident in p.children_by_field_name("name"):
                if sf.text(ident) != "_":
                    found.extend(_typed_signal(sf, sf.text(ident), sf.text(ident), typ))
        b = body(fn)
        for d in of_type(b, "short_var_declaration", "var_spec", skip_functions=True) if b is not None else ():
            if d.start_byte < node.start_byte and is_within(node, _scope_of(d)):
                found.extend(_declared_cancellations(sf, d))
        if fn.type == "method_declaration":
            found.extend(_receiver_contexts(sf, fn))
    seen: set[str] = set()
    return [c for c in found if not (c.name in seen or seen.add(c.name) or _waited_before(sf, c, node))]


def _waited_before(sf: SourceFile, c: Cancellation, at: Node) -> bool:
    """Whether the code before ``at``, in its function, waits as a statement of its own for
    context ``c`` to end (``<-ctx.Done()``): at ``at`` it is done for good, an event that
    happened, not a stop (pion-webrtc's sender waits for ICE to connect, whose context is
    cancelled then, before its ticker loop: a case on it would end the loop at once)."""
    if c.kind != "context" or c.assumed:
        return False
    done = f"<-{c.name}.Done()"
    node = at
    while node.parent is not None and node.type not in FUNCTION_TYPES:
        if node.parent.type in ("block", "statement_list"):
            for st in node.parent.named_children:
                if st.start_byte >= node.start_byte:
                    break
                if st.type == "expression_statement" and sf.text(st).replace(" ", "") == done:
                    return True
        node = node.parent
    return False


# contexts made by these are never cancelled: watching their Done() changes nothing
NEVER_DONE = ("Background", "TODO", "WithoutCancel")


def never_cancelled(sf: SourceFile, c: Cancellation, at: Node) -> bool:
    """Whether context ``c`` (visible at ``at``) can never be done: a local made by
    ``context.Background()``, ``TODO()`` or ``WithoutCancel(...)``, or ``WithValue`` of one,
    or a field every value of which the file gives (a keyed struct literal element, an
    assignment) is one of those (the file is all that is seen: a value another file gives
    the field would make this wrong, and only costs a fix)."""
    if c.kind != "context":
        return False
    if "." in c.name:
        values = field_values(sf, c.name.rsplit(".", 1)[1])
        return bool(values) and all(never_done(sf, v, v) for v in values)
    value = _local_value(sf, c.name, at)
    return value is not None and never_done(sf, value, at)


def _local_value(sf: SourceFile, name: str, at: Node) -> Node | None:
    """The one value the nearest ``name := ...`` (or ``var name = ...``) before ``at`` gives
    the local ``name``, if no assignment in its function gives it another."""
    for fn in (x for x in ancestors(at) if x.type in FUNCTION_TYPES):
        b = body(fn)
        found = None
        for d in of_type(b, "short_var_declaration", "var_spec", skip_functions=True) if b is not None else ():
            left = left_names(d)
            right = d.child_by_field_name("right" if d.type == "short_var_declaration" else "value")
            # `ctx, stop := signal.NotifyContext(...)`: the value is not the call's only result;
            # `ctx := wrap(ctx)` gives a new ctx: its own right side means the one before
            if (d.end_byte <= at.start_byte and is_within(at, _scope_of(d)) and right is not None
                    and [sf.text(n) for n in left] == [name]):
                found = right.named_children
        if found is not None:
            # a later `name = ...` (`ctx, cancel = context.WithCancel(ctx)`) gives it another value
            reassigned = any(n.type == "identifier" and sf.text(n) == name
                             for st in of_type(b, "assignment_statement") for n in st.child_by_field_name("left").named_children)
            return found[0] if len(found) == 1 and not reassigned else None
    return None


def outcome_of(sf: SourceFile, value: Node | None, at: Node, ctx: str) -> bool:
    """Whether ``value`` (sent at ``at``) is the one result of a call given the context
    ``ctx`` itself: ``process(ctx, j)``, or a local ``outcome := process(ctx, j)``. Whatever
    the call came to, the failure that ``ctx``'s end causes included, is in that value, so
    dropping it when ``ctx`` ends loses it (temporal's flakereport workers). Not a value
    split from its error (``v, err := recv(ctx)``): that one is a success."""
    value = unparen(value) if value is not None else None
    if value is not None and value.type == "identifier":
        decl = local_declaration(sf, sf.text(value), at)
        if decl is None or decl.type != "short_var_declaration" or len(left_names(decl)) != 1:
            return False
        value = decl.child_by_field_name("right").named_children[0]
    return value is not None and value.type == "call_expression" and any(sf.text(x) == ctx for x in arguments(value))


def never_done(sf: SourceFile, value: Node, at: Node) -> bool:
    """Whether a context expression is one nothing can cancel: ``Background()``, ``TODO()``,
    ``WithoutCancel(...)``, or ``WithValue(x, ...)`` of such a local or expression."""
    value = unparen(value)
    if is_call_to(sf, value, "context", NEVER_DONE):
        return True
    args = arguments(value) if is_call_to(sf, value, "context", ("WithValue",)) or _adds_values(sf, value) else []
    if not args:
        return False
    parent = unparen(args[0])
    if parent.type == "identifier":
        inner = _local_value(sf, sf.text(parent), value)
        return inner is not None and never_done(sf, inner, value)
    return never_done(sf, parent, at)


# named as adding a value to a context (containerd's namespaces.WithNamespace, zerolog's
# Logger.WithContext, grpc's metadata.NewOutgoingContext), not as giving it an end
_VALUE_WRAPPER = re.compile(r"With[A-Z]\w*|New\w*Context|Context(With)?[A-Z]?\w*")
_ENDS = re.compile(r"Cancel|Timeout|Deadline|Signal|Notify|Stop|Done|Until|Expire")


def _adds_values(sf: SourceFile, call: Node) -> bool:
    """Whether ``call`` is another package's function, or a method, named as adding a value
    to the context it is given first, which it hands back alone: one that could end the
    context would hand back its cancel too (vet's lostcancel). Read by its name only."""
    fn = call.child_by_field_name("function") if call.type == "call_expression" else None
    if fn is None or fn.type != "selector_expression" or (callee(sf, call) or ("", ""))[0] == "context":
        return False
    name = sf.text(fn.child_by_field_name("field"))
    return _VALUE_WRAPPER.fullmatch(name) is not None and _ENDS.search(name) is None


def never_given_a_live_one(
    sf: SourceFile, fn: Node, param: str, files: Sequence[SourceFile],
    in_view: Callable[[SourceFile, Node], bool], depth: int = 3,
) -> tuple[SourceFile, Node] | None:
    """A call of ``fn`` (of ``sf``), with its file, when every call of it in ``files`` passes
    for its parameter ``param`` a context that never fires (see never_done, never_cancelled),
    or a parameter of the calling function that is itself never given a live one (``depth``
    calls up, not reassigned on the way: ``ctx = withTimeout(ctx)``); else None: an
    argument that may fire, no call, the function used as a value, or a function whose
    calls ``in_view`` says ``files`` may not hold. Watching such a context changes nothing
    (a CLI's ``makeMirror(context.TODO(), ...)``; a collector whose ``Gather`` makes ``ctx :=
    context.Background()`` and hands it down). The service's own calls decide where it makes
    any: a test's live context (``t.Context()``) would only let the tests pass while the
    service leaks as before (traefik's entry points)."""
    if depth < 0 or not in_view(sf, fn):
        return None
    calls = passed_for(sf, fn, param, files)
    if calls and not sf.path.endswith("_test.go"):
        calls = [c for c in calls if not c[0].path.endswith("_test.go")] or calls
    if not calls or not all(arg is not None and _dead_argument(f, call, arg, files, in_view, depth) for f, call, arg in calls):
        return None
    return calls[0][0], calls[0][1]


def passed_for(sf: SourceFile, fn: Node, param: str, files: Sequence[SourceFile]) \
        -> list[tuple[SourceFile, Node, Node | None]] | None:
    """Every call of ``fn`` (of ``sf``) in ``files``, with its file and the argument it
    passes for parameter ``param`` (None when it passes fewer); None when ``fn`` is used as
    a value, so who calls it cannot be told. A method is matched by name, and by its
    parameter count: a call whose arguments cannot fill them (traefik's ``watcher.Start()``
    beside ``TCPEntryPoint.Start(ctx)``) calls another method of that name."""
    key = function_key(sf, fn)
    if key is None:
        return None
    index = param_index(sf, fn, param)
    count, variadic = _param_count(fn)
    calls = []
    for f in files:
        for ident in of_type(f.root, "identifier", "field_identifier"):
            if f.text(ident) != key[0] or ident.parent.type in ("function_declaration", "method_declaration", "method_elem"):
                continue  # a declaration, or an interface's method that it may implement
            if key[1] and ident.type == "identifier":
                continue  # a method is named through a selector: this is a local or a function
            head = ident.parent if ident.type == "field_identifier" else ident
            call = head.parent
            if ident.parent.type == "field_declaration" or (call is not None and call.type == "selector_expression"):
                continue  # a struct field of that name (``state.Start.Add``): a func value has no selectors
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != head:
                return None
            args = arguments(call)
            spread = len(args) == 1 and unparen(args[0]).type == "call_expression"  # f(g()) fills them all
            if key[1] and not spread and (len(args) < count - variadic or (len(args) > count and not variadic)):
                continue
            calls.append((f, call, unparen(args[index]) if 0 <= index < len(args) else None))
    return calls


def _param_count(fn: Node) -> tuple[int, bool]:
    """How many parameters ``fn`` declares, and whether its last is variadic."""
    count, variadic = 0, False
    for p in fn.child_by_field_name("parameters").named_children:
        if p.type in ("parameter_declaration", "variadic_parameter_declaration"):
            count += len(p.children_by_field_name("name")) or 1
            variadic = p.type == "variadic_parameter_declaration"
    return count, variadic


def _dead_argument(sf: SourceFile, call: Node, arg: Node, files: Sequence[SourceFile],
                   in_view: Callable[[SourceFile, Node], bool], depth: int) -> bool:
    """Whether argument ``arg`` of ``call`` is a context that never fires (see
    never_given_a_live_one)."""
    if never_done(sf, arg, call) or (arg.type in ("identifier", "selector_expression")
                                     and never_cancelled(sf, Cancellation(sf.text(arg), "context"), call)):
        return True
    name = sf.text(arg)
    caller = next((x for x in ancestors(call) if x.type in FUNCTION_TYPES and params_declare(sf, x, name)), None) \
        if arg.type == "identifier" else None
    if caller is None or caller.type not in ("function_declaration", "method_declaration") or local_declaration(sf, name, call) is not None:
        return False  # a closure's parameter, or a local shadowing it: who fills it cannot be told here
    if any(name in (sf.text(n) for n in left_names(x)) for x in of_type(body(caller), "assignment_statement")):
        return False  # reassigned on the way (`ctx = withTimeout(ctx)`)
    return never_given_a_live_one(sf, caller, name, files, in_view, depth - 1) is not None


def param_index(sf: SourceFile, fn: Node, name: str) -> int:
    """The position of parameter ``name`` among ``fn``'s, or -1."""
    i = 0
    for p in fn.child_by_field_name("parameters").named_children:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        for n in p.children_by_field_name("name") or [None]:
            if n is not None and sf.text(n) == name:
                return i
            i += 1
    return -1


def field_values(sf: SourceFile, field: str, owner: str | None = None) -> list[Node]:
    """Every value the file gives a field named ``field``: a keyed struct literal element
    (``T{field: v}``) or an assignment to ``x.field`` (the field is matched by name). With
    ``owner``, a struct type the file declares, only its literals count, positional ones
    too (``writeRequest{req, writeErrCh, continueCh}``); an assignment still counts by name,
    as ``x``'s type is not read."""
    values = []
    at = _field_index(sf, owner, field) if owner is not None else None
    for lit in of_type(sf.root, "composite_literal") if at is not None else ():
        elements = [e for e in lit.child_by_field_name("body").named_children if e.type != "comment"]
        if sf.text(lit.child_by_field_name("type")) == owner and len(elements) > at \
                and all(e.type == "literal_element" for e in elements):
            values.append(unparen(elements[at].named_children[0]))
    for n in of_type(sf.root, "keyed_element", "assignment_statement"):
        if n.type == "keyed_element" and n.named_child_count == 2 and sf.text(n.named_children[0]) == field:
            lit = n.parent.parent if n.parent is not None else None
            if owner is not None and (lit is None or lit.type != "composite_literal"
                                      or sf.text(lit.child_by_field_name("type")) != owner):
                continue  # another struct's field of that name, or a map's key
            v = n.named_children[1]
            values.append(unparen(v.named_children[0] if v.type == "literal_element" and v.named_children else v))
        elif n.type == "assignment_statement" and sf.text(n.child_by_field_name("operator")) == "=":
            lefts = n.child_by_field_name("left").named_children
            rights = n.child_by_field_name("right").named_children
            for left, right in zip(lefts, rights) if len(lefts) == len(rights) else ():
                if left.type == "selector_expression" and sf.text(left.child_by_field_name("field")) == field:
                    values.append(unparen(right))
    return values


def _field_index(sf: SourceFile, owner: str, field: str) -> int | None:
    """The position of ``field`` among the fields of struct type ``owner`` declared in the
    file (an embedded field counts as one), or None."""
    for spec in of_type(sf.root, "type_spec"):
        st = spec.child_by_field_name("type")
        if sf.text(spec.child_by_field_name("name")) != owner or st is None or st.type != "struct_type":
            continue
        i = 0
        for fd in of_type(st, "field_declaration"):
            for name in fd.children_by_field_name("name") or [None]:
                if name is not None and sf.text(name) == field:
                    return i
                i += 1
    return None


def received_type(sf: SourceFile, local: Node) -> str | None:
    """The type a local holds when it was received from a channel field (``case wr :=
    <-pc.writech``) and every field of that name the file declares is a channel of one
    named type (``writech chan writeRequest``), or None."""
    b = binding_of(sf, local) if local.type == "identifier" else None
    if b is None or b.index != 0:
        return None
    value = b.statement.child_by_field_name("right") if b.statement.type == "receive_statement" else b.value
    value = unparen(value) if value is not None else None
    chan = unparen(value.child_by_field_name("operand")) if is_receive(sf, value) else None
    if chan is None or chan.type != "selector_expression":
        return None
    name = sf.text(chan.child_by_field_name("field"))
    types = {fd.child_by_field_name("type") for fd in of_type(sf.root, "field_declaration")
             if any(sf.text(n) == name for n in fd.children_by_field_name("name"))}
    elements = {sf.text(t.child_by_field_name("value")) if t is not None and t.type == "channel_type"
                and t.child_by_field_name("value").type == "type_identifier" else None for t in types}
    return elements.pop() if len(elements) == 1 and None not in elements else None


def channel_element(sf: SourceFile, chan: Node, at: Node) -> str | None:
    """The element type of channel ``chan`` as its declaration spells it (``Response`` for
    a parameter ``out chan<- Response``, a local ``make(chan *Window, 1)`` or a struct field
    of the file ``respCh chan Response``), without a pointer's ``*``; None when not seen."""
    typ = None
    if chan.type == "identifier":
        name = sf.text(chan)
        fn = next((x for x in ancestors(at) if x.type in FUNCTION_TYPES and params_declare(sf, x, name)), None)
        if fn is not None:
            typ = next((d.child_by_field_name("type") for d in of_type(fn.child_by_field_name("parameters"), "parameter_declaration")
                        if any(sf.text(n) == name for n in d.children_by_field_name("name"))), None)
        else:
            made = [unparen(v) for v in defined_values(sf, name, at)]
            call = made[0] if len(made) == 1 and is_call_to(sf, made[0], None, ("make",)) else None
            typ = arguments(call)[0] if call is not None and arguments(call) else None
    elif chan.type == "selector_expression":
        field = sf.text(chan.child_by_field_name("field"))
        types = {fd.child_by_field_name("type") for fd in of_type(sf.root, "field_declaration")
                 if any(sf.text(n) == field for n in fd.children_by_field_name("name"))}
        typ = types.pop() if len(types) == 1 else None
    if typ is None or typ.type != "channel_type":
        return None
    return sf.text(typ.child_by_field_name("value")).lstrip("*")


def _scope_of(decl: Node) -> Node:
    """Where a local declared by ``decl`` is visible: its block, or the if/for/switch whose
    header declares it. A name from an earlier, closed block is not in scope later."""
    stmt = var_declaration_of(decl) if decl.type == "var_spec" else decl
    return stmt.parent if stmt.parent is not None else stmt


# the context package's functions that hand back a cancel: by it alone, or also at a deadline
CANCELLED_BY_CALL = ("WithCancel", "WithCancelCause")
CANCELLABLE = CANCELLED_BY_CALL + ("WithTimeout", "WithTimeoutCause", "WithDeadline", "WithDeadlineCause")
_CONTEXT_MAKERS = CANCELLABLE + ("WithoutCancel", "WithValue", "Background", "TODO")


def _declared_cancellations(sf: SourceFile, d: Node) -> list[Cancellation]:
    if d.type == "var_spec":
        typ = d.child_by_field_name("type")
        return [c for ident in d.children_by_field_name("name") for c in _typed_signal(sf, sf.text(ident), sf.text(ident), typ)]
    left = d.child_by_field_name("left")
    right = d.child_by_field_name("right")
    if left is None or right is None:
        return []
    names, values = left.named_children, right.named_children
    out = []
    first = names[0] if names else None
    if len(values) == 1 and first is not None and first.type == "identifier" and sf.text(first) != "_" and is_call_to(
        sf, values[0], "context", _CONTEXT_MAKERS
    ):
        out.append(Cancellation(sf.text(first), "context"))
    for ident, value in zip(names, values):
        args = arguments(value) if value.type == "call_expression" and sf.text(value.child_by_field_name("function")) == "make" else []
        if len(args) == 1 and ident.type == "identifier" and _is_done_channel(sf, sf.text(ident), args[0]):
            out.append(Cancellation(sf.text(ident), "channel"))
    return out


def _receiver_contexts(sf: SourceFile, method: Node) -> list[Cancellation]:
    """``s.ctx`` when the receiver's struct (declared in this file) has a context.Context field."""
    recv = method.child_by_field_name("receiver")
    decl = next(of_type(recv, "parameter_declaration"), None) if recv is not None else None
    if decl is None:
        return []
    names = decl.children_by_field_name("name")
    typ = decl.child_by_field_name("type")
    if not names or typ is None:
        return []
    type_name = function_key(sf, method)[1]
    for spec in of_type(sf.root, "type_spec"):
        if sf.text(spec.child_by_field_name("name")) != type_name:
            continue
        st = spec.child_by_field_name("type")
        if st is None or st.type != "struct_type":
            return []
        out = []
        for fd in of_type(st, "field_declaration"):
            ftype = fd.child_by_field_name("type")
            for fname in fd.children_by_field_name("name"):
                out.extend(_typed_signal(sf, f"{sf.text(names[0])}.{sf.text(fname)}", sf.text(fname), ftype))
        return out
    return []


def waits_on(sf: SourceFile, node: Node | None, sig: Cancellation) -> bool:
    """``<-ctx.Done()``, or ``<-done`` for a local ``done := ctx.Done()``."""
    if node is None or node.type not in ("expression_statement", "receive_statement") or not node.named_children:
        return False
    expr = unparen(node.child_by_field_name("right") if node.type == "receive_statement" else node.named_children[0])
    if not is_receive(sf, expr):
        return False
    chan = unparen(expr.child_by_field_name("operand"))
    if sf.text(chan).replace(" ", "") == sig.done_expr():
        return True
    values = defined_values(sf, sf.text(chan), chan) if chan.type == "identifier" else []
    return len(values) == 1 and sf.text(values[0]).replace(" ", "") == sig.done_expr()
