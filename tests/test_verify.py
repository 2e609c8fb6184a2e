"""--verify: patches are proved against a baseline of the unpatched packages (`go vet`, and
with --verify=tests their tests) through -overlay; a fix that breaks its package is dropped
with the reason, a package that cannot be checked even unpatched is unverifiable, and the
verdicts reach every output format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine, registry, verify
from gofixleaks.discover import discover
from gofixleaks.edits import Fix, TextEdit
from gofixleaks.rule import Rule

from . import gotools
from .test_golden import materialize

LEAKY = """package svc

import "time"

func Poll(d time.Duration) {
	t := time.NewTicker(d)
	<-t.C
}
"""

OTHER = """package svc

// Marker is where the broken rule strikes.
func Marker() int {
	return 1
}
"""


def _broken(p):
    """A deliberately wrong rule: calls a function that does not exist."""
    sf = p.file
    i = sf.data.find(b"return 1")
    if i != -1 and b"undefinedFunc" not in sf.data:
        node = sf.root.descendant_for_byte_range(i, i + 8)
        p.report(node, "broken on purpose", [Fix("call nothing", (TextEdit(i, i, b"undefinedFunc()\n\t"),))])


BROKEN = Rule(name="broken-on-purpose", summary="test", doc="test", run=_broken, triggers=(b"return 1",))


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (tmp_path / "poll.go").write_text(LEAKY)
    (tmp_path / "other.go").write_text(OTHER)
    return tmp_path


def _results(module: Path, monkeypatch):
    monkeypatch.setattr(engine, "rules_for", lambda cfg: [registry.catalogue().get("ticker-not-stopped"), BROKEN])
    cfg = config_mod.load((str(module),), jobs=1, use_cache=False, unsafe_fixes=True)  # the broken fix is a `review` one
    return list(engine.run(discover((str(module),)), cfg, want_fixes=True)), cfg


def test_verify_drops_the_broken_fix_and_keeps_the_good_one(module: Path, monkeypatch):
    gotools.require_go()
    monkeypatch.setenv("PATH", str(Path(gotools.go()).parent) + ":" + os.environ["PATH"])
    results, cfg = _results(module, monkeypatch)
    by_name = {Path(r.abspath).name: r for r in results}
    assert b"undefinedFunc()" in by_name["other.go"].fixed  # unverified, the broken fix is there

    verified = {Path(r.abspath).name: r for r in verify.verify(results, cfg)}
    other, poll = verified["other.go"], verified["poll.go"]
    assert not other.changed
    assert [d.fix.rule for d in other.dropped] == ["broken-on-purpose"]
    assert "undefined" in other.dropped[0].message
    assert poll.changed and b"defer t.Stop()" in poll.fixed
    assert poll.dropped == []


def test_verify_without_go_is_a_clear_error(module: Path, monkeypatch):
    results, cfg = _results(module, monkeypatch)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(verify.VerifyError, match="needs a Go toolchain"):
        verify.verify(results, cfg)


def test_bisect_finds_every_bad_item():
    bad = {3, 7}
    calls = []

    def fails(items):
        calls.append(items)
        return any(i in bad for i in items)

    assert verify.bisect(list(range(10)), fails) == [3, 7]
    assert verify.bisect(list(range(10)), lambda items: False) == []


def test_verify_judges_a_plumbing_that_spans_packages_as_a_whole(tmp_path: Path, monkeypatch):
    gotools.require_go()
    monkeypatch.setenv("PATH", str(Path(gotools.go()).parent) + ":" + os.environ["PATH"])
    golden = Path(__file__).resolve().parent.parent / "golden" / "unbounded-goroutines" / "plumb-other-package"
    module = tmp_path / "m"
    materialize(golden, module, outputs=False)
    cfg = config_mod.load((str(module),), select=("unbounded-goroutines",), jobs=1, use_cache=False, unsafe_fixes=True)
    results = verify.verify(list(engine.run(discover((str(module),)), cfg, want_fixes=True)), cfg)
    assert [d for r in results for d in r.dropped] == []
    for r in results:
        if r.changed:
            golden_file = golden / Path(r.abspath).relative_to(module)
            assert r.fixed == Path(str(golden_file) + ".golden").read_bytes()
    assert sorted(Path(r.abspath).name for r in results if r.changed) == ["app.go", "worker.go"]


# --- the baseline, unverifiable packages, --verify=tests, verdicts in every format ---------

MARKER = """package svc

// Marker is where a test rule strikes.
func Marker() int {
	return 1
}

// hang and boom are what a wrong fix may call: both type-check, and go vet is content.
func hang() { select {} }

func boom() { panic("broken by the fix") }
"""

MARKER_TEST = """package svc

import "testing"

func TestMarker(t *testing.T) {
	if Marker() != 1 {
		t.Fatal("Marker changed")
	}
}
"""


def _inserting(name: str, text: bytes) -> Rule:
    """A test rule whose fix inserts ``text`` before `return 1`: a fix as wrong as its text."""

    def run(p):
        sf = p.file
        i = sf.data.find(b"return 1")
        if i != -1 and not sf.data[:i].endswith(text + b"\n\t"):
            node = sf.root.descendant_for_byte_range(i, i + 8)
            p.report(node, f"{name} on purpose", [Fix(name, (TextEdit(i, i, text + b"\n\t"),))])

    return Rule(name=name, summary="test", doc="test", run=run, triggers=(b"return 1",))


HANG = _inserting("hangs-on-purpose", b"hang()")
BOOM = _inserting("panics-on-purpose", b"boom()")
# compiles, but go vet reports a Printf verb that does not match its argument
VET_BREAK = _inserting("vet-on-purpose", b'_ = fmt.Sprintf("%d", "x")')


@pytest.fixture
def go_on_path(monkeypatch):
    gotools.require_go()
    monkeypatch.setenv("PATH", str(Path(gotools.go()).parent) + ":" + os.environ["PATH"])
    for k, v in gotools.go_env().items():
        if k.startswith("GO") or k == "CGO_ENABLED":
            monkeypatch.setenv(k, v)


def _svc(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _with_rules(monkeypatch, *extra: Rule) -> None:
    monkeypatch.setattr(engine, "rules_for", lambda cfg: [registry.catalogue().get("ticker-not-stopped"), *extra])


def _verified(module: Path, level: str = verify.VET, timeout: float = verify.DEFAULT_TIMEOUT, **load) -> dict:
    cfg = config_mod.load((str(module),), jobs=1, use_cache=False, unsafe_fixes=True, **load)
    results = verify.verify(list(engine.run(discover((str(module),)), cfg, want_fixes=True)), cfg, level, timeout)
    return {str(Path(r.abspath).relative_to(module)): r for r in results}


def test_a_new_vet_diagnostic_drops_the_fix_but_one_already_there_blames_nothing(tmp_path, monkeypatch, go_on_path):
    _with_rules(monkeypatch, VET_BREAK)
    already = 'package svc\n\nimport "fmt"\n\n// Old has a vet diagnostic before any fix.\nfunc Old() string { return fmt.Sprintf("%d", "old") }\n'
    module = _svc(tmp_path / "m", {"poll.go": LEAKY, "other.go": MARKER.replace("package svc\n", 'package svc\n\nimport "fmt"\n\nvar _ = fmt.Sprint\n'),
                                   "old.go": already})
    out = _verified(module)
    assert out["poll.go"].changed and [a.verified for a in out["poll.go"].applied] == ["vet"]
    assert out["poll.go"].applied[0].verification == verify.VET_OK
    other = out["other.go"]
    assert not other.changed
    assert [(d.fix.rule, d.verdict) for d in other.dropped] == [("vet-on-purpose", verify.DROPPED)]
    assert "printf" in other.dropped[0].message and "%d" in other.dropped[0].message


def test_a_package_that_fails_unpatched_is_unverifiable_and_the_others_are_judged(tmp_path, monkeypatch, go_on_path):
    _with_rules(monkeypatch)
    module = _svc(tmp_path / "m", {
        "poll.go": LEAKY,
        "broken/poll.go": LEAKY.replace("package svc", "package broken"),
        "broken/typo.go": "package broken\n\nfunc Typo() int { return undefinedName }\n",
        "tagged/poll.go": "//go:build ignore\n\n" + LEAKY.replace("package svc", "package tagged"),
        "plan9/poll.go": LEAKY.replace("package svc", "package plan9"),
        "plan9/poll_plan9.go": LEAKY.replace("package svc", "package plan9").replace("Poll(", "PollPlan9("),
    })
    out = _verified(module)
    assert [a.verified for a in out["poll.go"].applied] == ["vet"]
    assert [a.verified for a in out["plan9/poll.go"].applied] == ["vet"]
    for path, why in [("broken/poll.go", "go vet fails on the unpatched package: "),
                      ("tagged/poll.go", "build constraints exclude every file on this platform"),
                      ("plan9/poll_plan9.go", "poll_plan9.go is not built on ")]:
        r = out[path]
        assert not r.changed, path
        assert [d.verdict for d in r.dropped] == [verify.UNVERIFIABLE], path
        assert r.dropped[0].message.startswith(why), (path, r.dropped[0].message)
        assert "\n" not in r.dropped[0].message
    assert "undefinedName" in out["broken/poll.go"].dropped[0].message
    summary = verify.summarize(list(out.values()))
    assert (summary.by_vet, summary.unverifiable, summary.nothing_verified) == (2, 3, False)


def test_a_missing_module_exits_2_within_seconds_naming_it_and_writes_nothing(tmp_path, cli, go_on_path, monkeypatch):
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "empty-modcache"))  # the module is surely not there
    module = tmp_path / "m"
    module.mkdir()
    go_mod = "module example.com/m\n\ngo 1.22\n\nrequire example.com/missing v1.0.0\n"
    (module / "go.mod").write_text(go_mod)
    source = LEAKY.replace('import "time"', 'import (\n\t"time"\n\n\t"example.com/missing/pkg"\n)').replace("<-t.C", "<-t.C\n\tpkg.Do()")
    (module / "poll.go").write_text(source)
    start = time.monotonic()
    res = cli("fix", "--write", "--verify", "--no-cache", "--jobs", "1", str(module))
    assert time.monotonic() - start < 60
    assert res.code == 2
    assert "missing module example.com/missing v1.0.0: run go mod download" in res.stderr
    assert "could not verify any fix (1 unverifiable); nothing applied" in res.stderr
    assert (module / "poll.go").read_text() == source and (module / "go.mod").read_text() == go_mod
    assert sorted(p.name for p in module.iterdir()) == ["go.mod", "poll.go"]  # no go.sum either


def test_vet_rejects_a_fix_at_the_cli_and_writes_only_the_good_one(module: Path, cli, monkeypatch, go_on_path):
    _with_rules(monkeypatch, BROKEN)
    res = cli("fix", "--write", "--unsafe-fixes", "--verify", "--no-cache", "--jobs", "1", str(module))
    assert res.code == 0, res.stderr
    assert (module / "other.go").read_text() == OTHER
    assert "defer t.Stop()" in (module / "poll.go").read_text()
    assert "other.go:5: broken-on-purpose: fix dropped by --verify: " in res.stderr and "undefined" in res.stderr
    assert "--verify: verified 1 by vet; 1 dropped" in res.stderr


def test_tests_drop_a_fix_that_hangs_a_test_which_vet_keeps(tmp_path, monkeypatch, go_on_path):
    _with_rules(monkeypatch, HANG)
    module = _svc(tmp_path / "m", {"poll.go": LEAKY, "other.go": MARKER, "other_test.go": MARKER_TEST})
    by_vet = _verified(module)
    assert [a.rule for a in by_vet["other.go"].applied] == ["hangs-on-purpose"]  # it type-checks
    by_tests = _verified(module, verify.TESTS, timeout=3)
    other, poll = by_tests["other.go"], by_tests["poll.go"]
    assert not other.changed
    assert [(d.fix.rule, d.verdict) for d in other.dropped] == [("hangs-on-purpose", verify.DROPPED)]
    assert other.dropped[0].message.startswith("tests time out: TestMarker (timed out): panic: test timed out after 3s")
    assert [(a.verified, a.verification) for a in poll.applied] == [("tests", verify.TESTS_OK)]


def test_tests_bisect_a_file_down_to_its_guilty_fix(tmp_path, monkeypatch, go_on_path):
    _with_rules(monkeypatch, BOOM)
    poll = LEAKY.split('import "time"\n', 1)[1]
    module = _svc(tmp_path / "m", {"other.go": MARKER.replace("package svc\n", 'package svc\n\nimport "time"\n') + poll,
                                   "other_test.go": MARKER_TEST})
    out = _verified(module, verify.TESTS, timeout=30)["other.go"]
    assert out.changed and b"defer t.Stop()" in out.fixed and b"boom()\n\treturn 1" not in out.fixed
    assert [a.rule for a in out.applied] == ["ticker-not-stopped"]
    assert [(d.fix.rule, d.verdict) for d in out.dropped] == [("panics-on-purpose", verify.DROPPED)]
    assert out.dropped[0].message.startswith("tests fail: TestMarker: panic: broken by the fix")


def test_tests_call_a_leak_test_that_turns_green_fixed(tmp_path, go_on_path):
    golden = Path(__file__).resolve().parent.parent / "golden" / "send-without-cancel" / "basic"
    module = tmp_path / "m"
    materialize(golden, module, outputs=False)
    out = _verified(module, verify.TESTS, timeout=60, select=("send-without-cancel",))["pipeline.go"]
    assert out.changed and out.dropped == []
    assert [(a.verified, a.verification) for a in out.applied] == [
        ("tests", "fixed: TestLeak failed before the fix and passes after it")]


def test_tests_that_already_fail_keep_their_verdict_and_blame_no_fix(tmp_path, monkeypatch, go_on_path):
    _with_rules(monkeypatch)
    failing = 'package svc\n\nimport "testing"\n\nfunc TestAlready(t *testing.T) {\n\tt.Fatal("already broken")\n}\n'
    module = _svc(tmp_path / "m", {"poll.go": LEAKY, "poll_test.go": failing})
    out = _verified(module, verify.TESTS, timeout=30)["poll.go"]
    assert out.changed and out.dropped == []
    [a] = out.applied
    assert a.verified == "tests"
    assert a.verification.startswith("tests failed before and after, the same way (TestAlready: ")
    assert "already broken" in a.verification and "broken by the fix" not in a.verification


def test_tests_judge_a_package_without_tests_by_vet(tmp_path, monkeypatch, go_on_path):
    _with_rules(monkeypatch)
    module = _svc(tmp_path / "m", {"poll.go": LEAKY})
    [a] = _verified(module, verify.TESTS, timeout=30)["poll.go"].applied
    assert (a.verified, a.verification) == ("vet", "no tests; checked by go vet only")


def test_verdicts_travel_in_json_and_sarif(module: Path, cli, monkeypatch, go_on_path):
    _with_rules(monkeypatch, BROKEN)
    res = cli("fix", "--verify", "--format", "json", "--no-cache", "--jobs", "1", str(module))
    assert res.code == 0, res.stderr
    findings = {f["rule"]: f for f in json.loads(res.stdout)["findings"]}
    assert (findings["ticker-not-stopped"]["verified"], findings["ticker-not-stopped"]["verification"]) == ("vet", verify.VET_OK)
    assert findings["broken-on-purpose"]["verified"] == "dropped" and "undefined" in findings["broken-on-purpose"]["verification"]

    res = cli("fix", "--verify", "--format", "sarif", "--no-cache", "--jobs", "1", str(module))
    assert res.code == 0, res.stderr
    results = {r["ruleId"]: r for r in json.loads(res.stdout)["runs"][0]["results"]}
    assert results["ticker-not-stopped"]["properties"]["verified"] == "vet" and results["ticker-not-stopped"]["fixes"]
    assert results["broken-on-purpose"]["properties"]["verified"] == "dropped"
    assert "fixes" not in results["broken-on-purpose"]  # a dropped fix is not offered


def test_verify_alone_is_vet_and_keeps_the_next_word_a_path(module: Path, cli, monkeypatch, go_on_path):
    _with_rules(monkeypatch)
    res = cli("fix", "--verify", str(module), "--no-cache", "--jobs", "1")
    assert res.code == 0, res.stderr
    assert "--verify: verified 1 by vet" in res.stderr and "defer t.Stop()" in res.stdout
    bad = cli("fix", "--verify=tests", "--verify-timeout", "soon", str(module))
    assert bad.code == 2 and "'soon' is not a duration such as 2m or 90s" in bad.stderr
    assert cli("fix", "--verify=types", str(module)).code == 2


def test_the_pull_request_body_says_how_its_fixes_were_verified(module: Path, monkeypatch, go_on_path):
    from gofixleaks import pr

    _with_rules(monkeypatch, BROKEN)
    out = _verified(module)
    body = pr.prepare(str(module), list(out.values()), pr.Request("main"), ["."], "gofixleaks/main").body
    section = body.split("### Verification\n\n", 1)[1].split("\n###", 1)[0]
    assert section.startswith("--verify verified 1 by vet; 1 dropped.\n")
    assert "\n- other.go:5: broken-on-purpose: fix dropped by --verify: " in section and "undefined" in section
    assert str(module) not in section  # paths as the repository spells them
    cfg = config_mod.load((str(module),), jobs=1, use_cache=False, unsafe_fixes=True)
    unverified = list(engine.run(discover((str(module),)), cfg, want_fixes=True))
    assert "### Verification" not in pr.prepare(str(module), unverified, pr.Request("main"), ["."], "b").body


def test_progress_shows_on_a_terminal_and_not_when_piped(module: Path, go_on_path):
    import pexpect

    args = ["-m", "gofixleaks", "fix", "--verify", "--no-cache", "-j", "1", str(module)]
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    child = pexpect.spawn(sys.executable, args, env=env, timeout=120, encoding="utf-8")
    child.expect(pexpect.EOF)
    assert "gofixleaks: verify vet unpatched" in child.before  # the stage, then done/total and the package
    assert "example.com/svc" in child.before
    piped = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert "gofixleaks: verify " not in piped.stderr and "--verify: verified 1 by vet" in piped.stderr


FLAKY_TEST = """package flaky

import (
	"os"
	"testing"
)

// TestFlaky passes on its first run only: it stands for a test that fails now and then.
func TestFlaky(t *testing.T) {
	_, err := os.Stat("ran-once")
	os.WriteFile("ran-once", nil, 0o644)
	if err == nil {
		t.Fatal("flaked")
	}
}
"""

SLOW_TEST = """package slow

import (
	"testing"
	"time"
)

func TestSlow(t *testing.T) { time.Sleep(time.Minute) }
"""


def test_tests_blame_no_fix_for_a_flaky_test_or_a_suite_slower_than_the_timeout(tmp_path, monkeypatch, go_on_path):
    _with_rules(monkeypatch)
    module = _svc(tmp_path / "m", {"flaky/poll.go": LEAKY.replace("package svc", "package flaky"), "flaky/poll_test.go": FLAKY_TEST,
                                   "slow/poll.go": LEAKY.replace("package svc", "package slow"), "slow/poll_test.go": SLOW_TEST})
    out = _verified(module, verify.TESTS, timeout=2)
    flaky, slow = out["flaky/poll.go"], out["slow/poll.go"]
    assert flaky.changed and slow.changed and flaky.dropped == slow.dropped == []
    # patched, TestFlaky failed; unpatched again, it failed too: not the fix's doing
    assert [(a.verified, a.verification) for a in flaky.applied] == [
        ("tests", "tests failed before and after, the same way (TestFlaky: poll_test.go:13: flaked)")]
    [a] = slow.applied
    assert a.verified == "vet"
    assert a.verification.startswith("its tests time out unpatched (TestSlow (timed out): panic: test timed out after 2s")
