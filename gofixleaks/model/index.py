"""The package's summaries merged: what crosses functions and files, resolved.

Functions are looked up by package name and name; a method call ``x.m()`` whose receiver's
type the syntax cannot tell matches every method ``m`` of the package (several receivers, or
several declarations under build tags, are merged conservatively: a use any of them makes
counts, a close all of them must make). Calls are followed a bounded depth, cycles cut.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .summary import MANY, ChanUse, FieldUse, Generator, Start, StructFacts, Summary

if TYPE_CHECKING:
    from ..facts import FuncFacts, PackageFacts

MAX_DEPTH = 4  # how many calls deep a channel handed on is followed


@dataclass(frozen=True)
class Launcher:
    """A function of another module that runs a func argument on a goroutine, from the
    ``launchers`` config key: ``"example.com/kit/safe.Go"`` or, for a method,
    ``"example.com/kit/stop.Stopper.RunWorker"`` (matched by method name)."""

    path: str  # import path
    name: str
    method: bool

    @classmethod
    def parse(cls, entry: str) -> "Launcher":
        """Raises ValueError with a one-line reason for an entry of another shape."""
        head, _, tail = entry.rpartition("/")
        parts = tail.split(".")
        if len(parts) not in (2, 3) or not all(p.isidentifier() for p in parts):
            raise ValueError(f"launchers: {entry!r} is not IMPORT/PATH.Func or IMPORT/PATH.Type.Method")
        path = f"{head}/{parts[0]}" if head else parts[0]
        return cls(path, parts[-1], len(parts) == 3)


class PackageIndex:
    """Questions about one package directory's functions, answered from their summaries."""

    def __init__(self, facts: "PackageFacts") -> None:
        self.facts = facts
        self._by_name: dict[tuple[str, str], list[FuncFacts]] = {}
        for f in facts.functions:
            self._by_name.setdefault((f.package, f.name), []).append(f)
        self._structs: dict[tuple[str, str], StructFacts] = {(p, s.name): s for p, s in facts.structs}
        self._config = tuple(Launcher.parse(e) for e in facts.launchers_config)

    def functions(self, package: str, name: str, method: bool | None = None) -> list[FuncFacts]:
        """Declarations of ``name``: functions (method False), methods of any receiver (True),
        or both (None)."""
        return [f for f in self._by_name.get((package, name), ()) if method is None or bool(f.recv) == method]

    def struct(self, package: str, name: str) -> StructFacts | None:
        return self._structs.get((package, name))

    def is_func_field(self, package: str, name: str) -> bool:
        """Whether some struct of the package has a func-typed field ``name``: ``x.name()``
        may call it rather than a method."""
        return any(p == package and any(f.name == name and f.kind == "func" for f in s.fields) for (p, _), s in self._structs.items())

    # ------------------------------------------------------------------ channels

    def param_use(self, package: str, name: str, method: bool, index: int, tests: bool = True) -> ChanUse | None:
        """What calling ``name`` does with the channel passed at ``index``, following it into
        the functions it is handed to; None when ``name`` is not a function of the package
        or that argument is not a channel parameter it follows. ``tests`` False (asked from a
        file that is not a test): declarations in ``_test.go`` files are not the callee (a
        test's mock of an interface method is not what the program runs)."""
        return self._param_use(package, name, method, index, 0, frozenset(), tests)

    def _param_use(self, package, name, method, index, depth, seen, tests) -> ChanUse | None:
        key = (name, method, index)
        decls = [f for f in self.functions(package, name, method) if tests or not _in_test(f)]
        uses = [p.use for f in decls for p in f.summary.params if p.index == index and p.kind != "context"]
        if not decls or len(uses) != len(decls):
            return None
        merged = _either(uses)
        if key in seen:
            return merged
        for h in dict.fromkeys(h for u in uses for h in u.handoffs):
            inner = self._param_use(package, h.callee, h.method, h.index, depth + 1, seen | {key}, tests) \
                if depth < MAX_DEPTH else None
            if inner is None:
                inner = ChanUse(escapes=True)
            else:
                if h.go:
                    inner = dataclasses.replace(inner, in_goroutine=True)
                if h.looped and inner.sends:
                    inner = dataclasses.replace(inner, sends=MANY, endless=inner.endless or h.endless)
            merged = _then(merged, inner)
        return merged

    def field_use(self, package: str, field: str, tests: bool = True) -> ChanUse:
        """Every operation on ``x.field`` in the package (any x); ``tests`` False: but those
        of ``_test.go`` files."""
        uses = [u.use for f in self.facts.functions if f.package == package and (tests or not _in_test(f))
                for u in f.summary.fields if u.field == field]
        return _either(uses) if uses else ChanUse()

    def receivers_leave_on(self, package: str, recv: str, field: str) -> tuple[str, tuple[str, ...]] | None:
        """(S, the names of the functions receiving) when every function of the package (its
        tests aside) that receives from ``x.field`` is a method of ``recv`` that does so only
        on its receiver, in select loops that leave once its ``S`` fires (FieldUse.leaves_on),
        the same ``S`` for all: once it has fired, nothing receives from the field any more."""
        found = self._field_receivers.get((package, field), ())
        stops = {u.leaves_on if f.recv == recv else "" for f, u in found}
        if (package, field) in self._buffered_fields or not found or len(stops) != 1 or "" in stops:
            return None  # a buffer (made anywhere in the package) may hold every send there is
        return stops.pop(), tuple(sorted({f.name for f, _ in found}))

    def handed_out(self, package: str, field: str) -> bool:
        """Whether some function of the package (its tests too) hands the value of ``x.field``
        (any x) on: an argument, a result, a value sent, stored or aliased."""
        return (package, field) in self._handed_fields

    def own_channel(self, package: str, name: str) -> bool:
        """Whether ``name`` is an unexported package-level channel made where it is declared
        (`var ch = make(chan T)`) that no file of the package closes, writes or hands on
        (FileFacts.closes, writes, hands_out): only its own package's code sends, receives
        or ranges on it, and nothing ends a range over it."""
        return (package, name) in self.facts.own_chans

    @functools.cached_property
    def _handed_fields(self) -> frozenset[tuple[str, str]]:
        return frozenset((f.package, x) for f in self.facts.functions for x in f.hands_out)

    @functools.cached_property
    def _buffered_fields(self) -> frozenset[tuple[str, str]]:
        return frozenset((f.package, x) for f in self.facts.functions for x in f.summary.buffered)

    @functools.cached_property
    def _field_receivers(self) -> dict[tuple[str, str], list[tuple[FuncFacts, FieldUse]]]:
        out: dict[tuple[str, str], list[tuple[FuncFacts, FieldUse]]] = {}
        for f in self.facts.functions:
            for u in f.summary.fields if not _in_test(f) else ():
                if u.use.receives or u.use.ranges:
                    out.setdefault((f.package, u.field), []).append((f, u))
        return out

    def drained(self, package: str, name: str, method: bool) -> bool:
        """Whether every use of unexported ``name`` in the package is a call whose returned
        channel its caller ranges over until it is closed, with no way out of the loop
        (facts.PackageFacts.drained; only names with a context parameter are read)."""
        return (package, name, method) in self.facts.drained

    def generator(self, package: str, name: str, method: bool) -> Generator | None:
        """The generator ``name`` is, when every declaration of it is one, alike."""
        gens = {f.summary.generator for f in self.functions(package, name, method)}
        return gens.pop() if len(gens) == 1 else None

    def generators(self, package: str) -> frozenset[tuple[str, bool]]:
        """(name, is a method) of the package's generators."""
        return self._generators.get(package, frozenset())

    @functools.cached_property
    def _generators(self) -> dict[str, frozenset[tuple[str, bool]]]:
        out: dict[str, set[tuple[str, bool]]] = {}
        for f in self.facts.functions:
            if f.summary.generator is not None:
                out.setdefault(f.package, set()).add((f.name, bool(f.recv)))
        return {k: frozenset(v) for k, v in out.items()}

    def summary(self, package: str, name: str, method: bool) -> Summary | None:
        decls = self.functions(package, name, method)
        return decls[0].summary if len(decls) == 1 else None

    # ------------------------------------------------------------------ goroutines

    def starts(self, package: str, name: str, method: bool) -> tuple[Start, ...]:
        """Where ``name`` is run on a goroutine in the package: go statements, goroutine
        literals that call it, and launchers it is handed to (``.Go`` methods, the package's
        own launchers, the configured ones)."""
        return self._start_lists.get((package, name, method), ())

    @functools.cached_property
    def _start_lists(self) -> dict[tuple[str, str, bool], tuple[Start, ...]]:
        """By (package, callee, method): every declaration of a file asks, and filtering the
        package's starts each time made a package's cost quadratic in its size."""
        out: dict[tuple[str, str, bool], list[Start]] = {}
        for f in self.facts.functions:
            for s in f.summary.starts:
                if not s.via or self._launches(f.package, s):
                    out.setdefault((f.package, s.callee, s.method), []).append(s)
        return {k: tuple(v) for k, v in out.items()}

    def _launches(self, package: str, s: Start) -> bool:
        if s.via == "Go" and s.via_method:
            return True  # sync.WaitGroup.Go, errgroup.Group.Go and their kind
        if s.via_path:
            return self._foreign_launcher(s.via_path, s.via, s.index)
        if s.via_method and any(c.method and c.name == s.via for c in self._config):
            return True
        return any(s.index in f.go_params for f in self.functions(package, s.via, s.via_method))

    def is_launcher(self, package: str, path: str | None, name: str, method: bool) -> bool:
        """Whether a call of ``name`` (through import ``path``, or of this package when None)
        runs its func arguments on goroutines."""
        if path is not None:
            return self._foreign_launcher(path, name, None)
        if method and (name == "Go" or any(c.method and c.name == name for c in self._config)):
            return True
        return any(f.go_params for f in self.functions(package, name, method))

    def _foreign_launcher(self, path: str, name: str, index: int | None) -> bool:
        """Whether function ``name`` of import ``path`` runs its func argument (at ``index``,
        or any) on a goroutine: a configured launcher, or one a package of the module lends."""
        return any(c.path == path and c.name == name and not c.method for c in self._config) or any(
            e.path == path and n == name and (index is None or index in positions)
            for e in self.facts.imported for n, positions in e.launchers)

    def blocks(self, package: str, name: str, method: bool | None) -> bool:
        """Whether calling ``name`` may wait on a channel, a select or a Wait(), itself or in
        the functions it calls (a bounded depth); unknown functions do not count."""
        return self._blocks(package, name, method, 0, frozenset())

    def _blocks(self, package, name, method, depth, seen) -> bool:
        for f in self.functions(package, name, method):
            if f.summary.blocks:
                return True
            if depth >= MAX_DEPTH or (f.name, f.recv) in seen:
                continue
            inner = seen | {(f.name, f.recv)}
            if any(self._blocks(package, c, None, depth + 1, inner) for c in f.calls):
                return True
        return False


def _in_test(f: "FuncFacts") -> bool:
    return f.path.endswith("_test.go")


def _either(uses: list[ChanUse]) -> ChanUse:
    """One of ``uses`` happens (declarations under build tags, methods of several types)."""
    return ChanUse(
        sends=max(u.sends for u in uses),
        receives=any(u.receives for u in uses),
        ranges=any(u.ranges for u in uses),
        closes=any(u.closes for u in uses),
        closes_always=all(u.closes_always for u in uses),
        blocking=any(u.blocking for u in uses),
        in_goroutine=any(u.in_goroutine for u in uses),
        handoffs=tuple(dict.fromkeys(h for u in uses for h in u.handoffs)),
        escapes=any(u.escapes for u in uses),
        awaits=any(u.awaits for u in uses),
        endless=any(u.endless for u in uses),
    )


def _then(first: ChanUse, second: ChanUse) -> ChanUse:
    """``first``, and then what a function it hands the channel to does (``second``): whether
    the channel is closed on every path stays ``first``'s (the call may be conditional)."""
    return ChanUse(
        sends=min(MANY, first.sends + second.sends),
        receives=first.receives or second.receives,
        ranges=first.ranges or second.ranges,
        closes=first.closes or second.closes,
        closes_always=first.closes_always,
        blocking=first.blocking or second.blocking,
        in_goroutine=first.in_goroutine or second.in_goroutine,
        handoffs=first.handoffs,
        escapes=first.escapes or second.escapes,
        awaits=first.awaits or second.awaits,
        endless=first.endless or second.endless,
    )
