"""Stop signals in scope at a point: contexts and done channels a goroutine can watch,
with where each comes from and whether anything makes it fire."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from .. import analysis as a
from .file import View

_DEADLINES = ("WithTimeout", "WithDeadline", "WithTimeoutCause", "WithDeadlineCause")


@dataclass(frozen=True)
class Signal:
    name: str  # an expression usable at the point: ctx, s.ctx, w.quit, r.Context()
    kind: str  # "context" or "channel"
    origin: str  # "param", "local", "field", "request" (an *http.Request's context), "assumed" (plumbing)
    fires: bool  # something can make it fire: a caller's context, a channel the package closes or sends on
    deadline: bool = False  # a local context with a timeout or deadline: it fires on its own, early

    def done_expr(self) -> str:
        return f"{self.name}.Done()" if self.kind == "context" else self.name

    def cancellation(self) -> a.Cancellation:
        return a.Cancellation(self.name, self.kind, self.origin == "assumed")


def stop_signals(v: View, at: Node) -> list[Signal]:
    """Contexts and done channels visible at ``at``: parameters and locals of the enclosing
    functions, the context of an ``*http.Request`` parameter, and context or done-channel
    fields of the receiver's struct or of a parameter's (declared anywhere in the package).
    Contexts that are never done (Background, TODO, WithoutCancel) are left out."""
    sf = v.sf
    out: list[Signal] = []
    for c in a.cancellation_in_scope(sf, at, v.assumed):
        sig = _classify(v, c, at)
        if sig is not None:
            out.append(sig)
    for fn in (x for x in a.ancestors(at) if x.type in a.FUNCTION_TYPES):
        for var, typ in _typed_names(sf, fn):
            if _is_request(sf, typ):
                out.append(Signal(f"{var}.Context()", "context", "request", True))
                continue
            struct = v.index.struct(v.package, _type_name(sf, typ)) if v.index is not None and typ is not None else None
            for f in struct.fields if struct is not None else ():
                if f.kind == "context":
                    out.append(Signal(f"{var}.{f.name}", "context", "field", True))
                elif f.kind == "done":
                    out.append(Signal(f"{var}.{f.name}", "channel", "field", _field_fires(v, f.name)))
    seen: set[str] = set()
    return [s for s in out if not (s.name in seen or seen.add(s.name))]


def _classify(v: View, c: a.Cancellation, at: Node) -> Signal | None:
    sf = v.sf
    if c.assumed:
        return Signal(c.name, c.kind, "assumed", True)
    if "." in c.name:
        field = c.name.rsplit(".", 1)[1]
        return Signal(c.name, c.kind, "field", c.kind == "context" or _field_fires(v, field))
    declaring = _declaring(sf, c.name, at)
    if declaring is not None:
        return Signal(c.name, c.kind, "param", _never_live_here(v, declaring, c.name) is None)
    made = a.defined_value(sf, c.name, at)
    if c.kind == "context":
        if made is not None and a.never_done(sf, made, at):
            return None
        deadline = made is not None and a.is_call_to(sf, made, "context", _DEADLINES)
        return Signal(c.name, c.kind, "local", True, deadline)
    fn = a.enclosing_function(at)
    top = next((x for x in reversed(list(a.ancestors(at))) if x.type in a.FUNCTION_TYPES), fn)
    return Signal(c.name, c.kind, "local", c.name in a.signal_ops(sf, top)[0])


def _declaring(sf, name: str, at: Node) -> Node | None:
    """The function whose parameter ``name`` is at ``at``, or None where a local declared
    inside it shadows (or redeclares) it: xray-core's goroutine of a method given a ``ctx``
    makes its own, ``ctx := xctx.ContextWithID(context.Background(), id)``, which nothing
    cancels."""
    fn = next((f for f in a.ancestors(at) if f.type in a.FUNCTION_TYPES and a.params_declare(sf, f, name)), None)
    made = a.defined_value(sf, name, at) if fn is not None else None
    return None if made is not None and a.is_within(made, fn) else fn


def never_live(v: View, fn: Node, param: str) -> tuple[str, ...] | None:
    """Where ``fn`` is called (path:line) when every call passes for its context parameter
    ``param`` a context that never fires, else None. Asked of this file first (see
    _never_live_here), then of the package's facts, which know every call in the module (its
    files and those of the module that import it: callers.py), for any function."""
    found = _never_live_here(v, fn, param)
    key = a.function_key(v.sf, fn) if found is None and v.facts is not None else None
    return found or (v.facts.never_live(v.package, *key, a.param_index(v.sf, fn, param)) if key is not None else None)


def _never_live_here(v: View, fn: Node, param: str) -> tuple[str, ...] | None:
    """never_live asked of this file alone (see analysis.never_given_a_live_one), for an
    unexported function (or method) that the package's facts say no other file calls, at
    each step up: what decides whether a signal fires (Signal.fires), and so whether some
    rules report at all."""
    sf = v.sf
    if v.index is None:
        return None
    here = {a.function_key(sf, d) for d in sf.root.named_children}

    def in_view(f, fn: Node) -> bool:
        key = a.function_key(f, fn)
        return key is not None and key[0][:1].islower() and not any(
            key[0] in g.calls and (g.name, g.recv) not in here for g in v.facts.functions if g.package == v.package)
    found = a.never_given_a_live_one(sf, fn, param, [sf], in_view)
    return (f"{found[0].path}:{found[0].line_col(found[1].start_byte)[0]}",) if found is not None else None


def never_fires(v: View, at: Node, sig: a.Cancellation) -> str | None:
    """Why a case on ``sig`` at ``at`` would never run, or None: it is a context parameter
    that every caller in the module fills with a context nothing cancels (see never_live).
    The one question every rule offering a ``case <-ctx.Done()`` asks before it offers one;
    the finding stands or falls on the rule's own evidence (stop_signals' ``fires``)."""
    if sig.assumed or sig.kind != "context" or "." in sig.name:
        return None
    declaring = _declaring(v.sf, sig.name, at)
    sites = never_live(v, declaring, sig.name) if declaring is not None else None
    if not sites:
        return None
    shown = ", ".join(sites[:3]) + (" ..." if len(sites) > 3 else "")
    return f"every caller in the module passes a context nothing cancels ({shown}): a case on its Done() would never run"


def _field_fires(v: View, field: str) -> bool:
    if v.index is None:
        return False
    use = v.index.field_use(v.package, field)
    return use.closes or use.sends > 0


def _typed_names(sf, fn: Node) -> list[tuple[str, Node | None]]:
    """(name, type) of ``fn``'s receiver and parameters."""
    out = []
    for field in ("receiver", "parameters"):
        plist = fn.child_by_field_name(field)
        for p in a.of_type(plist, "parameter_declaration") if plist is not None else ():
            out += [(sf.text(n), p.child_by_field_name("type")) for n in p.children_by_field_name("name") if sf.text(n) != "_"]
    return out


def _type_name(sf, typ: Node) -> str:
    return sf.text(typ).lstrip("*").split("[")[0].strip()


def _is_request(sf, typ: Node | None) -> bool:
    if typ is None or typ.type != "pointer_type" or not typ.named_children:
        return False
    inner = typ.named_children[0]
    return (inner.type == "qualified_type" and sf.imports.get(sf.text(inner.child_by_field_name("package"))) == "net/http"
            and sf.text(inner.child_by_field_name("name")) == "Request")


def _is_testing(sf, typ: Node | None) -> bool:
    """``*testing.T``, ``*testing.B``, ``*testing.F`` or ``testing.TB``."""
    if typ is None:
        return False
    names = ("TB",)
    if typ.type == "pointer_type" and typ.named_children:
        typ, names = typ.named_children[0], ("T", "B", "F")
    return (typ.type == "qualified_type" and sf.imports.get(sf.text(typ.child_by_field_name("package"))) == "testing"
            and sf.text(typ.child_by_field_name("name")) in names)


def test_context(sf, at: Node) -> str | None:
    """``t.Context()`` for the first test or benchmark parameter (``*testing.T``, ``B``,
    ``F``, ``testing.TB``) of a function around ``at`` (None when there is none): Go 1.24's
    context that ends when the test does, before its Cleanup functions run."""
    for fn in (x for x in a.ancestors(at) if x.type in a.FUNCTION_TYPES):
        for var, typ in _typed_names(sf, fn):
            if _is_testing(sf, typ):
                return f"{var}.Context()"
    return None


def request_context(sf, at: Node) -> str | None:
    """``r.Context()`` for the first ``*http.Request`` parameter of a function around ``at``
    (None when there is none): a context whoever handles that request can pass on."""
    for fn in (x for x in a.ancestors(at) if x.type in a.FUNCTION_TYPES):
        for var, typ in _typed_names(sf, fn):
            if _is_request(sf, typ):
                return f"{var}.Context()"
    return None
