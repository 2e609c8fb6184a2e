"""Goroutine dumps read into data. Three formats, as the Go runtime writes them:

- tracebacks: `/debug/pprof/goroutine?debug=2`, the leak profile's debug=2, panics with
  GOTRACEBACK=all, SIGQUIT, `go test` timeouts and "all goroutines are asleep" crashes
  (runtime/traceback.go: `goroutine 7 [chan send (leaked), 5 minutes, locked to thread]:`,
  a function line and a tab-indented `path:line +0xoff` per frame, `created by F in
  goroutine N`, `...N frames elided...`);
- grouped profiles, debug=1 (runtime/pprof: `goroutine profile: total N`, then `N @ 0x...`
  and `#\\t0xPC\\tfunc+0xoff\\tpath:line` per frame; no states, no creators);
- protobuf profiles, debug=0 (gzip'd profile.proto, read by profile_proto.py).

uber-go/goleak's internal/stack and maruel/panicparse read the traceback format the same way."""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass, field

from . import profile_proto


class DumpError(Exception):
    """Not a goroutine dump: the CLI prints it on one line and exits 2."""


@dataclass(frozen=True)
class Frame:
    function: str  # as the runtime prints it: example.com/m/p.(*T).Run.func1
    path: str  # the source file as the binary recorded it
    line: int
    # the first word of its arguments as a traceback prints them: a pointer receiver's
    # address (`0xc000012000`) tells two frames on one value; None when the format prints
    # none (profiles, `created by`), or the runtime marks it possibly stale (`0x0?`) or left
    # it out (`...`, an inlined call). Not part of a frame's identity.
    arg0: str | None = field(default=None, compare=False)

    @property
    def package(self) -> str:
        """The import path in ``function`` ('' for `panic` and other bare names). The last
        path element's dots are escaped (%2e) in symbol names, so the first dot after the
        last slash ends the path."""
        slash = self.function.rfind("/", 0, _name_end(self.function))
        dot = self.function.find(".", slash + 1)
        return self.function[:dot] if dot > 0 else ""

    @property
    def short_function(self) -> str:
        return short_name(self.function)

    @property
    def in_std(self) -> bool:
        """Whether the frame is the Go toolchain's (runtime, standard library): go/build's rule
        (the import path's first element has no dot), with the file under a GOROOT's src/
        (or relative, as -trimpath prints it), so a dotless module of one's own is not std."""
        pkg = self.package
        if not pkg or self.path.endswith("_testmain.go"):  # go test's generated main is the toolchain's too
            return True
        first = pkg.split("/", 1)[0]
        if "." in first or first == "main":
            return False
        path = self.path.replace("\\", "/")
        return "/src/" in path or not (path.startswith("/") or path[1:3] == ":/")


def short_name(function: str) -> str:
    """A symbol name without the directories of its package: service.(*Cache).Refresh.func1."""
    return function[function.rfind("/", 0, _name_end(function)) + 1 :]


_CLOSURE = re.compile(r"\.(?:func\d+|gowrap\d+|deferwrap\d+|\d+)$")  # a closure's or wrapper's suffix


def declared_as(function: str) -> tuple[str | None, str] | None:
    """(its pointer receiver's type, else None; its name) of the function or method declaration
    a symbol runs in: ``p.(*T).Get.func1`` is ``("T", "Get")``, ``p.F[...].gowrap1`` is
    ``(None, "F")``. None when the symbol has no name to compare (``p.(*T).M-fm``)."""
    name = re.sub(r"\[[^\]]*\]", "", function)
    while _CLOSURE.search(name):
        name = _CLOSURE.sub("", name)
    parts = name.rsplit(".", 2)
    if len(parts) < 2 or not parts[-1].isidentifier():
        return None
    pointer = parts[-2].removeprefix("(*").removesuffix(")") if len(parts) == 3 and parts[-2].startswith("(*") else None
    return pointer, parts[-1]


def in_literal(function: str) -> bool | None:
    """Whether symbol ``function`` runs in a func literal (``p.F.func1``, ``p.F.func1.2``):
    Go names a literal's code for it, inlined or not, and a declaration's own code never so;
    None for a go or defer statement's wrapper (``p.F.gowrap1``), which is neither."""
    suffix = _CLOSURE.search(re.sub(r"\[[^\]]*\]", "", function))
    if suffix is None:
        return False
    return None if suffix.group().startswith((".gowrap", ".deferwrap")) else True


def runs_in(function: str, name: str, receiver: str) -> bool | None:
    """Whether symbol ``function`` runs in the declaration of ``name`` (a method of
    ``receiver``, "" for a function); None when the symbol has no name to compare."""
    declared = declared_as(function)
    return None if declared is None else declared[1] == name and declared[0] in (None, receiver)


def _name_end(function: str) -> int:
    """Where the package path of a symbol name can end: before any `(` or `[` (method
    receivers and type parameters may hold slashes of their own)."""
    ends = [i for i in (function.find("("), function.find("[")) if i >= 0]
    return min(ends) if ends else len(function)


@dataclass(frozen=True)
class Goroutine:
    """One goroutine of a traceback, or one group of identical stacks of a profile."""

    frames: tuple[Frame, ...]  # innermost first
    state: str | None = None  # the wait reason as printed ("chan send", "select (no cases)"); None: not in the format
    count: int = 1  # goroutines this record stands for (profiles group identical stacks)
    id: int | None = None
    wait_minutes: int | None = None  # None: the format does not say; 0: under a minute
    leaked: bool = False  # the leak detector (GC) found it blocked on something nothing running can reach
    locked_to_thread: bool = False
    created_by: Frame | None = None  # the `go` statement that started it
    creator_id: int | None = None
    labels: tuple[tuple[str, str], ...] = ()  # pprof labels
    elided: bool = False  # the runtime left frames out of a deep stack
    # With GODEBUG=tracebackancestors=N: the stacks of the goroutines that led to this one's
    # creation when they created it, nearest first, each ending with its own creator.
    ancestors: tuple[Frame, ...] = ()


@dataclass(frozen=True)
class Dump:
    source: str  # "traceback", "goroutine profile (debug=1)", "goroutineleak profile (protobuf)", ...
    goroutines: tuple[Goroutine, ...]
    leak_profile: bool = False  # from the goroutineleak profile: every record in it is a proven leak

    @property
    def total(self) -> int:
        return sum(g.count for g in self.goroutines)


def parse(data: bytes) -> Dump:
    """A dump in any of the formats above; raises DumpError when ``data`` holds none."""
    if data[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise DumpError(f"a gzip stream that does not decompress: {e}") from None
        return _from_proto(raw)
    text = data.decode("utf-8", "replace")
    if _PROFILE_HEADER.search(text):
        return parse_grouped(text)
    dump = parse_traceback(text)
    if not dump.goroutines:
        raise DumpError("no goroutine dump found (expected a traceback, a debug=1 profile or a protobuf profile)")
    return dump


# goroutine 7 [chan send (leaked), 5 minutes]:   (with GOTRACEBACK=system: "goroutine 7 gp=0x.. m=nil [...]";
# with labels in tracebacks: "[...] {k: v}:")
_HEADER = re.compile(r"^goroutine (\d+)(?: [^\[]*)? \[([^\]]*)\](.*):\s*$")
_LOCATION = re.compile(r"^\t(.+?):(\d+)(?: \+0x[0-9a-fA-F]+)?(?: .*)?\s*$")
_CREATED_BY = re.compile(r"^created by (.+?)(?: in goroutine (\d+))?\s*$")
_MINUTES = re.compile(r"^(\d+) minutes$")
_ELIDED = re.compile(r"^\.\.\.(?:\d+|additional) frames elided\.\.\.\s*$")
_ANCESTOR = re.compile(r"^\[originating from goroutine \d+\]:\s*$")


def _function_name(line: str) -> str | None:
    """The function of a frame line `pkg.f(0x1, ...)`; None when the line is not one."""
    line = line.rstrip()
    if not line.endswith(")") or line.startswith(("\t", " ")):
        return None
    # the arguments hold no parentheses ("0xc0000a8000, {0x4a2fa0?, 0x4f0b98?}, ..."),
    # so the last "(" opens them, even after a receiver's "(*T)"
    i = line.rfind("(")
    return line[:i] if i > 0 else None


def _first_argument(line: str) -> str | None:
    """The first word of a frame line's arguments (see Frame.arg0): `0xc000012000` of
    `pkg.(*T).m(0xc000012000, 0x1)`, of `pkg.f({0xc000012000, 0x5})` too (a struct's or
    interface's words are braced)."""
    line = line.rstrip()
    inner = line[line.rfind("(") + 1 : -1].lstrip("{")
    word = inner.split(",", 1)[0].split("}", 1)[0].strip()
    return word if word.startswith("0x") and not word.endswith("?") else None


def parse_traceback(text: str) -> Dump:
    """Every goroutine of a traceback; lines around the goroutine blocks (a panic message,
    registers, test output) are skipped."""
    goroutines = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _HEADER.match(lines[i])
        i += 1
        if not m:
            continue
        state, minutes, locked, leaked = _state(m.group(2))
        labels = _labels(m.group(3))
        frames: list[Frame] = []
        ancestors: list[Frame] = []
        created_by = creator = None
        elided = in_ancestors = False
        while i < len(lines) and lines[i].strip() and not _HEADER.match(lines[i]):
            line = lines[i]
            i += 1
            if _ELIDED.match(line):
                elided = True
                continue
            if _ANCESTOR.match(line):  # GODEBUG=tracebackancestors: the creators' stacks follow
                in_ancestors = True
                continue
            c = _CREATED_BY.match(line)
            name = c.group(1) if c else _function_name(line)
            if name is None:
                continue
            loc = _LOCATION.match(lines[i]) if i < len(lines) else None
            if loc is None:
                continue  # a frame without a location ("goroutine running on other thread", cgo): nothing to place
            i += 1
            frame = Frame(name, loc.group(1), int(loc.group(2)), None if c else _first_argument(line))
            if frame.function == "runtime.goexit":  # the bottom of every stack (GOTRACEBACK=system shows it)
                continue
            if in_ancestors:
                ancestors.append(frame)
            elif c:
                created_by, creator = frame, int(c.group(2)) if c.group(2) else None
            else:
                frames.append(frame)
        goroutines.append(
            Goroutine(
                tuple(frames), state, 1, int(m.group(1)), minutes, leaked, locked, created_by, creator, labels, elided,
                tuple(ancestors),
            )
        )
    return Dump("traceback", tuple(goroutines))


def _state(inner: str) -> tuple[str, int, bool, bool]:
    """(wait reason, minutes waited, locked to thread, leaked) from the text between the brackets."""
    reason, *extras = inner.split(", ")
    leaked = " (leaked)" in reason
    reason = reason.replace(" (leaked)", "").replace(" (scan)", "")
    minutes, locked = 0, False
    for extra in extras:
        if m := _MINUTES.match(extra):
            minutes = int(m.group(1))
        elif extra == "locked to thread":
            locked = True
    return reason, minutes, locked, leaked


_LABEL = re.compile(r'"?([^",:{}]+?)"?\s*:\s*"?([^",{}]*)"?(?:,|$)')


def _labels(text: str) -> tuple[tuple[str, str], ...]:
    """pprof labels: `{request: r1}` after a traceback's state (GODEBUG=tracebacklabels=1),
    `{"request":"r1"}` in a debug=1 profile."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return ()
    return tuple((k.strip(), v) for k, v in _LABEL.findall(text[1:-1]))


_PROFILE_HEADER = re.compile(r"^(\S+) profile: total \d+\s*$", re.M)
_GROUP = re.compile(r"^(\d+) @(?: 0x[0-9a-fA-F]+)*\s*$")
_GROUP_FRAME = re.compile(r"^#\t+0x[0-9a-fA-F]+\t+(\S+?)\+0x[0-9a-fA-F]+\t+(.+):(\d+)\s*$")
_GROUP_LABELS = re.compile(r"^# labels: \{.*\}\s*$")


def parse_grouped(text: str) -> Dump:
    """A debug=1 profile: one record per group of goroutines with the same stack."""
    header = _PROFILE_HEADER.search(text)
    name = header.group(1) if header else "goroutine"
    leak = name == "goroutineleak"
    goroutines = []
    count = 0
    frames: list[Frame] = []
    labels: tuple[tuple[str, str], ...] = ()

    def flush() -> None:
        if count:
            goroutines.append(Goroutine(tuple(frames), _inferred_state(frames), count, leaked=leak, labels=labels))

    for line in text.splitlines():
        if m := _GROUP.match(line):
            flush()
            count, frames, labels = int(m.group(1)), [], ()
        elif m := _GROUP_FRAME.match(line):
            frames.append(Frame(m.group(1), m.group(2), int(m.group(3))))
        elif m := _GROUP_LABELS.match(line):
            labels = _labels(line[len("# labels: ") :])
    flush()
    return Dump(f"{name} profile (debug=1)", tuple(goroutines), leak)


def _from_proto(raw: bytes) -> Dump:
    try:
        profile = profile_proto.decode(raw)
    except profile_proto.ProtoError as e:
        raise DumpError(f"not a pprof profile: {e}") from None
    if profile.sample_type not in ("goroutine", "goroutineleak"):
        raise DumpError(f"a {profile.sample_type or 'unnamed'} profile, not a goroutine profile")
    leak = profile.sample_type == "goroutineleak"
    goroutines = []
    for s in profile.samples:
        frames = [Frame(_elide_type_args(f.function), f.path, f.line) for f in s.frames if f.function != "runtime.goexit"]
        goroutines.append(Goroutine(tuple(frames), _inferred_state(frames), s.count, leaked=leak, labels=s.labels))
    return Dump(f"{profile.sample_type} profile (protobuf)", tuple(goroutines), leak)


def _elide_type_args(function: str) -> str:
    """`main.(*box[go.shape.string]).wait` as tracebacks print it: `main.(*box[...]).wait`."""
    out, depth = [], 0
    for ch in function:
        if ch == "[":
            if depth == 0:
                out.append("[...]")
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


# The wait reason a traceback would print, told from the frames of a profile (which has no
# states): the runtime or sync function a goroutine is parked in.
_STATE_OF_FRAME = {
    "runtime.chansend1": "chan send",
    "runtime.chanrecv1": "chan receive",
    "runtime.chanrecv2": "chan receive",
    "runtime.selectgo": "select",
    "runtime.block": "select (no cases)",
    "time.Sleep": "sleep",
    "sync.(*Mutex).Lock": "sync.Mutex.Lock",
    "sync.(*RWMutex).Lock": "sync.RWMutex.Lock",
    "sync.(*RWMutex).RLock": "sync.RWMutex.RLock",
    "sync.(*WaitGroup).Wait": "sync.WaitGroup.Wait",
    "sync.(*Cond).Wait": "sync.Cond.Wait",
    "internal/poll.runtime_pollWait": "IO wait",
}


def _inferred_state(frames: list[Frame]) -> str | None:
    return next((_STATE_OF_FRAME[f.function] for f in frames if f.function in _STATE_OF_FRAME), None)
