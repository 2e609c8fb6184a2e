"""Values that own a goroutine until a method of theirs stops it, made by the package's own code.

From one function's syntax (``owning``): the type its first result names, the methods it
runs on goroutines with the value it returns (``go acc.averageLoop()``), the package calls
whose results it stores in the fields of that value (``&T{pool: newPool()}``, nested
literals giving a field path), whether a method returns its receiver (a fluent
``acc.WithBuffer()``), which receiver fields (or receiver methods reading them) every exit
of a method's endless loop waits on, and which receiver fields a method fires (closes,
calls, writes) or reads, and the stop methods of fields it calls. ``makers`` resolves a
package's functions: a function returning a ``T`` that runs a loop of ``T`` on a goroutine
that only a signal its ``Close``/``Stop``/``Shutdown`` fires ends, or that stores such a
maker's value in a field that ``T``'s stop method stops in turn (or an embedded field's,
whose method ``T`` promotes), a few levels deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from .. import analysis as a
from ..source import SourceFile

STOPS = ("Close", "Stop", "Shutdown")  # the methods that stop an owner, in the order tried
# unexported names that may stop something: what stop_mentions records
_STOP_LIKE = re.compile(rb"\b(?=[a-z_])\w*?(?:[Ss]top|[Cc]lose|[Ss]hut|[Cc]ancel|[Qq]uit|[Ee]xit|[Hh]alt|[Tt]erm|[Kk]ill|[Tt]ear|[Ff]inish|[Dd]estroy|[Rr]elease)\w*")
_CTX = "<ctx>"  # a loop waiting on a context field's Done(); fired by calling a func field (its cancel)
_ATOMIC_WRITES = ("Store", "Add", "CompareAndSwap", "Swap", "Or", "And")
_DEPTH = 4  # maker levels and method calls followed
_SHORT = 30  # lines of a method that is not a stop method whose fires and reads are kept


@dataclass(frozen=True)
class Owning:
    """What one declaration's own body says about goroutine-owning values."""

    result: str = ""  # the named type of its first result (``*T``, ``T``, ``(*T, error)``): "T"
    starts: tuple[str, ...] = ()  # methods it runs with ``go v.M()`` on the value it returns
    # fields of the value it returns that get a package call's result: ((literal type, field), ...)
    # from the outer literal in, and the function called; an empty path for ``return f(...)``
    built: tuple[tuple[tuple[tuple[str, str], ...], str], ...] = ()
    fluent: bool = False  # a method whose every return returns its receiver
    waits: tuple[str, ...] = ()  # what every exit of its endless loops waits on: ``<-f``, fields, ``m()``, _CTX
    fires: tuple[str, ...] = ()  # fields it writes, ``<-f`` it closes, ``m()`` it calls, ``f.Stop`` of fields
    reads: tuple[str, ...] = ()  # receiver fields it names, ``m()`` it calls
    plain: bool = False  # no parameters, and no result or one ``error``


NONE = Owning()


@dataclass(frozen=True)
class Owner:
    """A package function whose result owns a goroutine until its ``stop`` method."""

    type: str
    stop: str
    loop: str  # the method of the innermost owner that runs on the goroutine
    plain: bool  # the stop method is ``Close``/``Stop`` with no parameters and no result or an error
    fluent: tuple[str, ...] = ()  # methods of ``type`` that return their receiver


def owning(sf: SourceFile, fn: Node) -> Owning:
    result = _result_type(sf, fn.child_by_field_name("result"))
    recv = a.receiver_name(sf, fn) if fn.type == "method_declaration" else None
    if not result and not recv:
        return NONE
    body = a.body(fn)
    returned = _returned(sf, body)
    starts: tuple[str, ...] = ()
    built: tuple = ()
    if result and not recv:
        values = {v for v in returned if v is not None}
        names = {sf.text(v) for v in values if v.type == "identifier"}
        starts = tuple(sorted({
            sf.text(f.child_by_field_name("field"))
            for g in a.of_type(body, "go_statement", skip_functions=True)
            if (call := g.named_children[0] if g.named_children else None) is not None and call.type == "call_expression"
            and (f := call.child_by_field_name("function")).type == "selector_expression"
            and sf.text(f.child_by_field_name("operand")) in names
        }))
        built = tuple(sorted(set(_built(sf, body, values, names))))
    fluent = bool(recv) and bool(returned) and all(v is not None and sf.text(v) == recv for v in returned)
    if not recv:
        return Owning(result, starts, built) if starts or built else NONE
    # what a stop method fires, or a loop's exit check reads: a stop method, or the short
    # helpers they call (closeLocked, isClosed); every selector of every method cost too much
    short = body.end_point[0] - body.start_point[0] <= _SHORT
    fires, reads = _touches(sf, body, recv) if short or sf.text(fn.child_by_field_name("name")) in STOPS else ((), ())
    params = fn.child_by_field_name("parameters")
    res = fn.child_by_field_name("result")
    plain = (params is None or not params.named_children) and (res is None or sf.text(res) == "error")
    return Owning(result, (), (), fluent, waits(sf, body, recv), fires, reads, plain)


def stop_mentions(sf: SourceFile, fn: Node) -> tuple[str, ...]:
    """The unexported stop-like names (``shutdown``, ``stopLocked``) in ``fn``'s body, read
    from its text: calls, method values and closures alike; comments and strings too, which
    only keeps more methods counted as used."""
    body = a.body(fn)
    if body is None:
        return ()
    text = sf.data[body.start_byte:body.end_byte]
    return tuple(sorted({m.decode() for m in _STOP_LIKE.findall(text)}))


def stop_like(name: str) -> bool:
    """Whether an unexported name is one stop_mentions records."""
    return _STOP_LIKE.fullmatch(name.encode()) is not None


def _result_type(sf: SourceFile, res: Node | None) -> str:
    if res is not None and res.type == "parameter_list":
        first = next(iter(a.of_type(res, "parameter_declaration")), None)
        res = first.child_by_field_name("type") if first is not None and not first.children_by_field_name("name") else None
    if res is not None and res.type == "pointer_type" and res.named_children:
        res = res.named_children[0]
    return sf.text(res) if res is not None and res.type == "type_identifier" else ""


def _returned(sf: SourceFile, body: Node) -> list[Node | None]:
    """The first value of each of the body's own returns (None for a bare one)."""
    out = []
    for ret in a.of_type(body, "return_statement", skip_functions=True):
        values = ret.named_children[0].named_children if ret.named_children else []
        out.append(a.unparen(values[0]) if values else None)
    return out


def _literal(node: Node) -> Node | None:
    if node.type == "unary_expression" and node.child_by_field_name("operand") is not None:
        node = a.unparen(node.child_by_field_name("operand"))
    return node if node.type == "composite_literal" else None


_BUILTINS = ("append", "make", "new", "len", "cap", "string", "int", "int64", "byte", "error")


def _plain_call(sf: SourceFile, node: Node) -> str | None:
    """The key of a call of a function: ``f`` of this package, ``path:F`` of an imported one."""
    if node.type != "call_expression":
        return None
    c = a.callee(sf, node)
    if c is None or c[1] in _BUILTINS:
        return None
    return c[1] if c[0] is None else f"{c[0]}:{c[1]}" if c[1][:1].isupper() else None


def wants(sf: SourceFile, functions) -> set[tuple[str, str]]:
    """(import path, name) of other packages' functions that may make an owner here: the
    callees of a statement keeping one call's result in a local (``c := pool.New()``,
    ``c, err := ...``), and those whose results ``functions`` (their Owning) keep in fields."""
    out = {tuple(callee.rsplit(":", 1)) for f in functions for _, callee in f.built if ":" in callee}
    if b"go " not in sf.data and b"Close" not in sf.data and b"Stop" not in sf.data:
        return out
    for stmt in a.of_type(sf.root, "short_var_declaration", "assignment_statement"):
        right = stmt.child_by_field_name("right")
        if right is not None and len(right.named_children) == 1 and len(a.left_names(stmt)) <= 2 \
                and (key := _plain_call(sf, a.unparen(right.named_children[0]))) is not None and ":" in key:
            out.add(tuple(key.rsplit(":", 1)))
    return out


def _built(sf: SourceFile, body: Node, values: set[Node], names: set[str]):
    """(field path, function) of the package calls whose results the returned value keeps."""
    literals = [lit for v in values if (lit := _literal(v)) is not None]
    for v in values:
        if (f := _plain_call(sf, v)) is not None:
            yield (), f
    for stmt in a.of_type(body, "short_var_declaration", "assignment_statement", skip_functions=True):
        lefts, right = a.left_names(stmt), stmt.child_by_field_name("right")
        rights = right.named_children if right is not None else []
        for left, value in zip(lefts, rights) if len(lefts) == len(rights) else ():
            value = a.unparen(value)
            if left.type == "identifier" and sf.text(left) in names and stmt.type == "short_var_declaration":
                if (lit := _literal(value)) is not None:
                    literals.append(lit)
            elif left.type == "selector_expression" and sf.text(left.child_by_field_name("operand")) in names \
                    and (f := _plain_call(sf, value)) is not None:
                yield (("", sf.text(left.child_by_field_name("field"))),), f
    for lit in literals:
        yield from _fields_made(sf, lit, ())


def _fields_made(sf: SourceFile, lit: Node, path: tuple[tuple[str, str], ...]):
    typ, fields = lit.child_by_field_name("type"), lit.child_by_field_name("body")
    if typ is None or typ.type != "type_identifier" or fields is None:
        return
    for el in fields.named_children:
        key, value = el.child_by_field_name("key"), el.child_by_field_name("value")
        if el.type != "keyed_element" or key is None or value is None or not key.named_children or not value.named_children:
            continue
        step = (*path, (sf.text(typ), sf.text(key.named_children[0])))
        value = a.unparen(value.named_children[0])
        if (inner := _literal(value)) is not None and len(step) < _DEPTH:
            yield from _fields_made(sf, inner, step)
        elif (f := _plain_call(sf, value)) is not None:
            yield step, f


def _field_of(sf: SourceFile, node: Node | None, recv: str) -> str | None:
    """``f`` for ``recv.f``."""
    if node is None or node.type != "selector_expression":
        return None
    operand = node.child_by_field_name("operand")
    if operand.end_byte - operand.start_byte != len(recv) or operand.type != "identifier" or sf.text(operand) != recv:
        return None
    return sf.text(node.child_by_field_name("field"))


def _touches(sf: SourceFile, body: Node, recv: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fires, reads) of a method with receiver ``recv``."""
    fires, reads = set(), set()
    for sel in a.of_type(body, "selector_expression"):
        field = _field_of(sf, sel, recv)
        if field is None:
            continue
        parent = sel.parent
        if parent.type == "call_expression" and parent.child_by_field_name("function") == sel:
            # r.m(): a method (followed by name) or a func field (a cancel: makers tells them apart)
            fires.add(f"{field}()")
            reads.add(f"{field}()")
            continue
        reads.add(field)
        outer = parent.parent if parent.type == "selector_expression" else None
        if outer is not None and outer.type == "call_expression":
            method = sf.text(parent.child_by_field_name("field"))
            if method in STOPS:
                fires.add(f"{field}.{method}")
            elif method in _ATOMIC_WRITES:
                fires.add(field)  # an atomic value's Store
            continue
        fires.update(_fired(sf, parent, field))
    return tuple(sorted(fires)), tuple(sorted(reads))


def _fired(sf: SourceFile, parent: Node, field: str) -> tuple[str, ...]:
    """What ``r.f`` under ``parent`` fires: the field written (``atomic.StoreInt32(&r.f, 1)``,
    Add, CompareAndSwap..., ``r.f = v``), and its receivers (``<-f``) when closed."""
    if parent.type == "unary_expression" and parent.parent.type == "argument_list":
        c = a.callee(sf, parent.parent.parent)
        return (field,) if c is not None and c[0] == "sync/atomic" and c[1].startswith(_ATOMIC_WRITES) else ()
    if parent.type == "argument_list":
        return (field, f"<-{field}") if a.callee(sf, parent.parent) == (None, "close") else ()
    written = parent.type == "expression_list" and parent.parent.type == "assignment_statement" \
        and parent.parent.child_by_field_name("left") == parent
    return (field,) if written else ()


def waits(sf: SourceFile, body: Node, recv: str) -> tuple[str, ...]:
    """What every exit of the method's own endless loops waits on, when each does: a receive
    from a receiver field (``<-r.exit``, ``<-r.ctx.Done()``) in the select case it is taken
    from, or receiver fields and methods named in the condition of an ``if`` around it (or
    of the loop itself)."""
    out: set[str] = set()
    for loop in a.of_type(body, "for_statement", skip_functions=True):
        kind = a.loop_kind(sf, loop)
        if kind not in ("endless", "cond"):
            continue
        exits = [*a.of_type(loop, "return_statement", "goto_statement", skip_functions=True), *a.loop_breaks(loop)]
        found: set[str] = set()
        if kind == "cond":
            cond = next(c for c in loop.named_children if c.type not in ("block", "comment"))
            found |= _named(sf, cond, recv)
            if not found:
                continue
        elif not exits:
            continue
        for x in exits:
            on = _exit_signal(sf, x, loop, recv)
            if not on:
                break
            found |= on
        else:
            out |= found
    return tuple(sorted(out))


def _exit_signal(sf: SourceFile, exit_: Node, loop: Node, recv: str) -> set[str]:
    for x in a.ancestors(exit_):
        if x == loop:
            return set()
        if x.type == "communication_case":
            comm = x.child_by_field_name("communication")
            r = next((n for n in a.of_type(comm, "unary_expression") if a.is_receive(sf, n)), None) if comm else None
            operand = a.unparen(r.child_by_field_name("operand")) if r is not None else None
            if operand is not None and (field := _field_of(sf, operand, recv)) is not None:
                return {f"<-{field}"}  # a receive: only a close fires it
            m = a.method_call(sf, operand) if operand is not None else None
            if m is not None and m[1] == "Done" and _field_of(sf, m[0], recv) is not None:
                return {_CTX}
        if x.type == "if_statement" and (found := _named(sf, x.child_by_field_name("condition"), recv)):
            return found
    return set()


def _named(sf: SourceFile, expr: Node | None, recv: str) -> set[str]:
    """Receiver fields (``f``) and methods (``m()``) an expression names."""
    out = set()
    for sel in a.of_type(expr, "selector_expression"):
        field = _field_of(sf, sel, recv)
        if field is not None:
            call = sel.parent.type == "call_expression" and sel.parent.child_by_field_name("function") == sel
            out.add(f"{field}()" if call else field)
    return out


def makers(functions, imported: dict[str, Owner] | None = None) -> dict[str, Owner]:
    """The package functions (FuncFacts of one package, test files aside) whose result owns
    a goroutine until a stop method, by name; a name declared twice is left out.
    ``imported``: other packages' makers (``path:Name``), whose values the package's may hold."""
    methods: dict[tuple[str, str], Owning] = {}
    fluent: dict[str, set[str]] = {}
    for f in functions:
        if f.recv:
            methods.setdefault((f.recv, f.name), f.owning)
            if f.owning.fluent:
                fluent.setdefault(f.recv, set()).add(f.name)

    def closure(recv: str, entries, attr: str) -> set[str]:
        """The fields of ``entries`` and of what the methods ``m()`` of ``recv`` they name have
        under ``attr``, a few calls deep; a call of a func field (``r.cancel()``) fires _CTX."""
        out, todo, seen = set(), list(entries), set()
        for _ in range(_DEPTH):
            nxt = []
            for e in todo:
                if not e.endswith("()"):
                    out.add(e)
                elif e not in seen:
                    seen.add(e)
                    m = methods.get((recv, e[:-2]))
                    nxt += getattr(m, attr) if m is not None else [_CTX] if attr == "fires" else []
            todo = nxt
        return out

    def stop(typ: str, fired) -> tuple[str, bool] | None:
        """The stop method of ``typ`` whose fires (followed through its calls) satisfy ``fired``."""
        for name in STOPS:
            m = methods.get((typ, name))
            if m is not None and fired(closure(typ, m.fires, "fires")):
                return name, m.plain and name in ("Close", "Stop")
        return None

    found: dict[str, Owner] = {}
    counts: dict[str, int] = {}
    for f in functions:
        counts[f.name] = counts.get(f.name, 0) + (not f.recv)
    own = [f for f in functions if not f.recv and f.owning.result and counts[f.name] == 1 and not f.path.endswith("_test.go")]
    for f in own:
        typ = f.owning.result
        for loop in f.owning.starts:
            m = methods.get((typ, loop))
            waits = closure(typ, m.waits, "reads") if m is not None and m.waits else set()
            s = stop(typ, lambda fired, waits=waits: bool(fired & waits)) if waits else None
            if s is not None:
                found[f.name] = Owner(typ, s[0], f"{typ}.{loop}", s[1], tuple(sorted(fluent.get(typ, ()))))
                break
    for _ in range(_DEPTH):
        grown = {}
        for f in own:
            if f.name in found:
                continue
            for path, callee in f.owning.built:
                inner = found.get(callee) or (imported or {}).get(callee)
                got = inner and _through(f.owning.result, path, inner, stop, methods, tuple(sorted(fluent.get(f.owning.result, ()))))
                if got:
                    grown[f.name] = got
                    break
        if not grown:
            break
        found.update(grown)
    return found


def _through(result: str, path, inner: Owner, stop, methods, fluent: tuple[str, ...]) -> Owner | None:
    """The owner a value of type ``result`` is when the field ``path`` leads to holds
    ``inner``'s value: each type on the way, innermost first, stops the field it holds
    with its own stop method, or promotes the stop method of an embedded field."""
    if not path:
        return inner if inner.type == result else None
    path = tuple((typ or result, field) for typ, field in path)  # "": the returned variable's type
    if path[0][0] != result:
        return None
    method, plain = inner.stop, inner.plain
    for typ, field in reversed(path):
        own = stop(typ, lambda fired, field=field, method=method: f"{field}.{method}" in fired)
        if own is not None:
            method, plain = own
        elif not any(t == field for t, _ in methods) or any((typ, s) in methods for s in STOPS):
            return None  # only an embedded field (named after its type) promotes its stop method
    return Owner(result, method, inner.loop, plain, fluent)
