"""Package facts: what a rule looking at one file may know about the rest of its package.

After go/analysis's Facts: each file yields FileFacts from its own syntax alone (cached by
the file's bytes), and the FileFacts of a package directory merge into PackageFacts, where
what crosses functions and files is resolved (a function is long-lived when it loops until
shutdown itself or calls one that does). Rules that declare ``needs_package`` get the
PackageFacts of their file's package on ``Pass.package``; a file's cached result is keyed
by the facts' digest, so a change elsewhere in the package that changes what a rule could
know invalidates it, and no other change does.

Everything here is plain, immutable data: it crosses process boundaries and the cache.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import os
import pickle
import re
from dataclasses import dataclass

from tree_sitter import Node

from . import analysis as a, gomod
from .callers import DeadContext, Declared, FileCalls, contexts_of, dead_contexts, watched
from .model import owners as model_owners, summary as model_summary
from .model.index import PackageIndex
from .model.summary import EMPTY, StructFacts, Summary
from .source import SourceFile

# A function's own loops, by how long they run (see FuncFacts.loop).
FOREVER = "forever"  # an endless loop nothing leaves, or a range over a ticker's channel
UNTIL_SIGNAL = "until-signal"  # an endless loop left only on a stop signal (ctx, done channel)
SERVES = "serves"  # an endless loop accepting connections: it lives as long as the listener
DRAINS = "drains"  # a range over a channel that is not the function's own: lives as long as it
LONG_LIVED_LOOPS = (FOREVER, UNTIL_SIGNAL, SERVES, DRAINS)

_MAX_DEPTH = 4  # how deep calls are followed to decide a function's lifetime


@dataclass(frozen=True)
class FuncFacts:
    """One function or method declaration, as far as its own body tells."""

    name: str
    recv: str  # receiver type name; "" for a function
    package: str  # the package clause of its file
    path: str  # absolute path of the declaring file
    line: int
    loop: str  # its longest-running own loop: one of LONG_LIVED_LOOPS, or "" (none)
    calls: tuple[str, ...]  # names it calls directly, outside goroutines and closures (f(), x.m())
    go_params: tuple[int, ...]  # positions of func parameters it runs on a goroutine (a launcher)
    sends_on: tuple[str, ...] = ()  # fields it sends on itself (``x.results <- v``: "results")
    summary: Summary = EMPTY  # its goroutines and channels (gofixleaks.model)
    # Handles (analysis.handles): which of its `results` is a cancel func returned beside a
    # context (-1: none), and the parameters it only borrows (a timer it merely Resets)
    cancel_result: int = -1
    results: int = 0
    borrows: tuple[int, ...] = ()
    # Timers kept in fields: fields it stores a time.AfterFunc timer in ("f", "f[]" for a
    # map), fields it reads in a way that may stop one, methods it hands to time.AfterFunc
    timer_fields: tuple[str, ...] = ()
    field_reads: tuple[str, ...] = ()
    callbacks: tuple[str, ...] = ()
    # Package main only, where every caller is in view (PackageFacts.runs_once): names it
    # calls or starts with `go` once, outside loops and literals (`if err := run(); ...`),
    # and every other identifier it uses (a second call, a value, a loop's)
    calls_once: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    # A method's own receiver's locks (lock-reentered), each named by its path below the
    # receiver ("mu" for ``s.mu``, "" for a mutex the type embeds): the ones its body takes
    # (Lock, RLock) at its top level before anything touches them or an `if` reads a lock
    # state (line of the Lock); every one it locks, unlocks or tries anywhere; its calls on
    # its own receiver (method, line) outside literals and `go`, not under such an `if` nor
    # under or after (returning) an `if` that reads its parameters;
    # whether it runs holding its caller's lock (named ...Locked, or its doc says so); and
    # for each func literal it returns (result position), that literal's calls on the
    # receiver and the locks it touches
    takes: tuple[tuple[str, str, int], ...] = ()
    touches: tuple[str, ...] = ()
    self_calls: tuple[tuple[str, int], ...] = ()
    expects_lock: bool = False
    returned: tuple[tuple[int, tuple[tuple[str, int], ...], tuple[str, ...]], ...] = ()
    owning: model_owners.Owning = model_owners.NONE  # goroutine-owning values it makes or stops (model/owners.py)
    hands_out: tuple[str, ...] = ()  # unexported fields whose value it hands on (model.summary.handed_fields)
    # unexported stop-like names its body's text names (model.owners.stop_mentions): whether
    # anything calls or hands on a package's unexported stop method
    mentions: tuple[str, ...] = ()
    no_exit: bool = False  # one of its own FOREVER loops has no return, goto or break out of it at all


@dataclass(frozen=True)
class FileFacts:
    path: str
    package: str
    functions: tuple[FuncFacts, ...]
    # struct fields declared in the file: (struct, field, kind), the kind as values.type_kind
    # says ("int", "collection", "chan"), "context" for a context.Context, "signal" for a
    # done/stop/quit chan struct{}, or "" when the type says nothing
    fields: tuple[tuple[str, str, str], ...] = ()
    structs: tuple[StructFacts, ...] = ()  # struct types with context, channel or cancel fields
    # Constant durations (analysis.handles' Term): (name, term, is a variable) of package-level
    # consts and vars with a term value; variables its functions may write (("", name), or
    # (import path, name) of another package), which are not constants then; other packages'
    # names it may ask about ((import path, name): a context maker called, a timeout passed
    # to a context)
    durations: tuple[tuple[str, a.Term, bool], ...] = ()
    writes: tuple[tuple[str, str], ...] = ()
    wants: tuple[tuple[str, str], ...] = ()
    checks_leaks: bool = False  # a test file that runs a goroutine-leak check (analysis.checks_leaks)
    contexts: tuple[Declared, ...] = ()  # its declarations with a context parameter (callers.py)
    # package-level channels: the unexported ones it declares with a make, the plain names it
    # closes and those it hands on (model.summary.package_channels, passed_names)
    chans: tuple[str, ...] = ()
    closes: tuple[str, ...] = ()
    hands_out: tuple[str, ...] = ()
    # unexported fields it fills, and types it builds without keys (model.summary.field_fills)
    fills: tuple[str, ...] = ()
    positional: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exports:
    """What a package of the same module lends the package importing it, as far as it asks
    (FileFacts.wants): exported context makers, exported constant durations, and launchers."""

    path: str  # import path
    makers: tuple[tuple[str, int, int], ...]  # (function, position of the cancel func, number of results)
    durations: tuple[tuple[str, float], ...]  # (name, nanoseconds)
    launchers: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (function, positions it runs on goroutines)
    owners: tuple[tuple[str, model_owners.Owner], ...] = ()  # (function, the goroutine-owning value it makes)


@dataclass(frozen=True)
class PackageFacts:
    """The facts of one directory's Go files (several packages when `x_test` files sit beside
    `x`'s; look-ups take the package name)."""

    directory: str
    functions: tuple[FuncFacts, ...]
    long_lived: frozenset[tuple[str, str, str]]  # (package, name, recv) of long-lived functions
    digest: str  # of everything: part of the cache key of each file's result
    structs: tuple[tuple[str, StructFacts], ...] = ()  # (package, struct)
    fields: tuple[tuple[str, str, str], ...] = ()  # (struct, field, kind) of every struct field, sorted
    launchers_config: tuple[str, ...] = ()  # the `launchers` config key: other modules' launchers
    durations: tuple[tuple[str, str, a.Term], ...] = ()  # (package, name, term) of constants nobody writes
    imported: tuple[Exports, ...] = ()  # what same-module packages imported here lend it
    checks_leaks: bool = False  # its tests run a goroutine-leak check (goleak, leakcheck...)
    # context parameters every call in the module (its files, and the module's files that
    # import it) fills with a context nothing cancels (callers.py)
    dead_contexts: tuple[DeadContext, ...] = ()
    # (package, name, method) of unexported functions whose every use in the package is a
    # call whose returned channel is ranged over until it is closed (callers.FileCalls.drains)
    drained: frozenset[tuple[str, str, bool]] = frozenset()
    # (package, name) of unexported package-level channels made where declared that no file
    # of the directory writes, closes or hands on (model.index.own_channel)
    own_chans: frozenset[tuple[str, str]] = frozenset()
    # unexported field names some file of the directory fills (FileFacts.fills), and the
    # types some file builds without keys ("*": one whose type cannot be told), by name alone
    filled: frozenset[str] = frozenset()
    positional: frozenset[str] = frozenset()

    @functools.cached_property
    def model(self) -> PackageIndex:
        """The package's goroutine and channel model: cross-function questions (model/index.py)."""
        return PackageIndex(self)

    def __getstate__(self) -> dict:
        # the model and the look-up memos are rebuilt where they are asked
        return {k: v for k, v in self.__dict__.items() if k not in ("model", "_by_name", "_per_package")}

    def never_live(self, package: str, name: str, recv: str, position: int) -> tuple[str, ...] | None:
        """Where the module calls function (or method) ``name`` when every call passes for
        its parameter ``position`` a context nothing cancels (module-relative path:line),
        else None: a call that may pass a live one, a use as a value, or no call at all."""
        return next((d.sites for d in self.dead_contexts
                     if (d.package, d.name, d.recv, d.position) == (package, name, recv, position)), None)

    def declarations(self, package: str, name: str, recv: str | None = "") -> tuple[FuncFacts, ...]:
        """Declarations of ``name`` (several under build tags); ``recv`` None: a method of any
        receiver (the receiver's type could not be told)."""
        return tuple(f for f in self._by_name.get((package, name), ()) if (recv is None and f.recv or f.recv == recv))

    @functools.cached_property
    def _by_name(self) -> dict[tuple[str, str], list[FuncFacts]]:
        """Rules ask per finding: a scan of every function each time was quadratic."""
        out: dict[tuple[str, str], list[FuncFacts]] = {}
        for f in self.functions:
            out.setdefault((f.package, f.name), []).append(f)
        return out

    def is_long_lived(self, package: str, name: str, recv: str | None = "") -> bool:
        """Whether a goroutine running this function lives until shutdown (it loops until a
        stop signal, forever, serves a listener or drains a channel it was given, itself or
        through what it calls). Any declaration counts: build tags may pick any of them."""
        return any((f.package, f.name, f.recv) in self.long_lived for f in self.declarations(package, name, recv))

    def runs_once(self, package: str, name: str) -> bool:
        """Whether function ``name`` of package main runs once per program at most: it is
        ``main``, or the one use of its name in the package is a call (or ``go``), in no
        loop, by a function that runs once (a few calls deep). Its callers are all in view:
        no other package can call into main."""
        for _ in range(_MAX_DEPTH):
            if package != "main" or name == "main":
                return package == "main"
            users = [f for f in self.functions if f.package == package and (name in f.other_names or name in f.calls_once)]
            if len(users) != 1 or users[0].recv or name not in users[0].calls_once:
                return False
            name = users[0].name
        return False

    def sends_on(self, package: str, name: str, recv: str | None = "") -> frozenset[str]:
        """Fields (by name) that a call of this function may send on: its own sends, and
        those of the package's functions it calls (a bounded depth)."""
        out: set[str] = set()
        todo, seen = list(self.declarations(package, name, recv)), set()
        for _ in range(_MAX_DEPTH):
            nxt = []
            for f in todo:
                if (f.name, f.recv) in seen:
                    continue
                seen.add((f.name, f.recv))
                out.update(f.sends_on)
                nxt += [g for c in f.calls for g in self._by_name.get((package, c), ())]
            todo = nxt
        return frozenset(out)

    def field_kind(self, name: str) -> str | None:
        """The kind of every struct field of the package called ``name``, when they agree
        (types are not checked: a field is known by its name)."""
        kinds = {k for _, f, k in self.fields if f == name}
        return kinds.pop() if len(kinds) == 1 and "" not in kinds else None

    def signal_fields(self, struct: str) -> tuple[tuple[str, str], ...]:
        """(field, "context" | "signal") of struct ``struct``'s stop signals: its
        context.Context fields and done/stop/quit ``chan struct{}`` fields."""
        return tuple((f, k) for s, f, k in self.fields if s == struct and k in ("context", "signal"))

    @functools.cached_property
    def _per_package(self) -> dict[tuple[str, str], frozenset[str] | dict[tuple[str, bool], tuple[int, int]]]:
        """Answers about a whole package, asked once per file of it: memoised here, as
        computing them per file made a package's cost quadratic in its size."""
        return {}

    def _memo(self, question: str, package: str, compute):
        key = (question, package)
        if key not in self._per_package:
            self._per_package[key] = compute([f for f in self.functions if f.package == package])
        return self._per_package[key]

    def cancel_makers(self, package: str) -> dict[tuple[str, bool], tuple[int, int]]:
        """The functions (``(name, False)``) and methods (``(name, True)``, any receiver) of
        ``package`` that return a context with its cancel func, with (position of the cancel
        func, number of results); a name whose declarations disagree is left out. The dict
        is shared between callers: read it, never change it."""
        return self._memo("cancel_makers", package, _cancel_makers)

    def imported_maker(self, path: str, name: str) -> tuple[int, int] | None:
        """(position of the cancel func, number of results) when function ``name`` of the
        same-module package ``path`` returns a context with its cancel func."""
        return next((m[1:] for e in self.imported if e.path == path for m in e.makers if m[0] == name), None)

    def duration(self, package: str, term: a.Term | None) -> float | None:
        """The nanoseconds of a Term of a file of ``package`` (analysis.duration_term): its
        names resolved through the package's constants and never-written variables, and the
        exported ones of same-module packages it imports; None when one is unknown."""
        own = {f"={name}": t for pkg, name, t in self.durations if pkg == package}
        ext = {f"{e.path}:{name}": (repr(ns),) for e in self.imported for name, ns in e.durations}

        def lookup(token: str) -> a.Term | None:
            return own.get(token) or ext.get(token)

        return a.duration_value(term, lookup)

    def borrows(self, package: str, name: str, recv: str | None, position: int) -> bool:
        """Whether every declaration of the function only borrows its parameter ``position``."""
        found = self.declarations(package, name, recv)
        return bool(found) and all(position in f.borrows for f in found)

    def has_method(self, package: str, recv: str, names: tuple[str, ...]) -> str | None:
        """The first of ``names`` that type ``recv`` has a method of."""
        return next((n for n in names if self.declarations(package, n, recv)), None)

    def timer_fields(self, package: str) -> frozenset[str]:
        """Fields some function of ``package`` stores a time.AfterFunc timer in (``f``, or
        ``f[]`` for the elements of a map)."""
        return self._memo("timer_fields", package, lambda fs: frozenset(x for f in fs for x in f.timer_fields))

    def field_reads(self, package: str) -> frozenset[str]:
        """Fields some function of ``package`` reads in a way that may stop a timer kept
        there (anything but assigning it, comparing it with nil, re-arming it)."""
        return self._memo("field_reads", package, lambda fs: frozenset(x for f in fs for x in f.field_reads))

    def callbacks(self, package: str) -> frozenset[str]:
        """Methods handed to time.AfterFunc somewhere in ``package``."""
        return self._memo("callbacks", package, lambda fs: frozenset(x for f in fs for x in f.callbacks))

    def owner_makers(self, package: str) -> dict[str, model_owners.Owner]:
        """Functions whose result owns a goroutine until a stop method of its own
        (model/owners.py): ``package``'s by name, and those of the same-module packages it
        imports by ``path:Name``. Shared between callers: read it, never change it."""
        def compute(functions):
            imported = {f"{e.path}:{name}": o for e in self.imported for name, o in e.owners}
            return {**imported, **model_owners.makers(functions, imported)}
        return self._memo("owner_makers", package, compute)

    def launchers(self, package: str) -> dict[str, tuple[int, ...]]:
        """Functions of ``package`` that run a func argument on a goroutine, with the argument
        positions (``safe.Go(f)``, ``RunDaemon(name, f)``)."""
        return {f.name: f.go_params for f in self.functions if f.package == package and not f.recv and f.go_params}



def _cancel_makers(functions: list[FuncFacts]) -> dict[tuple[str, bool], tuple[int, int]]:
    found: dict[tuple[str, bool], set[tuple[int, int]]] = {}
    for f in functions:
        found.setdefault((f.name, bool(f.recv)), set()).add((f.cancel_result, f.results))
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1 and next(iter(v))[0] >= 0}


# ---------------------------------------------------------------------------- one file


def file_facts(sf: SourceFile, abspath: str) -> FileFacts:
    """The file's facts."""
    package = sf.package_name
    contexts = contexts_of(sf)
    decls = [(fn, a.function_key(sf, fn)) for fn in sf.root.named_children]
    decls = [(fn, key) for fn, key in decls if key is not None and a.body(fn) is not None]
    if not decls:
        return FileFacts(abspath, package, (), _struct_fields(sf), model_summary.structs(sf), *_constants(sf, []),
                         checks_leaks=a.checks_leaks(sf), contexts=contexts, **_channels(sf))
    # one whole-file query per node kind (cached per tree), split among the declarations by
    # position: a query per function body cost more than the parse on real services
    starts = [fn.start_byte for fn, _ in decls]
    own = _OwnNodes(sf)
    loops: list[list[Node]] = [[] for _ in decls]
    in_decl: list[list[Node]] = [[] for _ in decls]
    sends: list[list[Node]] = [[] for _ in decls]  # closures and goroutines included
    for kind, buckets in (("for_statement", loops), ("call_expression", in_decl), ("send_statement", sends)):
        for n in a.of_type(sf.root, kind):
            i = bisect.bisect_right(starts, n.start_byte) - 1
            if i >= 0 and n.end_byte <= decls[i][0].end_byte and (kind == "send_statement" or own.outside_literals(n)):
                buckets[i].append(n)
    summaries = model_summary.summaries(sf, [fn for fn, _ in decls])
    go_params = _file_go_params(sf, [fn for fn, _ in decls])
    out = []
    for i, (fn, key) in enumerate(decls):
        cancel, results = a.cancel_result(sf, fn)
        out.append(FuncFacts(
            name=key[0], recv=key[1], package=package, path=abspath, line=sf.line_col(fn.start_byte)[0],
            loop=_longest(sf, loops[i]), no_exit=any(map(functools.partial(no_exit, sf), loops[i])), calls=_call_names(sf, in_decl[i]), go_params=go_params[fn.id],
            sends_on=_sent_fields(sf, sends[i]), summary=summaries[i],
            cancel_result=cancel, results=results, borrows=a.borrowed_params(sf, fn),
            timer_fields=a.timer_fields(sf, fn), field_reads=a.field_reads(sf, fn), callbacks=a.callbacks(sf, fn),
            owning=model_owners.owning(sf, fn), hands_out=model_summary.handed_fields(sf, fn),
            mentions=model_owners.stop_mentions(sf, fn),
            **(_once_names(sf, fn) if package == "main" else {}),
            **(_lock_facts(sf, fn, in_decl[i]) if key[1] else {}),
        ))
    return FileFacts(abspath, package, tuple(out), _struct_fields(sf), model_summary.structs(sf),
                     *_constants(sf, [f.owning for f in out]), checks_leaks=a.checks_leaks(sf), contexts=contexts,
                     **_channels(sf))


def _channels(sf: SourceFile) -> dict[str, tuple[str, ...]]:
    """FileFacts' chans, closes, hands_out, fills and positional."""
    closes, hands_out = model_summary.passed_names(sf)
    fills, positional = model_summary.field_fills(sf)
    return {"chans": model_summary.package_channels(sf), "closes": closes, "hands_out": hands_out,
            "fills": fills, "positional": positional}


def _once_names(sf: SourceFile, fn: Node) -> dict[str, tuple[str, ...]]:
    """FuncFacts' calls_once and other_names of a function of package main."""
    uses: dict[str, list[Node]] = {}
    for ident in a.of_type(a.body(fn), "identifier"):
        uses.setdefault(sf.text(ident), []).append(ident)
    once = {name for name, idents in uses.items()
            if len(idents) == 1 and (call := idents[0].parent).type == "call_expression"
            and call.child_by_field_name("function") == idents[0] and a.enclosing_function(call) == fn
            and not a.loops_between(call, fn)}
    return {"calls_once": tuple(sorted(once)), "other_names": tuple(sorted(set(uses) - once))}


_LOCK_OPS = ("Lock", "RLock", "Unlock", "RUnlock", "TryLock", "TryRLock")
_LOCK_STATE = re.compile(r"lock", re.IGNORECASE)  # `if !locked`, `if s.mu.TryLock()`: the lock's state decides
_LOCK_BYTES = re.compile(rb"lock", re.IGNORECASE)
_HELD = re.compile(r"\b(?:held|holds?|holding)\b", re.IGNORECASE)
_A_LOCK = re.compile(r"lock|mutex|\bmu\b|\w+Mu\b", re.IGNORECASE)


def _lock_facts(sf: SourceFile, fn: Node, calls: list[Node]) -> dict:
    """FuncFacts' takes, touches, self_calls, returned and expects_lock of a method;
    ``calls``: its calls outside literals."""
    recv = a.receiver_name(sf, fn)
    if not recv:
        return {}

    def on_receiver(operand: Node) -> str | None:
        text = a.flat(sf, operand)
        return "" if text == recv else text[len(recv) + 1:] if text.startswith(recv + ".") else None

    mentions_lock = _LOCK_BYTES.search(sf.data, fn.start_byte, fn.end_byte) is not None

    def lock_state(stmt: Node) -> bool:
        cond = stmt.child_by_field_name("condition") if stmt.type == "if_statement" else None
        return cond is not None and bool(_LOCK_STATE.search(sf.text(cond)))

    def self_calls(found: list[Node], body: Node) -> tuple[tuple[str, int], ...]:
        mine = [(c, mc[1]) for c in found if (mc := a.method_call(sf, c)) is not None and mc[0].type == "identifier"
                and sf.text(mc[0]) == recv and c.parent.type != "go_statement" and mc[1] not in _LOCK_OPS]
        params = {sf.text(n) for f in (fn, body) for n in _param_names(f)} if mine else set()
        guards = [x for x in a.of_type(a.body(body), "if_statement", skip_functions=True) if params & {
            sf.text(i) for part in ("initializer", "condition") if (h := x.child_by_field_name(part)) is not None
            for i in a.of_type(h, "identifier")}] if params else []

        def kept(c: Node) -> bool:
            # the caller's arguments may keep it from running; or the lock's state decides
            return not any(a.is_within(c, x) or (x.end_byte <= c.start_byte and next(
                a.of_type(x, "return_statement", skip_functions=True), None) is not None) for x in guards) \
                and not (mentions_lock and any(lock_state(x) for x in a.ancestors(c) if x != fn and a.is_within(x, fn)))

        return tuple((name, sf.line_col(c.start_byte)[0]) for c, name in mine if kept(c))

    def lock_ops(body: Node) -> list[tuple[Node, str, str]]:
        if b"Lock" not in sf.data[body.start_byte:body.end_byte]:
            return []
        return [(c, key, mc[1]) for c in a.of_type(body, "call_expression") if (mc := a.method_call(sf, c)) is not None
                and mc[1] in _LOCK_OPS and not a.arguments(c) and (key := on_receiver(mc[0])) is not None]

    takes, touched, ops = [], set(), lock_ops(a.body(fn))
    for stmt in a.statements(a.body(fn)) if ops else ():
        call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
        own = next(((key, op) for c, key, op in ops if c == call and op in ("Lock", "RLock")), None)
        if own is not None and own[0] not in touched:
            takes.append((*own, sf.line_col(stmt.start_byte)[0]))
        if lock_state(stmt):
            break  # what follows may run only in one lock state
        touched |= {key for c, key, _ in ops if a.is_within(c, stmt)}
    returned = tuple((i, self_calls([c for c in a.of_type(lit, "call_expression") if a.enclosing_function(c) == lit], lit),
                      tuple(sorted({key for _, key, _ in lock_ops(lit)}))) for i, lit in _returned_literals(sf, fn))
    name = sf.text(fn.child_by_field_name("name"))
    return {"takes": tuple(takes), "touches": tuple(sorted({key for _, key, _ in ops})), "self_calls": self_calls(calls, fn),
            "returned": tuple(r for r in returned if r[1]), "expects_lock": name.endswith("Locked") or _documents_held(sf, fn)}


def _param_names(fn: Node) -> list[Node]:
    params = fn.child_by_field_name("parameters")
    return [n for p in (params.named_children if params is not None else ())
            if p.type in ("parameter_declaration", "variadic_parameter_declaration") for n in p.children_by_field_name("name")]


def _returned_literals(sf: SourceFile, fn: Node) -> list[tuple[int, Node]]:
    """(result position, literal) of the func literals ``fn`` returns: in a return
    statement, or assigned to a named result (``handleStarted = func(...) {...}``)."""
    results = fn.child_by_field_name("result")
    if results is None or b"func(" not in sf.data[a.body(fn).start_byte:fn.end_byte]:
        return []
    named = [sf.text(n) for p in results.named_children if p.type == "parameter_declaration"
             for n in p.children_by_field_name("name")] if results.type == "parameter_list" else []
    out = []
    for stmt in a.of_type(a.body(fn), "return_statement", "assignment_statement", skip_functions=True):
        if stmt.type == "return_statement":
            values = [v for x in stmt.named_children for v in (x.named_children if x.type == "expression_list" else [x])]
            out += [(i, v) for i, v in enumerate(values) if v.type == "func_literal"]
        else:
            left, right = a.left_names(stmt), stmt.child_by_field_name("right")
            for target, v in zip(left, right.named_children if right is not None else ()):
                if v.type == "func_literal" and target.type == "identifier" and sf.text(target) in named:
                    out.append((named.index(sf.text(target)), v))
    return out


def _documents_held(sf: SourceFile, fn: Node) -> bool:
    """Whether the comment right above ``fn`` says it runs with a lock held ("must be called
    with s.mu held", "the caller holds the lock")."""
    lines, n, line = [], fn.prev_named_sibling, sf.line_col(fn.start_byte)[0]
    while n is not None and n.type == "comment" and sf.line_col(n.end_byte)[0] == line - 1:
        lines.append(sf.text(n))
        line, n = sf.line_col(n.start_byte)[0], n.prev_named_sibling
    doc = " ".join(lines)
    return bool(_HELD.search(doc) and _A_LOCK.search(doc))


def lent_facts(sf: SourceFile, abspath: str) -> FileFacts:
    """The part of a file's facts another package of the module may ask about (facts.imports):
    its exported functions' cancel results, the func parameters they start on goroutines
    (launchers), what its declarations say about goroutine-owning values (model/owners.py),
    and its constants; the rest left empty, as it costs far more and serves only the file's
    own package."""
    functions = []
    decls = [fn for fn in sf.root.named_children if fn.type in ("function_declaration", "method_declaration")
             and a.body(fn) is not None]
    fns = [fn for fn in decls if fn.type == "function_declaration"]
    go_params = _file_go_params(sf, fns) if b"go" in sf.data else {}
    for fn in decls:
        key = a.function_key(sf, fn)
        owning = model_owners.owning(sf, fn)
        if key is not None and not key[1] and key[0][:1].isupper():
            cancel, results = a.cancel_result(sf, fn)
            functions.append(FuncFacts(key[0], "", sf.package_name, abspath, 0, "", (), go_params.get(fn.id, ()),
                                       cancel_result=cancel, results=results, owning=owning))
        elif key is not None and (key[1] or owning != model_owners.NONE):  # every method: a call of one is no cancel
            functions.append(FuncFacts(key[0], key[1], sf.package_name, abspath, 0, "", (), (), owning=owning))
    return FileFacts(abspath, sf.package_name, tuple(functions), (), (), *_constants(sf))


def _constants(sf: SourceFile, owning: list[model_owners.Owning] | None = None) -> tuple[tuple, tuple, tuple]:
    """FileFacts' durations, writes and wants (with the makers of owners its ``owning`` and
    its statements may ask about, model/owners.py)."""
    wants = set(a.foreign_wants(sf)) | (model_owners.wants(sf, owning) if owning is not None else set())
    return a.package_durations(sf), a.package_writes(sf), tuple(sorted(wants))


def _sent_fields(sf: SourceFile, sends: list[Node]) -> tuple[str, ...]:
    """Fields a function sends on itself (``x.results <- v``), its closures and goroutines
    included: what they send is what a call of the function may send."""
    return tuple(sorted({
        sf.text(ch.child_by_field_name("field"))
        for s in sends
        if (ch := a.unparen(s.child_by_field_name("channel"))).type == "selector_expression"
    }))


def _struct_fields(sf: SourceFile) -> tuple[tuple[str, str, str], ...]:
    out = set()
    for spec in a.of_type(sf.root, "type_spec"):
        struct = sf.text(spec.child_by_field_name("name"))
        for fd in a.of_type(spec.child_by_field_name("type"), "field_declaration"):
            typ = fd.child_by_field_name("type")
            for n in fd.children_by_field_name("name"):
                signal = a.signal_kind(sf, sf.text(n), typ)
                kind = {"context": "context", "channel": "signal"}.get(signal or "") or a.type_kind(sf, typ) or ""
                out.add((struct, sf.text(n), kind))
    return tuple(sorted(out))



class _OwnNodes:
    """Whether a node belongs to its top-level function itself, not to a function literal
    (a closure or goroutine) inside it: by position against the file's literals."""

    def __init__(self, sf: SourceFile) -> None:
        lits = list(a.of_type(sf.root, "func_literal"))  # sorted by start
        self.starts = [n.start_byte for n in lits]
        self.max_end: list[int] = []  # the furthest end among literals starting up to here
        furthest = -1
        for n in lits:
            furthest = max(furthest, n.end_byte)
            self.max_end.append(furthest)

    def outside_literals(self, n: Node) -> bool:
        i = bisect.bisect_right(self.starts, n.start_byte) - 1
        return i < 0 or self.max_end[i] < n.end_byte


def own_loop(sf: SourceFile, body: Node) -> str:
    """How long the longest of ``body``'s own loops runs (closures and goroutines aside):
    FOREVER, UNTIL_SIGNAL, SERVES, DRAINS or ""."""
    return _longest(sf, list(a.of_type(body, "for_statement", skip_functions=True)))


def no_exit(sf: SourceFile, loop: Node) -> bool:
    """A FOREVER loop nothing leaves: no return, goto or break out of it (a range over a
    ticker's channel counts as FOREVER whatever its body does)."""
    return _loop_kind(sf, loop) == FOREVER and not a.loop_breaks(loop) \
        and next(a.of_type(loop, "return_statement", "goto_statement", skip_functions=True), None) is None


def _longest(sf: SourceFile, loops: list[Node]) -> str:
    kinds = {_loop_kind(sf, loop) for loop in loops}
    return next((k for k in LONG_LIVED_LOOPS if k in kinds), "")


def _loop_kind(sf: SourceFile, loop: Node) -> str:
    kind = a.loop_kind(sf, loop)
    if kind == "range":
        clause = next(c for c in loop.named_children if c.type == "range_clause")
        ranged = a.unparen(clause.child_by_field_name("right"))
        if _is_ticker_channel(sf, ranged):
            return FOREVER
        # a channel handed in (parameter, field): the loop lives as long as whoever feeds it
        if a.value_kind(sf, ranged, loop) == "chan" and not _made_here(sf, ranged, loop):
            return DRAINS
        return ""
    if kind != "endless":
        return ""
    exits = [n for n in a.of_type(loop, "return_statement", "goto_statement", skip_functions=True)] + a.loop_breaks(loop)
    if not exits:
        return FOREVER
    if any(_accepts(sf, c) for c in a.of_type(loop, "call_expression", skip_functions=True)):
        return SERVES
    if all(_on_stop_signal(sf, e, loop) for e in exits) or _selects_on_stop_signal(sf, loop):
        return UNTIL_SIGNAL
    return ""


def _selects_on_stop_signal(sf: SourceFile, loop: Node) -> bool:
    """An event loop: a select of the loop has a case on a stop signal (``<-ctx.Done()``,
    ``<-f.exitChan``), whatever else also ends it (a closed input, an error, an exit flag
    checked later)."""
    for case in a.of_type(loop, "communication_case", skip_functions=True):
        comm = case.child_by_field_name("communication")
        recv = next((n for n in a.of_type(comm, "unary_expression") if a.is_receive(sf, n)), None) if comm else None
        if recv is not None and _is_stop_signal(sf, recv.child_by_field_name("operand")):
            return True
    return False


def _is_ticker_channel(sf: SourceFile, expr: Node) -> bool:
    """``t.C``, ``time.Tick(d)``: channels that never close."""
    if expr.type == "selector_expression" and sf.text(expr.child_by_field_name("field")) == "C":
        return True
    return a.is_call_to(sf, expr, "time", ("Tick",))


def _made_here(sf: SourceFile, expr: Node, loop: Node) -> bool:
    """A local channel made in the same function: its lifetime is the function's business."""
    if expr.type != "identifier":
        return False
    fn = a.enclosing_function(loop)
    for d in a.of_type(a.body(fn), "short_var_declaration", skip_functions=True):
        left, right = d.child_by_field_name("left"), d.child_by_field_name("right")
        names = [sf.text(n) for n in left.named_children] if left is not None else []
        values = right.named_children if right is not None else []
        if sf.text(expr) in names and len(values) == len(names):
            v = values[names.index(sf.text(expr))]
            return v.type == "call_expression" and a.callee(sf, v) == (None, "make")
    return False


def _accepts(sf: SourceFile, call: Node) -> bool:
    m = a.method_call(sf, call)
    return m is not None and m[1].startswith("Accept")


def _on_stop_signal(sf: SourceFile, exit_: Node, loop: Node) -> bool:
    """Whether an exit of ``loop`` is taken only when a stop signal fires: inside a select
    case receiving from ``ctx.Done()`` or a done channel, or under ``if ctx.Err() != nil``."""
    for x in a.ancestors(exit_):
        if x == loop:
            return False
        if x.type == "communication_case":
            comm = x.child_by_field_name("communication")
            recv = next((n for n in a.of_type(comm, "unary_expression") if a.is_receive(sf, n)), None) if comm else None
            if recv is not None and _is_stop_signal(sf, recv.child_by_field_name("operand")):
                return True
        if x.type == "if_statement":
            cond = x.child_by_field_name("condition")
            if cond is not None and any(
                (m := a.method_call(sf, c)) is not None and m[1] == "Err" for c in a.of_type(cond, "call_expression")
            ):
                return True
    return False


def _is_stop_signal(sf: SourceFile, operand: Node | None) -> bool:
    if operand is None:
        return False
    if operand.type == "call_expression":
        m = a.method_call(sf, operand)
        return m is not None and m[1] == "Done"
    last = operand.child_by_field_name("field") if operand.type == "selector_expression" else operand
    return last is not None and a.names_a_signal(sf.text(last))


def _call_names(sf: SourceFile, calls: list[Node]) -> tuple[str, ...]:
    """Names of what a function calls itself (``f(...)``, ``x.m(...)``), not what its
    goroutines start: ``calls`` are the calls outside its function literals."""
    names = set()
    for call in calls:
        parent = call.parent
        if parent is not None and parent.type == "go_statement":
            continue
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "identifier":
            names.add(sf.text(fn))
        elif fn is not None and fn.type == "selector_expression":
            names.add(sf.text(fn.child_by_field_name("field")))
    return tuple(sorted(names))


def _file_go_params(sf: SourceFile, fns: list[Node]) -> dict[int, tuple[int, ...]]:
    """_go_params of each function of ``fns`` (by node id), also through the file's other
    launchers: a func parameter handed on to one (traefik's ``safe.Go(f)`` calls
    ``GoWithRecover(f, handler)``, whose goroutine runs it)."""
    found = {fn.id: _go_params(sf, fn, {}) for fn in fns}
    for _ in range(_MAX_DEPTH):
        launchers = {sf.text(fn.child_by_field_name("name")): found[fn.id] for fn in fns
                     if fn.type == "function_declaration" and found[fn.id]}
        grown = {fn.id: _go_params(sf, fn, launchers) for fn in fns} if launchers else found
        if grown == found:
            break
        found = grown
    return found


def _go_params(sf: SourceFile, fn: Node, launchers: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    """Positions of ``fn``'s func-typed parameters that it starts on a goroutine, directly
    (``go f()``) or inside the goroutine's literal (``go func() { defer recover(); f() }()``),
    or hands to a function of ``launchers`` (name: the positions it starts) where it starts
    them."""
    params = fn.child_by_field_name("parameters")
    positions: dict[str, int] = {}
    i = 0
    for p in params.named_children if params is not None else ():
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        names = p.children_by_field_name("name") or [None]
        typ = p.child_by_field_name("type")
        for n in names:
            if n is not None and typ is not None and typ.type == "function_type":
                positions[sf.text(n)] = i
            i += 1
    if not positions:
        return ()
    started = set()
    for go in a.of_type(a.body(fn), "go_statement"):
        for call in a.of_type(go, "call_expression"):
            callee = call.child_by_field_name("function")
            if callee is not None and callee.type == "identifier" and sf.text(callee) in positions:
                started.add(positions[sf.text(callee)])
    for call in a.of_type(a.body(fn), "call_expression", skip_functions=True) if launchers else ():
        callee = call.child_by_field_name("function")
        taken = launchers.get(sf.text(callee), ()) if callee is not None and callee.type == "identifier" else ()
        for i, arg in enumerate(a.arguments(call)):
            if i in taken and arg.type == "identifier" and sf.text(arg) in positions:
                started.add(positions[sf.text(arg)])
    return tuple(sorted(started))


# ---------------------------------------------------------------------------- one package


def _canonical_pickle(value) -> bytes:
    """``value`` pickled without the memo: pickle writes a second reference to one object as
    a back-reference and an equal but distinct object in full, so facts just computed (which
    share strings) and the same facts read back from the cache (which do not) would pickle,
    and digest, differently, and every warm run would miss the cache once."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=5)
    pickler.fast = True  # no memo: equal values, equal bytes
    pickler.dump(value)
    return buf.getvalue()


def merge(
    directory: str, files: list[FileFacts], launchers: tuple[str, ...] = (), imported: tuple[Exports, ...] = (),
    importers: tuple[FileCalls, ...] = (), calls: tuple[FileCalls, ...] = (),
) -> PackageFacts:
    """The package's facts, with lifetimes resolved through calls (same package, a bounded
    depth: a function is long-lived if it loops until shutdown or calls one that does).
    ``launchers``: the config's launchers of other modules (model/index.py's Launcher);
    ``imported``: what the same-module packages it imports lend it (see ``imports``);
    ``importers``: the calls of the module's files that import it (see ``importers``);
    ``calls``: its own files' (callers.calls_of of ``context_names``), in any order."""
    ordered = sorted(files, key=lambda ff: ff.path)
    functions = tuple(f for ff in ordered for f in ff.functions)
    long_lived = {(f.package, f.name, f.recv) for f in functions if f.loop in LONG_LIVED_LOOPS}
    for _ in range(_MAX_DEPTH):
        # calls are by name: any function or method of that name counts
        names = {(pkg, name) for pkg, name, _ in long_lived}
        grown = {
            (f.package, f.name, f.recv) for f in functions
            if (f.package, f.name, f.recv) not in long_lived and any((f.package, c) in names for c in f.calls)
        }
        if not grown:
            break
        long_lived |= grown
    fields = tuple(sorted({f for ff in files for f in ff.fields}))
    structs = tuple((ff.package, st) for ff in ordered for st in ff.structs)
    # pickle, not repr: repr of the summaries' dataclasses is slow
    durations = _unwritten(ordered)
    checks_leaks = any(ff.checks_leaks for ff in files)
    dead = _dead_contexts(directory, ordered, sorted(calls, key=lambda fc: fc.path), list(importers))
    drained = _drained(calls)
    own_chans = _own_chans(ordered)
    filled = frozenset(n for ff in files for n in ff.fills)
    positional = frozenset(n for ff in files for n in ff.positional)
    state = (functions, sorted(long_lived), structs, fields, tuple(launchers), durations, imported, checks_leaks, dead,
             sorted(drained), sorted(own_chans), sorted(filled), sorted(positional))
    digest = hashlib.blake2b(_canonical_pickle(state), digest_size=16).hexdigest()
    return PackageFacts(directory, functions, frozenset(long_lived), digest, structs, fields, tuple(launchers), durations, imported,
                        checks_leaks, dead, drained, own_chans, filled, positional)


def _own_chans(files: list[FileFacts]) -> frozenset[tuple[str, str]]:
    """PackageFacts.own_chans. Names are matched across the directory's files by name alone
    (another package's x_test file, a local of the same name): that only keeps more out."""
    used = {n for ff in files for n in (*ff.closes, *ff.hands_out)} | {n for ff in files for path, n in ff.writes if not path}
    declared = [(ff.package, n) for ff in files for n in ff.chans]
    return frozenset(k for k in declared if k[1] not in used and declared.count(k) == 1)


def _drained(calls: tuple[FileCalls, ...]) -> frozenset[tuple[str, str, bool]]:
    """PackageFacts.drained: the unexported names some file drains every call of
    (FileCalls.drains), no file calls otherwise or uses as a value. Unexported, no other
    package can name them; tests count as any caller."""
    drains = {(fc.package, k) for fc in calls for k in fc.drains if not k[0] and not k[1][:1].isupper()}
    for fc in calls:
        used = {(c.path, c.name, c.method) for c in fc.calls} | set(fc.plain)
        drains -= {(fc.package, k) for k in (used - set(fc.drains)) | set(fc.values)}
    return frozenset((package, name, method) for package, (_, name, method) in drains)


def _dead_contexts(
    directory: str, files: list[FileFacts], own: list[FileCalls], importers: list[FileCalls]
) -> tuple[DeadContext, ...]:
    """callers.dead_contexts for each package of the directory (``x`` and ``x_test``)."""
    targets: dict[str, list] = {}
    for ff in files:
        for name, recv, positions, _ in ff.contexts:
            targets.setdefault(ff.package, []).append((name, recv, positions, ff.path.endswith("_test.go")))
    found = _import_path(directory) if targets else None
    if found is None:
        return ()
    root, import_path = found
    return tuple(d for package, ts in sorted(targets.items())
                 for d in dead_contexts(package, import_path, root, ts, own, importers))


def _import_path(directory: str) -> tuple[str, str] | None:
    """(module root, import path) of the package in ``directory``."""
    module = gomod.module_of(directory)
    if module is None:
        return None
    root, path = module
    rel = os.path.relpath(directory, root).replace(os.sep, "/")
    return (root, path if rel == "." else f"{path}/{rel}") if not rel.startswith("..") else None


def context_names(files: list[FileFacts]) -> frozenset[str]:
    """The names the directory's files declare with a context parameter: the only ones
    whose calls its facts ask about (callers.calls_of)."""
    return frozenset(name for ff in files for name, *_ in ff.contexts)


def importers(directory: str, files: list[FileFacts], calls: list[FileCalls], load) -> tuple[FileCalls, ...]:
    """The calls of the module's files (outside ``directory``) that import its package and
    name one of its exported functions or methods whose context matters (callers.watched;
    ``calls``: its own files'): ``load(import path, functions, methods, context_names)``
    gives them."""
    package = max({ff.package for ff in files}, key=lambda n: sum(ff.package == n for ff in files)) if files else ""
    functions, methods = watched(files, calls, package)
    found = _import_path(directory) if functions or methods else None
    return tuple(load(found[1], functions, methods, context_names(files))) if found is not None else ()


def _unwritten(files: list[FileFacts], written_elsewhere: frozenset[str] = frozenset()) -> tuple[tuple[str, str, a.Term], ...]:
    """(package, name, term) of the files' constants, and variables neither a function of
    theirs nor ``written_elsewhere`` writes; a name declared twice (build tags) is left out."""
    written = {name for ff in files for path, name in ff.writes if not path} | written_elsewhere
    seen: dict[tuple[str, str], a.Term | None] = {}
    for ff in files:
        for name, term, var in ff.durations:
            key = (ff.package, name)
            term = None if var and name in written else term
            seen[key] = None if key in seen and seen[key] != term else term
    return tuple((pkg, name, t) for (pkg, name), t in seen.items() if t is not None)


def imports(directory: str, files: list[FileFacts], load) -> tuple[Exports, ...]:
    """What the packages of ``directory``'s module that ``files`` import lend them, as far
    as the files ask (FileFacts.wants); ``load(dir)`` gives the FileFacts of a directory's
    non-test files. Names another package writes (``pkg.Timeout = d``) lend no duration."""
    module = gomod.module_of(directory)
    if module is None:
        return ()
    root, path = module
    wanted: dict[str, set[str]] = {}
    for ff in files:
        for p, name in ff.wants:
            rel = gomod.in_module(path, p)
            if rel is not None:
                wanted.setdefault(p, set()).add(name)
    written = {w for ff in files for w in ff.writes if w[0]}
    out = []
    for p, names in sorted(wanted.items()):
        d = os.path.join(root, *gomod.in_module(path, p).split("/"))
        if os.path.normpath(d) == os.path.normpath(directory):
            continue
        e = _exports(p, load(d), names, frozenset(n for q, n in written if q == p))
        if e.makers or e.durations or e.launchers or e.owners:
            out.append(e)
    return tuple(out)


def _exports(path: str, files: list[FileFacts], names: set[str], written: frozenset[str]) -> Exports:
    """Exports of the package ``path`` whose non-test files are ``files``, among ``names``
    (``written``: its variables the importer writes)."""
    if not files:
        return Exports(path, (), ())
    package = max({ff.package for ff in files}, key=lambda n: sum(ff.package == n for ff in files))
    files = [ff for ff in files if ff.package == package]
    makers: dict[str, set[tuple[int, int]]] = {}
    launchers: dict[str, set[tuple[int, ...]]] = {}
    for f in (f for ff in files for f in ff.functions):
        if not f.recv and f.name in names:
            makers.setdefault(f.name, set()).add((f.cancel_result, f.results))
            launchers.setdefault(f.name, set()).add(f.go_params)
    facts = PackageFacts(path, (), frozenset(), "", durations=_unwritten(files, written))
    owners = model_owners.makers([f for ff in files for f in ff.functions])
    durations = ((n, facts.duration(package, (f"={n}",))) for n in sorted(names))
    return Exports(
        path,
        tuple((n, *next(iter(m))) for n, m in sorted(makers.items()) if len(m) == 1 and next(iter(m))[0] >= 0),
        tuple((n, ns) for n, ns in durations if ns is not None),
        # one declaration, or the same under every build tag
        tuple((n, next(iter(g))) for n, g in sorted(launchers.items()) if len(g) == 1 and next(iter(g))),
        tuple((n, owners[n]) for n in sorted(names) if n in owners),
    )
