"""The dump parser on dumps the Go toolchain makes now: tests/testdata/evidence/prog leaves
goroutines blocked in known ways and writes the goroutine and goroutineleak profiles in all
three formats, panics with GOTRACEBACK=all, and dumps on SIGQUIT. Every format must tell
the same story: the same blocked sites with the same counts, the same proven leaks."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from gofixleaks.evidence import dump, sites

from . import gotools

PROG = Path(__file__).parent / "testdata" / "evidence" / "prog"

# blocked function -> (goroutines, state); the leak detector proves the last three
EXPECTED = {
    "main.leakSend.func1": (3, "chan send"),
    "main.blockedOnGlobal.func1": (1, "chan send"),
    "main.setUp.func3": (1, "sync.Mutex.Lock"),
    "main.worker": (1, "chan receive"),
    "main.(*box[...]).wait": (1, "chan receive"),
    "main.setUp.func2.1": (1, "select (no cases)"),
}
PROVEN = {"main.worker", "main.(*box[...]).wait", "main.setUp.func2.1"}


@pytest.fixture(scope="module")
def dumps(tmp_path_factory) -> dict[str, bytes]:
    """Every dump the program makes, by name: goroutine-0..2, goroutineleak-0..2, panic,
    sigquit; and "source": the path of the program's main.go."""
    gotools.require_go()
    work = tmp_path_factory.mktemp("prog")
    src = work / "src"
    shutil.copytree(PROG, src)
    binary = work / "prog"
    build = gotools.run_go(["build", "-o", str(binary), "."], cwd=str(src))
    assert build.returncode == 0, build.stderr
    out = work / "out"
    out.mkdir()
    env = gotools.go_env()
    subprocess.run([str(binary), "dumps", str(out)], check=True, env=env, timeout=60)
    got = {p.name: p.read_bytes() for p in out.iterdir()}
    panicked = subprocess.run([str(binary), "panic"], capture_output=True, env={**env, "GOTRACEBACK": "all"}, timeout=60)
    assert panicked.returncode == 2
    got["panic"] = panicked.stderr
    proc = subprocess.Popen([str(binary), "wait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert proc.stdout.readline() == b"ready\n"
        proc.send_signal(signal.SIGQUIT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    got["sigquit"] = err
    got["source"] = str(src / "main.go").encode()
    return got


def summary(d: dump.Dump) -> dict[str, tuple[int, str | None]]:
    """blocked function -> (goroutines, state) for the program's own sites."""
    return {s.blocked.function: (s.count, s.state) for s in sites.group(d.goroutines) if s.blocked.function != "main.main"}


@pytest.mark.parametrize("name", ["goroutine-2", "goroutineleak-2", "panic", "sigquit"])
def test_every_traceback_shows_every_blocked_site(dumps, name):
    d = dump.parse(dumps[name])
    assert d.source == "traceback"
    assert summary(d) == EXPECTED
    for s in sites.group(d.goroutines):
        if s.blocked.function in EXPECTED:
            assert s.created_by is not None and s.created_by.function.startswith("main.")
            assert s.blocked.path == s.created_by.path == dumps["source"].decode()


def test_the_leak_profile_tags_what_it_proves(dumps):
    d = dump.parse(dumps["goroutineleak-2"])
    assert {g.frames[0].function for g in d.goroutines if g.leaked} == PROVEN


@pytest.mark.parametrize("name", ["goroutineleak-1", "goroutineleak-0"])
def test_leak_profile_formats_agree(dumps, name):
    d = dump.parse(dumps[name])
    assert d.leak_profile
    assert {f: n for f, (n, _) in summary(d).items()} == {f: EXPECTED[f][0] for f in PROVEN}
    assert all(s.leaked for s in sites.group(d.goroutines))


@pytest.mark.parametrize("name", ["goroutine-1", "goroutine-0"])
def test_goroutine_profile_formats_agree(dumps, name):
    d = dump.parse(dumps[name])
    assert not d.leak_profile
    got = summary(d)
    assert {f: n for f, (n, _) in got.items()} == {f: n for f, (n, _) in EXPECTED.items()}
    if name.endswith("0"):  # the protobuf profile keeps the runtime frames the state is told from
        assert got == EXPECTED


def test_the_dumping_goroutine_is_not_a_site(dumps):
    for name in ("goroutine-0", "goroutine-1", "goroutine-2"):
        functions = {s.blocked.function for s in sites.group(dump.parse(dumps[name]).goroutines)}
        assert not any("pprof" in f for f in functions), name

