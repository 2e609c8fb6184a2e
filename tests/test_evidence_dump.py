"""The goroutine dump parser on checked-in dumps (real ones from tests/testdata/evidence/prog,
and one written by hand for what a short run cannot produce: waits in minutes, Windows
paths, CRLF), plus the protobuf reader on hand-encoded messages. The same dumps made at test
time by the Go toolchain are read in test_evidence_go.py."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from gofixleaks.evidence import dump, profile_proto, sites
from gofixleaks.evidence.dump import DumpError, Frame

DATA = Path(__file__).parent / "testdata" / "evidence"
PROG = "/tmp/ev/prog/main.go"  # where the checked-in dumps' program was built


def load(name: str) -> dump.Dump:
    return dump.parse((DATA / name).read_bytes())


def by_function(d: dump.Dump) -> dict[str, list[dump.Goroutine]]:
    out: dict[str, list[dump.Goroutine]] = {}
    for g in d.goroutines:
        if g.frames:
            out.setdefault(g.frames[0].function, []).append(g)
    return out


def test_sigquit_with_gotraceback_system():
    d = load("sigquit_system_deep.txt")
    assert d.source == "traceback"
    ids = [g.id for g in d.goroutines]
    assert ids[:2] == [0, 1] and len(ids) == 15  # g0 of the M that took the signal, then every goroutine
    g = {g.id: g for g in d.goroutines}
    # "goroutine 14 gp=0x.. m=nil [sync.Mutex.Lock, locked to thread]:" and fp= sp= pc= after each location
    locked = [x for x in d.goroutines if x.locked_to_thread]
    assert len(locked) == 1 and locked[0].state == "sync.Mutex.Lock"
    assert locked[0].frames[0].function == "runtime.gopark"  # system tracebacks keep runtime frames
    assert all(f.function != "runtime.goexit" for x in d.goroutines for f in x.frames)
    senders = by_function(d)["runtime.gopark"]
    assert sum(1 for x in senders if x.state == "chan send") == 4  # 3 from leakSend, 1 on the global
    deep = next(x for x in d.goroutines if x.elided)
    assert deep.state == "chan receive" and {f.function for f in deep.frames[3:-1]} == {"main.deep"}
    assert deep.frames[-1].function == "main.setUp.gowrap1"  # `go deep(...)`: the outer frames are kept
    assert len(deep.frames) == 99  # 50 inner + 50 outer frames around "...N frames elided...", less runtime.goexit
    assert deep.created_by == Frame("main.setUp", PROG, 65)
    assert g[1].state == "sleep" and g[1].created_by is None
    # the registers after the goroutines are not a goroutine
    assert all(x.frames for x in d.goroutines)


def test_sites_of_a_system_traceback_leave_out_the_runtimes_goroutines():
    found = sites.group(load("sigquit_system_deep.txt").goroutines)
    functions = [s.blocked.function for s in found]
    assert not any(f.startswith("runtime.") for f in functions)  # GC workers, finalizer, g0
    send = next(s for s in found if s.blocked.function == "main.leakSend.func1")
    assert (send.count, send.state, send.blocked.line) == (3, "chan send", 22)
    assert send.created_by.function == "main.leakSend" and send.created_by.line == 21
    # a goroutine parked in sync.Mutex.Lock blocks at the program's own line, not in sync
    mutex = next(s for s in found if s.state == "sync.Mutex.Lock")
    assert mutex.blocked.function == "main.setUp.func3" and mutex.blocked.line == 80


def test_panic_traceback_with_pprof_labels():
    d = load("panic_labels.txt")
    labelled = [g for g in d.goroutines if g.labels]
    assert len(labelled) == 1 and labelled[0].labels == (("request", "r1"),)
    assert labelled[0].state == "select (no cases)"
    assert d.goroutines[0].state == "running" and d.goroutines[0].frames[0].function == "main.main"
    generic = next(g for g in d.goroutines if g.frames and g.frames[0].function == "main.(*box[...]).wait")
    assert generic.frames[0].line == 58 and generic.frames[0].path == PROG  # inlined: no +0x offset


def test_ancestor_stacks_are_kept_apart_from_the_goroutines_own():
    d = load("ancestors.txt")
    worker = next(g for g in d.goroutines if g.frames and g.frames[0].function == "main.worker")
    assert worker.leaked and worker.state == "chan receive"
    assert [f.function for f in worker.frames] == ["main.worker"]
    assert worker.created_by == Frame("main.leakRange", PROG, 35)
    assert [f.function for f in worker.ancestors] == ["main.leakRange", "main.setUp", "main.main"]


def test_leaked_tags_and_states():
    d = load("ancestors.txt")  # written after a leak profile: its tags stay on
    leaked = {g.frames[0].function for g in d.goroutines if g.leaked}
    assert leaked == {"main.worker", "main.(*box[...]).wait", "main.setUp.func2.1"}
    assert {g.state for g in d.goroutines if g.leaked} == {"chan receive", "select (no cases)"}


def test_debug1_leak_profile():
    d = load("goroutineleak-debug1.txt")
    assert d.source == "goroutineleak profile (debug=1)" and d.leak_profile
    assert d.total == 3 and all(g.leaked and g.count == 1 and g.created_by is None for g in d.goroutines)
    first = d.goroutines[0]
    assert first.frames == (Frame("main.(*box[...]).wait", PROG, 58), Frame("main.setUp.func1", PROG, 69))
    assert d.goroutines[2].labels == (("request", "r1"),)


def test_debug1_goroutine_profile_groups_identical_stacks():
    d = load("goroutine-debug1.txt")
    assert d.source == "goroutine profile (debug=1)" and not d.leak_profile
    assert d.total == 9
    senders = by_function(d)["main.leakSend.func1"]
    assert len(senders) == 1 and senders[0].count == 3
    # the runtime frames debug=1 hides leave sync's: the state is told from them
    assert next(g for g in d.goroutines if g.frames[0].function.startswith("internal/sync")).state == "sync.Mutex.Lock"


def test_protobuf_leak_profile():
    d = load("goroutineleak.pb.gz")
    assert d.source == "goroutineleak profile (protobuf)" and d.leak_profile and d.total == 3
    states = sorted(g.state for g in d.goroutines)
    assert states == ["chan receive", "chan receive", "select (no cases)"]  # told from runtime.chanrecv/block
    found = {s.blocked.function: s for s in sites.group(d.goroutines)}
    assert set(found) == {"main.worker", "main.(*box[...]).wait", "main.setUp.func2.1"}
    assert found["main.worker"].blocked.line == 28 and found["main.worker"].leaked
    assert next(g for g in d.goroutines if g.labels).labels == (("request", "r1"),)


def test_hand_written_minutes_windows_paths_and_crlf():
    d = load("minutes_windows_crlf.txt")
    g = {x.id: x for x in d.goroutines}
    assert g[18].wait_minutes == 12 and g[18].state == "chan receive"
    assert g[25].wait_minutes == 3 and g[25].locked_to_thread and g[25].state == "select"
    assert g[18].frames[0] == Frame("example.com/svc/internal/queue.(*Queue).pop", "C:/Users/dev/svc/internal/queue/queue.go", 41)
    assert g[31].frames[0].path == "C:/Program Files/Go/src/runtime/netpoll.go"  # a space in the path
    found = sites.group(d.goroutines)
    queue = next(s for s in found if s.blocked.function.endswith("(*Queue).pop"))
    assert (queue.count, queue.wait_minutes) == (2, 14)  # the longest wait of the site
    watch = next(s for s in found if s.state == "select")
    assert watch.blocked.function == "gopkg.in/yaml%2ev3.(*decoder).watch"  # a dependency is not std
    http = next(s for s in found if s.state == "IO wait")
    assert http.blocked.function == "net/http.(*persistConn).readLoop"  # all std: the goroutine's own function
    assert [s.key() for s in found][0] == queue.key()  # most goroutines first


def test_test_timeout_output():
    d = load("test_timeout.txt")
    assert [g.state for g in d.goroutines] == ["running", "chan receive", "chan receive", "chan receive"]
    stuck = d.goroutines[3]
    assert stuck.frames[0].function == "example.com/to.TestStuck.func1"
    assert stuck.created_by.function == "example.com/to.TestStuck" and stuck.creator_id == 6


@pytest.mark.parametrize(
    "function, package, short, std",
    [
        ("example.com/m/p.(*T).Run.func1", "example.com/m/p", "p.(*T).Run.func1", False),
        ("gopkg.in/yaml%2ev3.(*parser).parse", "gopkg.in/yaml%2ev3", "yaml%2ev3.(*parser).parse", False),
        ("main.(*box[...]).wait", "main", "main.(*box[...]).wait", False),
        ("net/http.(*Transport).dialConn", "net/http", "http.(*Transport).dialConn", True),
        ("internal/sync.(*Mutex).lockSlow", "internal/sync", "sync.(*Mutex).lockSlow", True),
        ("panic", "", "panic", True),
        ("example.com/m/p.F[...]", "example.com/m/p", "p.F[...]", False),
    ],
)
def test_frame_names(function, package, short, std):
    f = Frame(function, "/usr/local/go/src/x/x.go" if std else "/home/u/m/p/p.go", 1)
    assert (f.package, f.short_function, f.in_std) == (package, short, std)


def test_a_dotless_module_of_ones_own_is_not_std():
    assert not Frame("leaky/worker.run", "/home/u/leaky/worker/worker.go", 3).in_std
    assert Frame("sync.(*WaitGroup).Wait", "sync/waitgroup.go", 3).in_std  # -trimpath prints std paths relative
    assert Frame("main.main", "_testmain.go", 50).in_std  # go test's generated main


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "no goroutine dump found"),
        (b"hello\nworld\n", "no goroutine dump found"),
        (b"\x1f\x8b\x08\x00garbage", "does not decompress"),
        (gzip.compress(b"\x0a\x05", mtime=0), "not a pprof profile"),
    ],
)
def test_what_is_not_a_dump_is_one_error(data, message):
    with pytest.raises(DumpError, match=message):
        dump.parse(data)


# --- the protobuf reader, on messages encoded here ----------------------------------


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, value: int | bytes) -> bytes:
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    return varint(number << 3 | 2) + varint(len(value)) + value


def profile(sample_type: str, packed: bool) -> bytes:
    strings = ["", sample_type, "count", "main.f", "/src/main.go", "main.g", "k", "v"]
    out = b"".join(field(6, s.encode()) for s in strings)
    out += field(1, field(1, 1) + field(2, 2))
    out += field(5, field(1, 1) + field(2, 3) + field(4, 4)) + field(5, field(1, 2) + field(2, 5) + field(4, 4))
    # location 1 has f inlined into g: lines innermost first
    out += field(4, field(1, 1) + field(4, field(1, 1) + field(2, 10)) + field(4, field(1, 2) + field(2, 20)))
    out += field(4, field(1, 2) + field(4, field(1, 2) + field(2, 30)))
    locs = field(1, varint(1) + varint(2)) if packed else field(1, 1) + field(1, 2)
    out += field(2, locs + field(2, 7) + field(3, field(1, 6) + field(2, 7)))
    out += field(2, field(1, 2) + field(2, varint(5)))  # a packed value
    return out


@pytest.mark.parametrize("packed", [True, False])
def test_protobuf_packed_and_unpacked_fields(packed):
    p = profile_proto.decode(profile("goroutine", packed))
    assert p.sample_type == "goroutine"
    first, second = p.samples
    assert first.count == 7 and first.labels == (("k", "v"),)
    assert [(f.function, f.line) for f in first.frames] == [("main.f", 10), ("main.g", 20), ("main.g", 30)]
    assert second.count == 5 and [f.line for f in second.frames] == [30]


def test_protobuf_negative_and_fixed_width_fields():
    strings = field(6, b"") + field(6, b"goroutine")
    fixed = varint(9 << 3 | 1) + (123).to_bytes(8, "little") + varint(9 << 3 | 5) + (7).to_bytes(4, "little")
    p = profile_proto.decode(strings + field(1, field(1, 1)) + fixed + field(2, field(2, -1)))
    assert p.samples[0].count == -1 and p.samples[0].frames == ()


@pytest.mark.parametrize(
    "data",
    [
        field(6, b"x")[:-1],  # truncated payload
        b"\x80\x80",  # truncated varint
        field(6, b"") + field(2, field(1, 99)),  # a sample at a location that does not exist
        field(6, b"") + varint(1 << 3 | 3),  # a group: not in profile.proto
    ],
)
def test_protobuf_errors(data):
    with pytest.raises(profile_proto.ProtoError):
        profile_proto.decode(data)


def test_a_profile_that_is_not_a_goroutine_profile():
    with pytest.raises(DumpError, match="a heap profile, not a goroutine profile"):
        dump.parse(gzip.compress(field(6, b"") + field(6, b"heap") + field(1, field(1, 1))))


# ---------------------------------------------------------------------------- a site's stack


def test_a_sites_stack_is_its_goroutines_frames_innermost_first_from_a_traceback():
    found = sites.group(load("sigquit_system_deep.txt").goroutines)
    mutex = next(s for s in found if s.state == "sync.Mutex.Lock")
    assert [loc.function for loc in mutex.stack] == [
        "runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1", "internal/sync.runtime_SemacquireMutex",
        "internal/sync.(*Mutex).lockSlow", "internal/sync.(*Mutex).Lock", "sync.(*Mutex).Lock", "main.setUp.func3"]
    assert mutex.stack[-1] == sites.Location(PROG, 80, "main.setUp.func3") == mutex.blocked
    # the first argument word where the runtime vouches for it: the mutex's address, not `0x0?` or `...`
    assert [loc.arg0 for loc in mutex.stack[3:6]] == [None, "0x4088c082008", None]
    deep = next(s for s in found if s.blocked.function == "main.deep")
    assert len(deep.stack) == 99 and deep.stack[-1].function == "main.setUp.gowrap1"  # what the runtime printed of it


def test_a_sites_stack_from_the_grouped_and_the_protobuf_leak_profiles():
    grouped = {s.blocked.function: s for s in sites.group(load("goroutineleak-debug1.txt").goroutines)}
    assert grouped["main.(*box[...]).wait"].stack == (
        sites.Location(PROG, 58, "main.(*box[...]).wait"), sites.Location(PROG, 69, "main.setUp.func1"))
    proto = {s.blocked.function: s for s in sites.group(load("goroutineleak.pb.gz").goroutines)}
    wait = proto["main.(*box[...]).wait"].stack
    assert [loc.function for loc in wait] == ["runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1",
                                              "main.(*box[...]).wait", "main.setUp.func1"]
    assert (wait[-1].line, wait[-1].path) == (69, PROG) and all(loc.arg0 is None for loc in wait)  # profiles print no arguments


STACKS = """\
goroutine 7 [sync.Mutex.Lock]:
sync.(*Mutex).Lock(...)
\t/usr/local/go/src/sync/mutex.go:46
example.com/m.(*T).get(0xc000010000)
\t/src/m/t.go:9 +0x1d
example.com/m.viaA(0xc000010000)
\t/src/m/t.go:20 +0x1d

goroutine 8 [sync.Mutex.Lock]:
sync.(*Mutex).Lock(...)
\t/usr/local/go/src/sync/mutex.go:46
example.com/m.(*T).get(0xc000020000?)
\t/src/m/t.go:9 +0x1d
example.com/m.viaB({0xc000020000, 0x5})
\t/src/m/t.go:30 +0x1d

goroutine 9 [sync.Mutex.Lock]:
sync.(*Mutex).Lock(...)
\t/usr/local/go/src/sync/mutex.go:46
example.com/m.(*T).get(0xc000030000)
\t/src/m/t.go:9 +0x1d
example.com/m.viaB({0xc000030000, 0x5})
\t/src/m/t.go:30 +0x1d
"""


def test_a_site_of_many_stacks_keeps_the_one_most_of_its_goroutines_share():
    (site,) = sites.group(dump.parse(STACKS.encode()).goroutines)
    assert site.count == 3 and site.blocked == sites.Location("/src/m/t.go", 9, "example.com/m.(*T).get")
    assert [loc.function for loc in site.stack] == ["sync.(*Mutex).Lock", "example.com/m.(*T).get", "example.com/m.viaB"]
    # goroutine 8's: the first of the two that share that stack (arguments are not part of a frame's identity);
    # its receiver printed stale (`?`), the struct argument's first word is kept
    assert [loc.arg0 for loc in site.stack] == [None, None, "0xc000020000"]
    assert site.key() == ("example.com/m.(*T).get", "sync.Mutex.Lock", None)  # unchanged by the stack
    # one goroutine per stack: the first one's
    (tie,) = sites.group(dump.parse(STACKS.split("\n\n")[0].encode() + b"\n\n" + STACKS.split("\n\n")[2].encode()).goroutines)
    assert tie.stack[-1].function == "example.com/m.viaA" and tie.stack[1].arg0 == "0xc000010000"


@pytest.mark.parametrize("line, word", [
    ("p.(*T).m(0xc000012000, 0x1)", "0xc000012000"),
    ("p.f({0xc0000a8000, 0x5})", "0xc0000a8000"),
    ("p.f({0x4a2fa0?, 0x4f0b98?})", None),
    ("p.f(0x0?)", None),
    ("p.f(...)", None),
    ("p.f()", None),
    ("p.f({})", None),
])
def test_a_frames_first_argument(line, word):
    (g,) = dump.parse(f"goroutine 1 [select]:\n{line}\n\t/src/p/p.go:3 +0x1\n".encode()).goroutines
    assert g.frames[0].arg0 == word and g.frames[0] == Frame(line[: line.rfind("(")], "/src/p/p.go", 3)


@pytest.mark.parametrize("function, declared, literal", [
    ("example.com/m/p.(*Cache).Get.func1", ("Cache", "Get"), True),
    ("example.com/m/p.F[...].func2.3", (None, "F"), True),
    ("example.com/m/p.F", (None, "F"), False),
    ("example.com/m/p.(*T).Run", ("T", "Run"), False),
    # a go or defer statement's wrapper is neither the literal's code nor the function's own
    ("example.com/m/p.F.gowrap1", (None, "F"), None),
    ("example.com/m/p.F.func1.deferwrap2", (None, "F"), None),
])
def test_a_symbol_names_its_declaration_and_whether_a_literal_runs_it(function, declared, literal):
    from gofixleaks.evidence.dump import declared_as, in_literal

    assert declared_as(function) == declared
    assert in_literal(function) is literal
