"""`scan --format rdjson`: reviewdog's Diagnostic Format, checked against reviewdog's own
published JSON Schema (vendored in tests/data/reviewdog), and its suggestions applied the way
reviewdog reads them (1-based lines, UTF-8 byte columns, exclusive ends) give what `fix` gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from gofixleaks import report
from gofixleaks.edits import Fix, TextEdit
from gofixleaks.engine import FileResult
from gofixleaks.rule import Finding

from .conftest import LEAKY, ROOT, write_module

SCHEMA = json.loads((Path(__file__).parent / "data" / "reviewdog" / "DiagnosticResult.json").read_text())
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)


def apply_suggestions(text: bytes, suggestions: list[dict]) -> bytes:
    """Apply rdjson suggestions as reviewdog defines them: (line, column) are 1-based, columns
    count UTF-8 bytes, the end is exclusive; all of a diagnostic's suggestions go together."""
    starts = [0] + [i + 1 for i, b in enumerate(text) if b == 0x0A]

    def offset(pos: dict) -> int:
        return starts[pos["line"] - 1] + pos["column"] - 1

    spans = sorted((offset(s["range"]["start"]), offset(s["range"]["end"]), s["text"].encode()) for s in suggestions)
    out, pos = [], 0
    for a, b, new in spans:
        assert a >= pos, "suggestions overlap"
        out += [text[pos:a], new]
        pos = b
    return b"".join(out) + text[pos:]


def test_the_schema_rejects_what_reviewdog_would_reject():
    # the vendored schema is lax (no required fields), so show it does check types and enums
    assert not VALIDATOR.is_valid({"diagnostics": [{"severity": "SEVERE"}]})
    assert not VALIDATOR.is_valid({"diagnostics": [{"location": {"range": {"start": {"line": "6"}}}}]})


def test_rdjson_of_every_rule_in_the_example_service_is_valid(cli, tmp_path):
    service = shutil.copytree(ROOT / "examples" / "leaky-service", tmp_path / "svc")
    r = cli("scan", "--format", "rdjson", cwd=service)
    assert r.code == 1
    doc = json.loads(r.stdout)
    errors = sorted(VALIDATOR.iter_errors(doc), key=str)
    assert not errors, errors[0].message if errors else ""
    assert doc["source"] == {"name": "gofixleaks"}
    rules = {d["code"]["value"] for d in doc["diagnostics"]}
    assert {"ticker-not-stopped", "cancel-not-called", "unbounded-goroutines", "loop-without-exit"} <= rules
    for d in doc["diagnostics"]:
        assert d["severity"] == "WARNING" and d["location"]["range"]["start"]["line"] >= 1
    # a fix that needs context plumbing edits other files: no suggestion, and the note says why
    (warm,) = [d for d in doc["diagnostics"] if d["location"]["path"] == "warmer.go"]
    assert "suggestions" not in warm and "adds `ctx context.Context` to warm" in warm["message"]
    # the others carry their fix, graded
    (ticker,) = [d for d in doc["diagnostics"] if d["code"]["value"] == "ticker-not-stopped"]
    assert ticker["message"].endswith("\nFix (safe): add `defer t.Stop()` after it is made")


def test_suggestion_columns_are_utf8_bytes_and_applying_it_gives_what_fix_gives(cli, tmp_path):
    # 计时器 is 9 bytes of UTF-8, 3 characters; 𝑡 is 4 bytes, 1 character (2 UTF-16 units)
    src = LEAKY.replace("\tt := time.NewTicker(d)\n\t<-t.C", "\t/*𝑡*/ 计时器 := time.NewTicker(d)\n\t<-计时器.C")
    m = write_module(tmp_path / "m", {"poll.go": src})
    (d,) = json.loads(cli("scan", "--format", "rdjson", cwd=m).stdout)["diagnostics"]
    before = "\t/*𝑡*/ 计时器 := "
    assert d["location"]["range"] == {
        "start": {"line": 6, "column": 1 + len(before.encode())},
        "end": {"line": 6, "column": 1 + len((before + "time.NewTicker(d)").encode())},
    }
    (s,) = d["suggestions"]
    fixed = apply_suggestions(src.encode(), d["suggestions"])
    assert s["range"]["start"]["column"] == 1 + len((before + "time.NewTicker(d)").encode())
    cli("fix", "--write", cwd=m)
    assert fixed == (m / "poll.go").read_bytes() != src.encode()


@pytest.mark.parametrize("crlf", [False, True])
def test_a_fix_with_several_edits_and_an_import_is_one_suggestion_then_the_import(tmp_path, crlf):
    text = LEAKY.replace("\n", "\r\n") if crlf else LEAKY
    data = text.encode()
    path = tmp_path / "poll.go"
    path.write_bytes(data)
    nl = b"\r\n" if crlf else b"\n"
    at = data.index(b"\t<-t.C")
    end = at + len(b"\t<-t.C")
    fix = Fix("watch ctx", (TextEdit(end, end, b" // done"), TextEdit(at, at, b"\t_ = context.TODO()" + nl)), imports=("context",))
    f = Finding("loop-without-exit", "warning", "poll.go", at, end, 7, 1, 7, 7, "m", (fix,))
    doc = json.loads(report.rdjson([FileResult("poll.go", str(path), [f])]))
    assert VALIDATOR.is_valid(doc)
    own, imp = doc["diagnostics"][0]["suggestions"]
    # GitHub anchors the comment to the first suggestion's lines: the fix's own edits, whole
    assert own == {"range": {"start": {"line": 7, "column": 1}, "end": {"line": 7, "column": 7}},
                   "text": "\t_ = context.TODO()" + nl.decode() + "\t<-t.C // done"}
    assert imp["range"] == {"start": {"line": 3, "column": 1}, "end": {"line": 3, "column": 14}}
    expected = text.replace('import "time"', 'import (\n\t"context"\n\t"time"\n)'.replace("\n", nl.decode()))
    expected = expected.replace("\t<-t.C", "\t_ = context.TODO()" + nl.decode() + "\t<-t.C // done")
    assert apply_suggestions(data, [own, imp]) == expected.encode()


def test_a_file_that_does_not_parse_is_an_error_diagnostic_without_a_range(cli, tmp_path):
    m = write_module(tmp_path / "m", {"bad.go": "package p\n\nimport \"time\"\n\nfunc f() { time.NewTicker(1\n"})
    r = cli("scan", "--format", "rdjson", cwd=m)
    doc = json.loads(r.stdout)
    assert r.code == 1 and VALIDATOR.is_valid(doc)
    (d,) = doc["diagnostics"]
    assert d["severity"] == "ERROR" and d["location"] == {"path": "bad.go"} and "syntax error" in d["message"]
