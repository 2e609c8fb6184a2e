"""examples/leaky-service, the README's quick start: scan finds the leaks it was written to
carry, and `fix --write` turns it into a module that builds, is vet- and gofmt-clean, and
that a second fix leaves alone."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from gofixleaks.source import SourceFile

from . import gotools
from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "leaky-service"

# (file, function, rule): every leak the example carries, and nothing else may be reported.
EXPECTED = {
    ("pool.go", "Dispatch", "unbounded-goroutines"),  # one goroutine per job received
    ("poller.go", "Run", "ticker-not-stopped"),
    ("poller.go", "Watch", "time-after-in-loop"),  # a timer per event, live for Interval
    ("fetcher.go", "Fetch", "cancel-not-called"),  # the cancel func is discarded
    ("fetcher.go", "Reachable", "response-body-not-closed"),
    ("cache.go", "Refresh", "early-return-send"),  # the result channel abandoned on timeout
    # ranges over t.C with ctx in scope; the fix makes the loop end and stops the ticker
    ("cache.go", "StartRefresh", "loop-without-exit"),
    # a reload per period, forever, and no ctx in warm: plumbing threads StartWarming's ctx in
    ("warmer.go", "warm", "unbounded-goroutines"),
}
# Not a leak but a warning of an opt-in rule (`--rule unbounded-fan-out`), reported without
# a fix (no width is guessed): ProcessAll (pool.go), a fan-out as wide as the caller's slice,
# joined by wg.Wait(). The default scan does not report it.
WARNINGS = {("pool.go", "ProcessAll", "unbounded-fan-out")}
OPT_IN = ("--rule", "unbounded-fan-out")
# Not leaks, so never reported: WaitHealthy (poller.go), whose time.After timer has fired
# whenever the loop goes round.

# leak_test.go: the test that proves each run-time leak, and the rule whose fix ends it.
LEAK_PROOFS = {
    "TestLeakStartRefresh": "loop-without-exit",
    "TestLeakRefresh": "early-return-send",
    "TestLeakReachable": "response-body-not-closed",
    "TestLeakStartWarming": "unbounded-goroutines",
}


def enclosing_function(path: Path, line: int) -> str:
    sf = SourceFile(path.name, path.read_bytes())
    for node in sf.root.named_children:
        if node.type in ("function_declaration", "method_declaration") and node.start_point[0] < line <= node.end_point[0] + 1:
            return sf.text(node.child_by_field_name("name"))
    return ""


def findings(cli, module: Path, *args: str) -> tuple[int, set[tuple[str, str, str]], list]:
    r = cli("scan", "--format", "json", *args, cwd=module)
    doc = json.loads(r.stdout)
    got = {
        (Path(f["path"]).name, enclosing_function(module / f["path"], f["line"]), f["rule"]) for f in doc["findings"]
    }
    return r.code, got, doc["errors"]


def test_scan_reports_the_leaks_the_example_carries(cli):
    code, got, errors = findings(cli, EXAMPLE)
    assert errors == []
    missing, unexpected = EXPECTED - got, got - EXPECTED
    assert not missing, f"leaks not reported: {sorted(missing)}"
    assert not unexpected, f"reported but not a designed leak (a false positive, or update EXPECTED): {sorted(unexpected)}"
    assert code == 1
    assert findings(cli, EXAMPLE, *OPT_IN) == (1, WARNINGS, [])


def test_the_example_builds_and_only_vets_for_the_leak_vet_knows(tmp_path):
    module = Path(shutil.copytree(EXAMPLE, tmp_path / "m"))
    assert gotools.run_go(["build", "./..."], cwd=str(module)).returncode == 0
    vet = gotools.run_go(["vet", "./..."], cwd=str(module))
    problems = [ln for ln in vet.stderr.splitlines() if ln and not ln.startswith("#")]
    assert problems and all("cancel function" in ln for ln in problems), vet.stderr


def test_fix_write_yields_a_module_that_builds_and_is_vet_and_gofmt_clean(cli, tmp_path):
    module = Path(shutil.copytree(EXAMPLE, tmp_path / "m"))
    r = cli("fix", "--write", "--unsafe-fixes", cwd=module)
    assert r.code == 0, r.stderr
    assert gotools.run_go(["build", "./..."], cwd=str(module)).returncode == 0
    vet = gotools.run_go(["vet", "./..."], cwd=str(module))
    assert vet.returncode == 0, vet.stderr
    unformatted = [p.name for p in module.rglob("*.go") if not gotools.gofmt_clean(p.read_bytes())]
    assert unformatted == []
    # every designed leak was fixed (the opt-in warning stays), and fixing again changes nothing
    assert findings(cli, module) == (0, set(), [])
    assert findings(cli, module, *OPT_IN) == (1, WARNINGS, [])
    again = cli("fix", "--check", "--unsafe-fixes", cwd=module)
    assert (again.code, again.stdout) == (0, "")


def leak_tests(module: Path) -> tuple[dict[str, str], str]:
    """Run leak_test.go: {test: PASS or FAIL}, and the output."""
    res = gotools.run_go(["test", "-count=1", "-v", "-run", "^TestLeak", "."], cwd=str(module))
    return {t: o for o, t in re.findall(r"^--- (PASS|FAIL): (TestLeak\w+)", res.stdout, re.M)}, res.stdout


def test_leak_proofs_fail_on_the_example_and_pass_once_fixed(cli, tmp_path):
    module = Path(shutil.copytree(EXAMPLE, tmp_path / "m"))
    before, out = leak_tests(module)
    assert before == dict.fromkeys(LEAK_PROOFS, "FAIL"), out
    assert out.count("goroutine leak:") == len(LEAK_PROOFS), out  # failing for the right reason
    assert cli("fix", "--write", "--unsafe-fixes", cwd=module).code == 0
    after, out = leak_tests(module)
    assert after == dict.fromkeys(LEAK_PROOFS, "PASS"), out
