"""The reverse index: who in the module calls a package's functions, and with what context.

Facts flow forward (facts.imports: a package lends its importers its makers and launchers);
this is the other direction. Each file's facts keep its declarations with a context
parameter (``contexts_of``). A package asks only about those names: each of its files, and
each of the module's files that import it, yields FileCalls of them (``calls_of``; cached by
the file's bytes and the names): its calls that pass a context nothing cancels
(analysis.never_done, never_cancelled) or the calling function's own context parameter, and
its other calls and value uses of the names. Only the names' occurrences in the bytes are
looked at, so a file's other calls cost nothing; the names come from the package's bytes
before any parse (``declared_names``). The package's facts merge these and answer "is this
context parameter ever given a live one?" (``dead_contexts``): a select on such a context
would never fire.

Unknown always means "may be live": no call at all, a use as a value, a call that passes
anything else, a caller's parameter whose own callers are out of reach (in another package).
Methods are matched by name, as types are not read: a call of any method of that name, in
the package or in a file importing it, counts as a call of each.

Everything here is plain, immutable data: it crosses process boundaries and the cache.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass

from tree_sitter import Node

from . import analysis as a
from .source import SourceFile

_DEPTH = 3  # how many calls up a parameter handed on is followed (analysis.never_given_a_live_one's)
# an argument that may be a context: others are live (a value-adding wrapper of a local,
# ``WithNamespace(bg, ns)``, is read as live too)
_CONTEXTISH = re.compile(rb"(?i)ctx|context")
_DEAD_MAKER = re.compile(rb"Background\(|TODO\(|WithoutCancel\(")  # what analysis.NEVER_DONE calls


@dataclass(frozen=True)
class Call:
    """A call that passes a context nothing cancels, or the caller's own context parameter."""

    path: str  # the callee's import path; "" for ``f(...)`` of the file's package or a method
    name: str
    method: bool  # ``x.name(...)`` on a value: matched by name
    line: int
    dead: tuple[int, ...]  # argument positions given a context nothing cancels
    through: tuple[tuple[int, int], ...]  # (argument position, the caller's parameter position) handed on
    caller: tuple[str, str] = ("", "")  # (name, receiver type) of the declaration it is written in


@dataclass(frozen=True)
class FileCalls:
    """A file's calls of the names a package asks about (``names`` of calls_of)."""

    path: str  # absolute
    package: str
    calls: tuple[Call, ...]
    # (path, name, method) called with nothing of the above, or used as a value (``register(F)``,
    # ``x := s.Run``): whoever calls them may pass anything
    plain: tuple[tuple[str, str, bool], ...]
    values: tuple[tuple[str, str, bool], ...]
    # names every call of which in this file ranges over the channel it returns until it is
    # closed (analysis.drained_result): with no other use anywhere, its feeder is never stranded
    drains: tuple[tuple[str, str, bool], ...] = ()

    @property
    def test(self) -> bool:
        return self.path.endswith("_test.go")


# (name, recv, context parameter positions, whether its body holds a function literal or a
# loop) of a file's declarations with a context parameter (FileFacts.contexts): only where
# a goroutine or a loop may watch a context is the question asked, of the function or of
# one handing it its context
Declared = tuple[str, str, tuple[int, ...], bool]


def contexts_of(sf: SourceFile) -> tuple[Declared, ...]:
    """The file's declarations with a context parameter (see Declared)."""
    handed = _Params(sf)
    out = []
    for d in handed.decls:
        key = a.function_key(sf, d)
        params = handed.contexts(d)[0] if key is not None else None
        if params:
            watches = next(a.of_type(d, "func_literal", "for_statement"), None) is not None
            out.append((*key, tuple(sorted(params.values())), watches))
    return tuple(out)


# A name as a whole word of the source: Go identifiers may hold any letter (UTF-8 bytes)
_WORD = re.compile(rb"[\w\x80-\xff]")
# a function or method declaration: its name and its parameters (a receiver may hold
# parentheses one level deep, parameters two, type parameters brackets one)
_FUNC = re.compile(rb"func\s*(?:\((?:[^()]|\([^()]*\))*\)\s*)?([A-Za-z_\x80-\xff][\w\x80-\xff]*)\s*"
                   rb"(?:\[(?:[^\[\]]|\[[^\[\]]*\])*\]\s*)?\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)")


def declared_names(datas) -> frozenset[str]:
    """The names declared in these files' bytes as functions or methods whose parameters
    mention ``.Context``, read before any parse: what calls_of is asked to keep for a
    package. A superset of the names contexts_of finds unless a declaration is laid out as
    no one writes Go (a comment before its name, deeper parentheses); callers check it
    (engine._merge_facts)."""
    return frozenset(m.group(1).decode("utf-8", "replace") for data in datas if b".Context" in data
                     for m in _FUNC.finditer(data) if b".Context" in m.group(2))


def calls_of(sf: SourceFile, abspath: str, names: frozenset[str]) -> FileCalls:
    """The file's calls of ``names`` (called as ``f(...)``, ``pkg.f(...)`` or ``x.f(...)``)
    and their uses as values, as the reverse index keeps them (see FileCalls). Only the
    names' occurrences in the bytes are looked at: a package asks about its own
    declarations with a context parameter, a few percent of a file's calls."""
    calls: list[Node] = []
    plain: set[tuple[str, str, bool]] = set()
    values: set[tuple[str, str, bool]] = set()
    for node in _occurrences(sf, names):
        parent = node.parent
        if node.type == "field_identifier":
            if parent.type != "selector_expression" or parent.child_by_field_name("field") != node:
                continue
            node, parent = parent, parent.parent
            if not (parent.type == "call_expression" and parent.child_by_field_name("function") == node):
                values.add(_key(sf, node))  # ``x := s.Run``
                continue
        elif parent.type != "call_expression" or parent.child_by_field_name("function") != node:
            if _holder(parent.parent) == parent:
                values.add(("", sf.text(node), False))  # ``register(F)``
            continue
        calls.append(parent)
    a.by_position(calls)
    handed = _Params(sf)
    # a test's calls are not read for their contexts (all "may be live"): only service code
    # answers for service code, and a Ginkgo suite's thousand calls of one `ctx` cost more
    # than the parse (go-redis)
    test = abspath.endswith("_test.go")
    found: list[Call] = []
    for call in calls:
        key = _key(sf, call.child_by_field_name("function"))
        holder = call.child_by_field_name("arguments")
        if test or holder is None or not _CONTEXTISH.search(sf.data, holder.start_byte, holder.end_byte):
            plain.add(key)  # most calls: one search of their arguments' bytes
            continue
        dead, through = [], []
        for i, arg in enumerate(a.arguments(call)):
            arg = a.unparen(arg)
            if not _CONTEXTISH.search(sf.data, arg.start_byte, arg.end_byte):
                continue
            if a.never_done(sf, arg, call) or (
                    arg.type in ("identifier", "selector_expression") and handed.may_hold_dead(call, arg)
                    and handed.never_cancelled(arg, call)):
                dead.append(i)
            elif (j := handed.position(arg, call)) is not None:
                through.append((i, j))
        if dead or through:
            decl = handed.declaration(call)
            found.append(Call(*key, sf.line_col(call.start_byte)[0], tuple(dead), tuple(through),
                              a.function_key(sf, decl) if through else ("", "")))
        else:
            plain.add(key)
    drained: dict[tuple[str, str, bool], bool] = {}
    for call in calls:
        key = _key(sf, call.child_by_field_name("function"))
        drained[key] = drained.get(key, True) and a.drained_result(sf, call)
    return FileCalls(abspath, sf.package_name, tuple(found), tuple(sorted(plain)), tuple(sorted(values)),
                     tuple(sorted(k for k, d in drained.items() if d and k is not None)))


def _occurrences(sf: SourceFile, names: frozenset[str]):
    """The identifiers and field names of the file's tree spelled as one of ``names``."""
    data, root = sf.data, sf.root
    for i, j in _spans(data, names):
        node = root.named_descendant_for_byte_range(i, j)
        if node is not None and node.start_byte == i and node.end_byte == j and node.type in ("identifier", "field_identifier"):
            yield node


# Above this many names one pass over a file's words costs less than a search per name
# (go-redis: 946 command methods with a ctx, 7 times less)
_MANY_NAMES = 64
_IDENT = re.compile(rb"[A-Za-z_\x80-\xff][\w\x80-\xff]*")


def _spans(data: bytes, names: frozenset[str]):
    """Where ``names`` occur in ``data`` as whole words."""
    if len(names) > _MANY_NAMES:
        wanted = {n.encode() for n in names}
        yield from (m.span() for m in _IDENT.finditer(data) if m.group() in wanted)
        return
    for name in names:
        token = name.encode()
        i = data.find(token)
        while i >= 0:
            j = i + len(token)
            if not (i and _WORD.match(data, i - 1)) and not _WORD.match(data, j):
                yield i, j
            i = data.find(token, j)


def _key(sf: SourceFile, fn: Node | None) -> tuple[str, str, bool] | None:
    """(import path, name, method) that a call's function (or a selector) names."""
    if fn is None:
        return None
    if fn.type == "identifier":
        return "", sf.text(fn), False
    if fn.type != "selector_expression":
        return None
    operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    path = sf.imports.get(sf.text(operand)) if operand is not None and operand.type == "identifier" else None
    return (path, sf.text(field), False) if path is not None else ("", sf.text(field), True)


def _holder(n: Node | None) -> Node | None:
    """Where ``n`` holds the values it may hand a function to, as plain names: a call's
    arguments, an assignment's right-hand side, a var's values, the returned values (a
    composite literal's element is not read: ``{Run: F}`` escapes the index)."""
    if n is None:
        return None
    if n.type == "call_expression":
        return n.child_by_field_name("arguments")
    if n.type == "return_statement":
        return n.named_children[0] if n.named_children else None
    if n.type in ("assignment_statement", "short_var_declaration"):
        return n.child_by_field_name("right")
    return n.child_by_field_name("value") if n.type == "var_spec" else None


class _Params:
    """The context parameters of the file's declarations, and whether a call hands one on."""

    def __init__(self, sf: SourceFile) -> None:
        self.sf = sf
        self.decls = [fn for fn in sf.root.named_children if fn.type in ("function_declaration", "method_declaration")]
        self.starts = [d.start_byte for d in self.decls]
        self.memo: dict[int, tuple[dict[str, int], set[str]]] = {}
        self.dead_makers: dict[tuple[int, int], bool] = {}
        self.locals: dict[tuple[int, str], tuple[Node, bool | None] | None] = {}
        self.shadows: dict[tuple[int, str], bool] = {}  # (declaration, name): declared again inside it

    def declaration(self, node: Node) -> Node | None:
        i = bisect.bisect_right(self.starts, node.start_byte) - 1
        return self.decls[i] if i >= 0 and node.end_byte <= self.decls[i].end_byte else None

    def may_hold_dead(self, call: Node, arg: Node) -> bool:
        """Whether a local (or field) ``arg`` could hold a context nothing cancels: its
        declaration (the file, for a field) makes one somewhere. Most calls pass a ``ctx``
        and asking never_cancelled of each cost more than the parse on go-redis."""
        decl = self.declaration(call) if arg.type == "identifier" else None
        span = (decl.start_byte, decl.end_byte) if decl is not None else (0, len(self.sf.data))
        if span not in self.dead_makers:
            self.dead_makers[span] = _DEAD_MAKER.search(self.sf.data, *span) is not None
        return self.dead_makers[span]

    def never_cancelled(self, arg: Node, call: Node) -> bool:
        """analysis.never_cancelled of ``arg`` at ``call``, answered once per local that its
        function declares once (``ctx := context.Background()`` atop a test of a thousand
        calls): asked per call, it read the function's assignments each time."""
        sf, name = self.sf, self.sf.text(arg)
        decl = self.declaration(call) if arg.type == "identifier" else None
        if decl is None:
            return a.never_cancelled(sf, a.Cancellation(name, "context"), call)
        if (decl.id, name) not in self.locals:
            made = [d for d in a.of_type(a.body(decl), "short_var_declaration")
                    if name in (sf.text(n) for n in a.left_names(d))]
            self.locals[decl.id, name] = (made[0], None) if len(made) == 1 else None
        once = self.locals[decl.id, name]
        if once is None or once[0].end_byte > call.start_byte or not a.is_within(call, once[0].parent):
            return a.never_cancelled(sf, a.Cancellation(name, "context"), call)
        if once[1] is None:
            self.locals[decl.id, name] = once = (once[0], a.never_cancelled(sf, a.Cancellation(name, "context"), call))
        return once[1]

    def contexts(self, decl: Node) -> tuple[dict[str, int], set[str]]:
        """The declaration's context parameters (name: position) and the names it assigns."""
        sf = self.sf
        if decl.id not in self.memo:
            params = {name: i for i, (name, typ) in enumerate(_params(sf, decl))
                      if name and typ is not None and typ.type == "qualified_type" and sf.text(typ).endswith(".Context")
                      and a.signal_kind(sf, name, typ) == "context"}
            body = a.body(decl)
            assigned = {sf.text(n) for st in a.of_type(body, "assignment_statement") for n in a.left_names(st)} \
                if params and body is not None else set()
            self.memo[decl.id] = params, assigned
        return self.memo[decl.id]

    def position(self, arg: Node, call: Node) -> int | None:
        """The position of the declaration's context parameter ``arg`` names, when it is that
        parameter at ``call`` (no closure's parameter or local shadows it) and the
        declaration never assigns it (``ctx = withTimeout(ctx)``)."""
        sf = self.sf
        decl = self.declaration(call) if arg.type == "identifier" else None
        if decl is None:
            return None
        params, assigned = self.contexts(decl)
        name = sf.text(arg)
        if name not in params or name in assigned:
            return None
        if (decl.id, name) not in self.shadows:
            # most declarations never declare their context's name again: then nothing
            # inside shadows it, and no call needs the scope walk below
            self.shadows[decl.id, name] = any(
                a.declares(sf, n, name) if n.type != "func_literal" else a.params_declare(sf, n, name)
                for n in a.of_type(a.body(decl), "short_var_declaration", "var_declaration", "func_literal"))
        if not self.shadows[decl.id, name]:
            return params[name]
        if a.local_declaration(sf, name, call) is not None:
            return None
        nearest = next((f for f in a.ancestors(call) if f.type in a.FUNCTION_TYPES and a.params_declare(sf, f, name)), None)
        return params[name] if nearest == decl else None


def _params(sf: SourceFile, fn: Node) -> list[tuple[str, Node | None]]:
    """(name, type) of ``fn``'s parameters in order ("" for an unnamed one)."""
    out = []
    for p in fn.child_by_field_name("parameters").named_children:
        if p.type in ("parameter_declaration", "variadic_parameter_declaration"):
            typ = p.child_by_field_name("type")
            out += [(sf.text(n), typ) for n in p.children_by_field_name("name")] or [("", typ)]
    return out


def watched(files, own: list[FileCalls], package: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The exported functions and methods of ``package`` with a context parameter that a
    goroutine or loop may watch (see Declared), in its body or in a function of the package
    it hands the context to (a few calls down): the names whose calls in other packages
    matter, as (functions, methods). ``files``: the directory's (FileFacts: their path,
    package and contexts); ``own``: their calls."""
    hot = {(name, recv) for ff in files if ff.package == package and not ff.path.endswith("_test.go")
           for name, recv, _, watches in ff.contexts if watches}
    for _ in range(_DEPTH):
        # calls are matched by name: a method call may be any receiver's
        grown = {c.caller for fc in own if fc.package == package for c in fc.calls if c.through
                 and any(name == c.name and (bool(recv) == c.method) for name, recv in hot)} - hot
        if not grown:
            break
        hot |= grown
    exported = sorted({(name, recv) for name, recv in hot if name[:1].isupper()})
    return tuple(n for n, r in exported if not r), tuple(sorted({n for n, r in exported if r}))


# ---------------------------------------------------------------------------- the answer


@dataclass(frozen=True)
class DeadContext:
    """A context parameter every call in the module fills with a context nothing cancels."""

    package: str
    name: str
    recv: str
    position: int
    sites: tuple[str, ...]  # where it is called: module-relative path:line, a few


def dead_contexts(package: str, import_path: str, root: str, targets, own: list[FileCalls],
                  importers: list[FileCalls]) -> tuple[DeadContext, ...]:
    """The context parameters of ``targets`` ((name, recv, positions, declared in a test
    file) of package ``package``, import path ``import_path``) that every call passes a
    context nothing cancels, directly or through a caller's own parameter (``_DEPTH`` calls
    up, within the package). ``own``: the FileCalls of the package's directory;
    ``importers``: those of the module's files that import it (``root``: the module's)."""
    files = own + importers
    mine = {id(f) for f in own}
    declared = {(name, recv): test for name, recv, _, test in targets}
    memo: dict[tuple[str, str, int, int], tuple[str, ...] | None] = {}
    # by name, once: asked per target, a scan of every file's names was quadratic
    values: dict[str, list[tuple[FileCalls, str, bool]]] = {}
    plains: dict[str, list[tuple[FileCalls, str, bool]]] = {}
    calls: dict[str, list[tuple[FileCalls, Call]]] = {}
    for f in files:
        for into, keys in ((values, f.values), (plains, f.plain)):
            for p, n, m in keys:
                into.setdefault(n, []).append((f, p, m))
        for c in f.calls:
            calls.setdefault(c.name, []).append((f, c))

    def matches(f: FileCalls, path: str, method: bool, recv: str) -> bool:
        if recv:
            return method
        return not method and (path == import_path or (path == "" and f.package == package and id(f) in mine))

    def dead(name: str, recv: str, pos: int, depth: int) -> tuple[str, ...] | None:
        key = (name, recv, pos, depth)
        if key not in memo:
            memo[key] = None  # a cycle is unknown
            memo[key] = _dead(name, recv, pos, depth) if depth >= 0 and (name, recv) in declared else None
        return memo[key]

    def _dead(name: str, recv: str, pos: int, depth: int) -> tuple[str, ...] | None:
        if any(matches(f, p, m, recv) for f, p, m in values.get(name, ())):
            return None
        found = [(f, c) for f, c in calls.get(name, ()) if matches(f, c.path, c.method, recv)]
        plain = [f for f, p, m in plains.get(name, ()) if matches(f, p, m, recv)]
        # the service's own calls decide (see never_given_a_live_one); unlike a function of
        # one file, one the module's tests alone call is not answered from them: its real
        # callers may be out of view (nomad's drivers' Fingerprint, an RPC server's through
        # an interface, tests with context.Background())
        if not declared[(name, recv)]:
            found, plain = [(f, c) for f, c in found if not f.test], [f for f in plain if not f.test]
        if not found or plain:
            return None
        sites: list[str] = []  # where the dead contexts are made: a call here, or its callers'
        for f, c in found:
            up = next((j for i, j in c.through if i == pos), None)
            if pos in c.dead:
                sites.append(f"{os.path.relpath(f.path, root)}:{c.line}")
                continue
            above = dead(*c.caller, up, depth - 1) if up is not None and id(f) in mine and f.package == package else None
            if above is None:
                return None
            sites += above
        return tuple(dict.fromkeys(sites))

    out = []
    for name, recv, positions, _ in targets:
        for pos in positions:
            sites = dead(name, recv, pos, _DEPTH)
            if sites:
                out.append(DeadContext(package, name, recv, pos, sites))
    return tuple(out)
