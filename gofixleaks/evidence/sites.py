"""Blocked goroutines grouped into sites: where they block, in what state, what started
them, how many and for how long, ranked so the likeliest leak comes first.

A goroutine blocks "at" the innermost frame of code that is not the runtime's or the
standard library's (the channel operation, lock or wait in the program). When the whole
stack is the standard library's (a net/http connection's readLoop), the goroutine's own
function, its outermost frame, names it instead.

LeakProf's production signal is a concentration: many goroutines parked on one operation.
A site holding ``threshold`` goroutines or more is flagged as a suspected leak; a site the
leak profile proved (`(leaked)`) is a leak whatever its count."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .dump import Frame, Goroutine

# States of goroutines that are doing something rather than waiting.
_ACTIVE = frozenset({"running", "runnable", "preempted"})
# Functions that only the goroutine writing the dump is running.
_DUMPER_PREFIXES = ("runtime/pprof.writeGoroutine", "runtime/pprof.writeRuntimeProfile", "runtime.goroutineProfileWithLabels")


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    function: str
    arg0: str | None = field(default=None, compare=False)  # see Frame.arg0: not part of its identity

    @classmethod
    def of(cls, frame: Frame) -> "Location":
        return cls(frame.path, frame.line, frame.function)

    @classmethod
    def traced(cls, frame: Frame) -> "Location":
        """A frame of one goroutine's stack, with its first argument (Site.stack)."""
        return cls(frame.path, frame.line, frame.function, frame.arg0)

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "function": self.function}


@dataclass(frozen=True)
class Site:
    """Goroutines parked at one place, in one state, started by one `go` statement."""

    blocked: Location
    state: str | None  # the wait reason ("chan send"); None when the dump does not say
    leaked: bool  # the leak detector proved them blocked on something nothing running can reach
    created_by: Location | None  # see creator_frame; None when the dump does not say (profiles)
    count: int
    wait_minutes: int | None  # the longest wait among them; None when the dump does not say
    # the frames of one of them, innermost first, as the dump gives them (runtime and
    # standard library frames too): the stack most of them share, the first one's on a tie.
    # Empty when the dump has none (or the site was not read from a dump). Where the runtime
    # elided frames of a deep stack, the ones it printed.
    stack: tuple[Location, ...] = ()

    @property
    def state_text(self) -> str | None:
        """The state as one string, with the leak detector's verdict: "chan send (leaked)"."""
        if self.leaked:
            return f"{self.state} (leaked)" if self.state else "leaked"
        return self.state

    def key(self) -> tuple[str, str | None, str | None]:
        """What names a site across two runs of changed code, whose lines moved: the
        function it blocks in, its state and the function that started it."""
        return self.blocked.function, self.state, self.created_by.function if self.created_by else None

    def suspected(self, threshold: int) -> bool:
        return self.leaked or self.count >= threshold


def is_dumper(g: Goroutine) -> bool:
    return any(f.function.startswith(_DUMPER_PREFIXES) for f in g.frames)


def is_system(g: Goroutine) -> bool:
    """The runtime's own goroutines (GC workers, the finalizer, an M's g0), which tracebacks
    show with GOTRACEBACK=system: nothing but runtime frames, started by the runtime."""
    frames = g.frames + ((g.created_by,) if g.created_by else ())
    return g.id == 0 or all(f.package == "runtime" or f.package.startswith("internal/runtime") for f in frames)


def is_blocked(g: Goroutine) -> bool:
    return g.state not in _ACTIVE and not is_dumper(g) and not is_system(g)


def creator_frame(g: Goroutine) -> Frame | None:
    """The `go` statement that started ``g``; when that is the standard library's (net/http
    starting a connection's readLoop), the program's own call that led to it, as far as
    the dump's ancestor stacks (GODEBUG=tracebackancestors) reach."""
    if g.created_by is None or not g.created_by.in_std:
        return g.created_by
    return next((f for f in g.ancestors if not f.in_std), g.created_by)


def blocked_frame(g: Goroutine) -> Frame | None:
    for f in g.frames:
        if not f.in_std:
            return f
    return g.frames[-1] if g.frames else None


def group(goroutines: Iterable[Goroutine]) -> list[Site]:
    """The sites of ``goroutines`` (blocked ones only), ranked: proven leaks first, then by
    how many goroutines wait there, then by how long."""
    counts: dict[tuple, int] = {}
    waits: dict[tuple, int | None] = {}
    stacks: dict[tuple, dict[tuple[Location, ...], int]] = {}  # per site: goroutines per stack, first seen first
    for g in goroutines:
        frame = blocked_frame(g)
        if frame is None or not is_blocked(g):
            continue
        creator = creator_frame(g)
        key = (Location.of(frame), g.state, g.leaked, Location.of(creator) if creator else None)
        counts[key] = counts.get(key, 0) + g.count
        seen = stacks.setdefault(key, {})
        stack = tuple(Location.traced(f) for f in g.frames)
        seen[stack] = seen.get(stack, 0) + g.count  # a stack equal but for arguments keeps the first one's
        if g.wait_minutes is not None:
            waits[key] = max(waits.get(key) or 0, g.wait_minutes)
        else:
            waits.setdefault(key, None)
    sites = [Site(*key, count, waits[key], max(stacks[key], key=stacks[key].__getitem__)) for key, count in counts.items()]
    return sorted(sites, key=lambda s: (not s.leaked, -s.count, -(s.wait_minutes or 0), s.blocked.path, s.blocked.line))
