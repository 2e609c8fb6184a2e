"""Targeted shape for a shutdown protocol nobody can run: a goroutine waits for the context of
a value that the function starting it built, keeps to itself and drops, so nothing left can
cancel that context (grpc's PR 862: DialContext closed its nil result, not the connection it
had built and started)."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, insert_after_statement
from ...source import SourceFile
from ..match import Covered
from ._base import used_elsewhere

_MAKERS = ("WithCancel", "WithTimeout", "WithDeadline")  # cancel funcs called without arguments


@dataclass(frozen=True)
class _Built:
    """A value a function builds (``v := &T{...}``) and gives a context of its own."""

    name: str  # v
    type_name: str  # T
    made: Node  # ``v.ctx, v.cancel = context.WithCancel(...)``, in the function's own block
    ctx_field: str
    cancel_field: str


def cancel_dropped(sf: SourceFile, stmt: Node, state: str, abspath: str, c: Covered) -> tuple[Fix | None, str | None]:
    """A bare ``<-r.f.Done()`` in a method of a goroutine that a `go` statement of function F
    started (the site's creator), where F builds ``v := &T{...}``, gives it a context of its
    own (``v.ctx, v.cancel = context.WithCancel(...)`` in F's block) and keeps it to itself
    and the goroutines it starts: every use of ``v`` in F, its func literals included, reads
    a field or calls a method, so F returns, stores and passes it nowhere; nor does F cancel
    it. F returns a ``*T``, never ``v``: its caller gets another (nil, on a failure) and
    ``v`` is abandoned (a function returning no ``*T`` may start a service meant to run for
    the life of the process). Once F returns, no code but those goroutines reaches ``v``:
    nothing can cancel the context they wait on. The fix defers ``v.cancel()`` right after
    the WithCancel.

    The waited context is ``v``'s (``r`` a T) or a child of it: the waiting method's type U
    fills ``f`` only by ``y.f, y.g = context.WithCancel(x.ctx)`` in methods of T (``x`` the
    receiver), ``y`` a local ``&U{...}``, and no literal of U sets it. The methods of T and
    U keep their receivers to themselves (fields, method calls, a keyed value of a literal:
    a child's back-reference), and no other file of the package names either type.

    It stays review however proven: the goroutines lose the context when F returns, and
    work they still do with it is cut short there, which no re-run shows."""
    if state != "chan receive" or stmt.type != "expression_statement":
        return None, None
    recv = a.unparen(stmt.named_children[0])
    call = a.unparen(recv.child_by_field_name("operand")) if a.is_receive(sf, recv) else None
    mc = a.method_call(sf, call) if call is not None else None
    waited = a.unparen(mc[0]) if mc is not None and mc[1] == "Done" and not a.arguments(call) else None
    method = a.enclosing_function(stmt)
    creator = c.site.created_by
    if waited is None or waited.type != "selector_expression" or method is None or method.type != "method_declaration" \
            or creator is None or creator.path != c.site.blocked.path:
        return None, None
    go = next((g for g in a.of_type(sf.root, "go_statement") if sf.line_col(g.start_byte)[0] == creator.line), None)
    starter = a.enclosing_function(go) if go is not None else None
    if starter is None or starter.type not in ("function_declaration", "method_declaration"):
        return None, None
    fname = sf.text(starter.child_by_field_name("name"))
    # the goroutine starts after the value has its context (before, it would race on it)
    built = [b for b in _built(sf, starter) if _mentions(sf, go, b.name) and b.made.end_byte <= go.start_byte]
    if len(built) != 1:
        return None, None
    v = built[0]
    why = _abandons(sf, starter, v) or _kept_to_itself(sf, starter, v) or _waits_for(sf, method, waited, v)
    if why is not None:
        return None, f"{fname} builds {v.name} and starts the goroutine on it, but {why}"
    types = {v.type_name, a.function_key(sf, method)[1]}
    for t in types:
        why = _receivers_kept(sf, t)
        if why is not None:
            return None, f"{fname} builds {v.name} and starts the goroutine on it, but {why}"
    gone = used_elsewhere(abspath, [rb"\b" + t.encode() + rb"\b" for t in sorted(types)])
    if gone is not None:
        return None, f"{fname} builds {v.name} and starts the goroutine on it, but {gone}"
    edit = insert_after_statement(sf, v.made, f"defer {v.name}.{v.cancel_field}()")
    if edit is None:
        return None, f"{fname} builds {v.name}, but the line giving it its context holds more: cancel it by hand"
    return Fix(f"defer {v.name}.{v.cancel_field}(): {fname} keeps {v.name} to itself and the goroutines it starts, "
               f"so nothing else can cancel the context they wait on", (edit,)), None


def _built(sf: SourceFile, fn: Node) -> list[_Built]:
    """The values ``fn`` builds as ``v := &T{...}`` and gives a context by an assignment of
    a WithCancel (or another maker) to two of their fields, in ``fn``'s own block."""
    out = []
    for st in a.statements(a.body(fn)):
        left, right = a.left_names(st), st.child_by_field_name("right") if st.type == "assignment_statement" else None
        values = right.named_children if right is not None else []
        if len(left) != 2 or len(values) != 1 or not a.is_call_to(sf, a.unparen(values[0]), "context", _MAKERS) \
                or any(x.type != "selector_expression" for x in left):
            continue
        owners = {sf.text(x.child_by_field_name("operand")) for x in left}
        name = owners.pop() if len(owners) == 1 else None
        type_name = _literal_type(sf, fn, name, st) if name is not None else None
        if type_name is not None:
            out.append(_Built(name, type_name, st, *(sf.text(x.child_by_field_name("field")) for x in left)))
    return out


def _literal_type(sf: SourceFile, fn: Node, name: str, at: Node) -> str | None:
    """T of the declaration ``name := &T{...}`` in ``fn`` before ``at``."""
    decl = a.local_declaration(sf, name, at)
    if decl is None or decl.type != "short_var_declaration" or not a.is_within(decl, fn):
        return None
    left, right = a.left_names(decl), decl.child_by_field_name("right").named_children
    if [sf.text(x) for x in left] != [name] or len(right) != 1:
        return None
    lit = a.unparen(right[0])
    if lit.type != "unary_expression" or sf.text(lit.child_by_field_name("operator")) != "&":
        return None
    lit = a.unparen(lit.child_by_field_name("operand"))
    typ = lit.child_by_field_name("type") if lit.type == "composite_literal" else None
    return sf.text(typ) if typ is not None and typ.type == "type_identifier" else None


def _abandons(sf: SourceFile, fn: Node, v: _Built) -> str | None:
    """Why ``fn`` may mean ``v`` to outlive it, or None: it returns a ``*T``, so a caller
    that gets another one (nil on failure) never gets ``v``. A function returning none
    may be starting a service for the life of the process, by design."""
    result = fn.child_by_field_name("result")
    types = [] if result is None else [result] if result.type != "parameter_list" else \
        [d.child_by_field_name("type") for d in result.named_children if d.type == "parameter_declaration"]
    if any(t is not None and sf.text(t) == f"*{v.type_name}" for t in types):
        return None
    return f"it returns no *{v.type_name}: {v.name} may be meant to outlive it (a service nobody stops, by design)"


def _mentions(sf: SourceFile, node: Node, name: str) -> bool:
    return any(sf.text(n) == name for n in a.of_type(node, "identifier"))


def _kept_to_itself(sf: SourceFile, fn: Node, v: _Built) -> str | None:
    """Why ``fn`` may hand ``v`` (or its context) on or cancel it already, or None: every
    use reads a field or calls a method, and its context and cancel fields are only
    assigned."""
    methods = _method_names(sf, v.type_name)
    for n in a.of_type(a.body(fn), "identifier"):
        if sf.text(n) != v.name:
            continue
        at = sf.line_col(n.start_byte)[0]
        parent = n.parent
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n:
            field = sf.text(parent.child_by_field_name("field"))
            if field in (v.ctx_field, v.cancel_field) and not a.is_within(parent, v.made):
                return f"it uses {v.name}.{field} itself (line {at}): the cancel or the context is not only its goroutines'"
            if _method_value(parent, field, methods):
                return f"{v.name}.{field} is a method value (line {at}): it carries {v.name} elsewhere"
            continue
        if parent.type == "expression_list" and parent.parent.type == "short_var_declaration" \
                and parent == parent.parent.child_by_field_name("left"):
            continue
        return f"{v.name} leaves it at line {at} (returned, stored, passed or reassigned): its owner is out of view"
    return None


def _method_names(sf: SourceFile, type_name: str) -> set[str]:
    return {k[0] for m in a.of_type(sf.root, "method_declaration") if (k := a.function_key(sf, m)) and k[1] == type_name}


def _method_value(selector: Node, field: str, methods: set[str]) -> bool:
    """``x.m`` naming a method of x's type other than as the callee of a call."""
    call = selector.parent
    return field in methods and not (call.type == "call_expression" and call.child_by_field_name("function") == selector)


def _waits_for(sf: SourceFile, method: Node, waited: Node, v: _Built) -> str | None:
    """Why the context ``waited`` (``r.f`` in ``method``) is not provably ``v``'s or a
    child of it, or None."""
    recv = a.receiver_name(sf, method)
    operand, field = waited.child_by_field_name("operand"), sf.text(waited.child_by_field_name("field"))
    if recv is None or operand.type != "identifier" or sf.text(operand) != recv:
        return f"the goroutine waits on {sf.text(waited)}, not a field of its method's receiver"
    own = a.function_key(sf, method)[1]
    if own == v.type_name:
        return None if field == v.ctx_field else f"the goroutine waits on {sf.text(waited)}, not on {v.name}.{v.ctx_field}"
    if any(_keys(sf, lit, field) for lit in a.of_type(sf.root, "composite_literal")
           if sf.text(lit.child_by_field_name("type")) == own):
        return f"a literal of {own} sets its {field}: not provably a child of {v.name}'s context"
    children = 0
    for st in a.of_type(sf.root, "assignment_statement"):
        left = a.left_names(st)
        if not any(x.type == "selector_expression" and sf.text(x.child_by_field_name("field")) == field for x in left):
            continue
        if st == v.made:
            continue
        maker = st.child_by_field_name("right").named_children
        fn = a.enclosing_function(st)
        parent = a.arguments(a.unparen(maker[0]))[:1] if len(maker) == 1 and a.is_call_to(sf, a.unparen(maker[0]), "context", _MAKERS) else []
        at = parent[0] if parent else None
        derived = fn is not None and fn.type == "method_declaration" and a.function_key(sf, fn)[1] == v.type_name \
            and at is not None and at.type == "selector_expression" and sf.text(at) == f"{a.receiver_name(sf, fn)}.{v.ctx_field}" \
            and left[0].type == "selector_expression" and sf.text(left[0].child_by_field_name("field")) == field \
            and _literal_type(sf, fn, sf.text(left[0].child_by_field_name("operand")), st) == own
        if not derived:
            return f"{sf.text(st)} (line {sf.line_col(st.start_byte)[0]}) sets a {field} from other than {v.type_name}'s {v.ctx_field}"
        children += 1
    return None if children else f"nothing here makes {own}'s {field} a child of {v.type_name}'s {v.ctx_field}"


def _keys(sf: SourceFile, lit: Node, field: str) -> bool:
    return any(k.named_children and sf.text(k.named_children[0]) == field
               for e in a.of_type(lit.child_by_field_name("body"), "keyed_element") for k in e.named_children[:1])


def _receivers_kept(sf: SourceFile, type_name: str) -> str | None:
    """Why a method of ``type_name`` may hand its receiver on, or None: each use reads a
    field, calls a method (no method value), or is a keyed value of a literal (a child
    pointing back)."""
    methods = _method_names(sf, type_name)
    for m in a.of_type(sf.root, "method_declaration"):
        key = a.function_key(sf, m)
        recv = a.receiver_name(sf, m)
        if key is None or key[1] != type_name or recv is None:
            continue
        for n in a.of_type(a.body(m), "identifier"):
            if sf.text(n) != recv:
                continue
            parent = n.parent
            if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n \
                    and not _method_value(parent, sf.text(parent.child_by_field_name("field")), methods):
                continue
            if parent.type == "literal_element" and parent.parent.type == "keyed_element":
                continue  # a key names a field; a value is a child's back-reference
            return f"{key[0]} hands its {type_name} on (line {sf.line_col(n.start_byte)[0]}): who else holds it is out of view"
    return None
