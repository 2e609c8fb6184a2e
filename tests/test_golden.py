"""The golden cases: every folder golden/<rule>/<case>/ is a tiny Go module.

- ``*.go`` are inputs; ``// want "regexp"`` comments mark where the rule must report
  (as in go/analysis's analysistest), and nowhere else;
- ``X.go.golden`` is the exact expected output for ``X.go``; without it, the file must come
  out byte-identical;
- ``leak_test.go``, when present, is a leak proof: `go test` must FAIL on the inputs and PASS
  on the outputs. Any other ``*_test.go`` must pass on both (behaviour is kept); a test file
  with a golden output is an input too (a leaking test helper).

Every output must parse, be gofmt-stable when its input was, and pass `go vet`; fixing the
output again must change nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover
from gofixleaks.source import parse

from . import gotools

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
CASES = sorted(p.parent for p in GOLDEN.glob("*/*/go.mod"))
_WANT = re.compile(r"//\s*want\s+((?:\"(?:[^\"\\]|\\.)*\"\s*)+)")
_WANT_STR = re.compile(r"\"((?:[^\"\\]|\\.)*)\"")


def case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def rel(case: Path, path) -> str:
    return Path(path).resolve().relative_to(case.resolve()).as_posix()


def wants(path: Path) -> list[tuple[int, str]]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = _WANT.search(line)
        if m:
            out += [(i, s.encode().decode("unicode_escape")) for s in _WANT_STR.findall(m.group(1))]
    return out


def run_rule(case: Path, rule: str, want_fixes: bool = True):
    cfg = config_mod.load((str(case),), select=(rule,), jobs=1, unsafe_fixes=True)  # every fix, `review` ones too
    return list(engine.run(discover((str(case),)), cfg, want_fixes=want_fixes))


def input_files(case: Path) -> list[Path]:
    """The files a fix may change: the non-test files, and test files with a golden output
    (test helpers that leak are fixed too); other test files are the case's proofs."""
    return sorted(p for p in case.rglob("*.go") if not p.name.endswith("_test.go") or p.with_name(p.name + ".golden").exists())


def materialize(case: Path, dest: Path, outputs: bool) -> Path:
    """Copy the case module to ``dest``, with the golden outputs in place of the inputs and
    the shared test helpers its tests use."""
    shutil.copytree(case, dest, ignore=shutil.ignore_patterns("*.golden"))
    if outputs:
        for src in input_files(case):
            golden = src.with_name(src.name + ".golden")
            if golden.exists():
                shutil.copyfile(golden, dest / src.relative_to(case))
    add_harness(dest)
    return dest


# golden/_harness: helpers the leak proofs share (file -> how a test uses it, how one declares it)
HARNESS = {
    "settle_test.go": (re.compile(r"\bsettle\("), re.compile(r"^func settle\(", re.M)),
    "parentctx_test.go": (re.compile(r"\bparentCtx\b"), re.compile(r"^type parentCtx\b", re.M)),
    "within_test.go": (re.compile(r"\bwithin\(t, "), re.compile(r"^func within\(", re.M)),
    "getall_test.go": (re.compile(r"\bgetAll\(t, "), re.compile(r"^func getAll\(", re.M)),
}


def add_harness(module: Path) -> None:
    """Copy each golden/_harness helper into every package of ``module`` whose tests use it
    and do not declare their own, renamed to that package."""
    tests: dict[tuple[Path, str], list[str]] = {}
    for t in module.rglob("*_test.go"):
        text = t.read_text(encoding="utf-8")
        package = re.search(r"^package (\w+)", text, re.M)
        if package:
            tests.setdefault((t.parent, package.group(1)), []).append(text)
    for (directory, package), texts in tests.items():
        for name, (use, declaration) in HARNESS.items():
            if any(use.search(t) for t in texts) and not any(declaration.search(t) for t in texts):
                helper = (GOLDEN / "_harness" / name).read_text(encoding="utf-8")
                (directory / f"harness_{package}_{name}").write_text(helper.replace("package harness", f"package {package}", 1))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_findings_match_want_comments(case: Path):
    rule = case.parent.name
    results = run_rule(case, rule, want_fixes=False)
    assert not [r.error for r in results if r.error]
    got = {(rel(case, r.abspath), f.line, f.message) for r in results for f in r.findings}
    expected = [(rel(case, p), line, rx) for p in case.rglob("*.go") for line, rx in wants(p)]
    unmatched = [w for w in expected if not any(g[0] == w[0] and g[1] == w[1] and re.search(w[2], g[2]) for g in got)]
    unexpected = [g for g in got if not any(g[0] == w[0] and g[1] == w[1] and re.search(w[2], g[2]) for w in expected)]
    assert not unmatched, f"expected findings not reported: {unmatched}\n got: {sorted(got)}"
    assert not unexpected, f"unexpected findings: {unexpected}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_output_is_exactly_golden(case: Path):
    rule = case.parent.name
    results = {rel(case, r.abspath): r for r in run_rule(case, rule)}
    for src in case.rglob("*.go"):
        golden = src.with_name(src.name + ".golden")
        expected = golden.read_bytes() if golden.exists() else src.read_bytes()
        r = results.get(rel(case, src))
        actual = r.fixed if r is not None and r.changed else src.read_bytes()
        assert actual == expected, f"{src.name}: output differs from {golden.name if golden.exists() else 'the input'}"


GOLDEN_OUTPUTS = sorted(GOLDEN.glob("*/*/**/*.go.golden"))


@pytest.mark.parametrize("golden", GOLDEN_OUTPUTS, ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden_output_parses_and_is_gofmt_stable(golden: Path):
    data = golden.read_bytes()
    assert not parse(data).root_node.has_error, "golden output does not parse"
    src = golden.with_suffix("")
    if gotools.gofmt_clean(src.read_bytes()):
        assert gotools.gofmt_clean(data), "input was gofmt-clean, output is not"


POSITIVE = [c for c in CASES if list(c.rglob("*.go.golden"))]


@pytest.mark.parametrize("case", POSITIVE, ids=case_id)
def test_fixing_the_output_again_changes_nothing(case: Path, tmp_path: Path):
    out = materialize(case, tmp_path / "m", outputs=True)
    results = run_rule(out, case.parent.name)
    assert [r.path for r in results if r.changed] == []


@pytest.mark.parametrize("case", POSITIVE, ids=case_id)
def test_output_passes_go_vet(case: Path, tmp_path: Path):
    out = materialize(case, tmp_path / "m", outputs=True)
    res = gotools.run_go(["vet", "./..."], cwd=str(out))
    assert res.returncode == 0, res.stderr


LEAK_PROOFS = [c for c in CASES if (c / "leak_test.go").exists()]


@pytest.mark.parametrize("case", LEAK_PROOFS, ids=case_id)
def test_leak_proof_fails_on_input_and_passes_on_output(case: Path, tmp_path: Path):
    assert list(case.rglob("*.go.golden")), "a leak proof needs a fixed output to pass on"
    proof = ["test", "-count=1", "-run", "Leak", "."]
    before, after = gotools.run_go_at_once([(proof, str(materialize(case, tmp_path / "in", outputs=False))),
                                            (proof, str(materialize(case, tmp_path / "out", outputs=True)))])
    assert before.returncode != 0, "the leak proof passes on the leaky input: it proves nothing\n" + before.stdout
    assert "leak" in (before.stdout + before.stderr).lower(), "the input failed for another reason:\n" + before.stdout + before.stderr
    assert after.returncode == 0, "the leak proof fails on the fixed output:\n" + after.stdout + after.stderr


BEHAVIOUR = [c for c in CASES if [t for t in c.glob("*_test.go") if t.name != "leak_test.go"]]


@pytest.mark.parametrize("case", BEHAVIOUR, ids=case_id)
def test_behaviour_tests_pass_before_and_after(case: Path, tmp_path: Path):
    runs = []
    for outputs in (False, True):
        d = materialize(case, tmp_path / ("out" if outputs else "in"), outputs)
        (d / "leak_test.go").unlink(missing_ok=True)
        runs.append((["test", "-count=1", "."], str(d)))
    for outputs, res in zip((False, True), gotools.run_go_at_once(runs)):
        assert res.returncode == 0, f"behaviour test fails on the {'output' if outputs else 'input'}:\n{res.stdout}{res.stderr}"


def test_every_rule_has_positive_and_negative_cases():
    from gofixleaks.transforms import RULES

    for rule in RULES:
        cases = [c for c in CASES if c.parent.name == rule.name]
        positive = [c for c in cases if c in POSITIVE]
        negative = [c for c in cases if not any(wants(p) for p in c.rglob("*.go"))]
        assert positive, f"{rule.name}: no positive golden case"
        assert negative, f"{rule.name}: no negative golden case"
        assert (GOLDEN / rule.name / rule.example).is_dir(), f"{rule.name}: example case {rule.example!r} missing"
