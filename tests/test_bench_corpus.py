"""bench/corpus/run.py joins findings with verdicts correctly, and the checked-in verdicts are well-formed."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "bench" / "corpus"


def _load(name: str):
    sys.path.insert(0, str(CORPUS))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_corpus_{name}", CORPUS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(CORPUS))


run = _load("run")
fetch = _load("fetch")
REPO = fetch.Repo("demo", "https://github.com/o/demo", "0" * 40, "service", "test")
HEADER = "path,line,rule,verdict,fix,reason\n"


def _finding(path: str, line: int, rule: str, fixable: bool) -> dict:
    return {"path": path, "line": line, "rule": rule, "fixable": fixable, "message": "m"}


def _write_out(out: Path, findings: list[dict], errors: list[dict] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    scan = {"version": 1, "findings": findings, "errors": errors or [], "partially_parsed": []}
    (out / "demo.scan.json").write_text(json.dumps(scan))
    (out / "demo.time.json").write_text(json.dumps({"scan": 1.5, "fix": 2.0}))


def test_join_counts_real_false_fixes_unjudged_and_stale(tmp_path):
    out, verdicts = tmp_path / "out", tmp_path / "verdicts"
    _write_out(
        out,
        [
            _finding("./a.go", 3, "r1", True),  # real, fix right
            _finding("a.go", 9, "r1", True),  # false, fix wrong
            _finding("b.go", 1, "r1", True),  # judged, but the fix is not (fix none)
            _finding("b.go", 5, "r2", False),  # no verdict row
            _finding("c.go", 2, "r2", False),  # its fix was judged right, and is no longer offered
        ],
        errors=[{"path": "x.go", "message": "syntax error at 1:1: boom"}, {"path": "y.go", "message": "not UTF-8"}],
    )
    verdicts.mkdir()
    (verdicts / "demo.csv").write_text(
        HEADER
        + "a.go,3,r1,real,right,ok\n"
        + "a.go,9,r1,false,wrong,no\n"
        + "b.go,1,r1,false,none,no\n"
        + "gone.go,7,r1,false,none,stale\n"
        + "c.go,2,r2,real,right,was fixed\n"
    )
    res = run.evaluate(REPO, tmp_path, out, verdicts)
    r1, r2 = res.rows
    assert (r1.rule, r1.findings, r1.judged, r1.real, r1.false) == ("r1", 3, 3, 1, 2)
    assert (r1.fixable, r1.fixable_real, r1.fix_right, r1.fix_wrong, r1.unjudged) == (3, 1, 1, 1, 1)
    assert (r2.findings, r2.judged, r2.unjudged) == (2, 1, 1)
    assert [u.split(":")[0:2] for u in res.unjudged] == [["b.go", "1"], ["b.go", "5"]]
    assert res.stale == ["gone.go:7: r1", "c.go:2: r2 (fix judged right, none offered)"]
    assert (res.syntax_errors, res.other_errors, res.scan_seconds) == (1, 1, 1.5)
    text = run.table([res])
    assert "Precision: 50% of judged findings real (2/4)" in text
    assert "| demo | r1 | 3 | 3 | 1 | 2 | 3 | 1 | 1 | 1 | 1 |" in text


@pytest.mark.parametrize(
    "body",
    [
        "path,line,rule,verdict,fix\n",  # a column missing
        HEADER + "a.go,3,r1,maybe,none,x\n",  # verdict not real/false
        HEADER + "a.go,x,r1,real,none,x\n",  # line not a number
        HEADER + "a.go,3,r1,real,none,x\na.go,3,r1,false,none,y\n",  # duplicate key
    ],
)
def test_malformed_verdicts_are_refused(tmp_path, body):
    path = tmp_path / "demo.csv"
    path.write_text(body)
    with pytest.raises(run.BadInput):
        run.load_verdicts(path)


def test_checked_in_verdicts_parse_and_match_repos():
    names = {r.name for r in fetch.load_repos()}
    files = {p.stem for p in (CORPUS / "verdicts").glob("*.csv")}
    assert files <= names
    for name in files:
        path = CORPUS / "verdicts" / f"{name}.csv"
        rows = run.load_verdicts(path)
        # header only: the tool reports nothing there any more (the file stays for others' rows)
        assert rows or path.read_text(encoding="utf-8").strip() == ",".join(run.VERDICT_COLUMNS), name
        assert all(v.reason.strip() for v in rows.values()), name


def test_checked_in_shape_verdicts_parse_and_name_corpus_repos():
    shapes = _load("shapes")
    rows = shapes.load_verdicts(CORPUS / "shape-verdicts.csv")
    assert rows
    names = {r.name for r in fetch.load_repos()} | {"go"}  # go: the standard library
    assert {key[0] for key in rows} <= names
    assert all(reason.strip() for _, reason in rows.values())


def test_malformed_shape_verdicts_are_refused(tmp_path):
    shapes = _load("shapes")
    path = tmp_path / "v.csv"
    path.write_text("repo,path,state,text,fix,verdict,reason\ncaddy,a.go,chan send,ch <- 1,buffer ch,maybe,x\n")
    with pytest.raises(SystemExit):
        shapes.load_verdicts(path)
