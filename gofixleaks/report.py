"""Render results: text (rich, coloured on a terminal), JSON, SARIF 2.1.0, reviewdog's rdjson."""

from __future__ import annotations

import bisect
import collections
import json
from typing import TYPE_CHECKING, Iterable

from . import __version__, verify
from .edits import REVIEW, TextEdit, apply, import_edit
from .engine import FileResult
from .evidence import PROVEN_LEAK, PROVEN_LEAK_DOC, PROVEN_LEAK_SUMMARY
from .source import SourceFile, line_starts
from .textsafe import printable

if TYPE_CHECKING:
    from rich.console import Console  # rich is imported when text is rendered: JSON and SARIF runs skip it

JSON_VERSION = 1
_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def partially_parsed(r: FileResult) -> str:
    """Why ``r`` was analysed only in part: one line for every output format."""
    line, col = r.unsupported
    return (f"partially parsed: Go accepts the file but the parser does not support the syntax at {line}:{col}; "
            "the declarations holding it were not analysed and the file is not fixed")


def partially_parsed_count(results: list[FileResult], sep: str) -> str:
    """The summaries' count of files analysed only in part (syntax the parser lacks)."""
    n = sum(1 for r in results if r.unsupported)
    return f"{sep}partially parsed: {n} file(s)" if n else ""


def shown(text: str) -> str:
    """Text from the code or the file system, as rich markup that prints it as it is, its
    control characters escaped (a comment may hold terminal escapes)."""
    from rich.markup import escape

    return escape(printable(text))


def text(results: Iterable[FileResult], console: Console) -> tuple[int, int]:
    """Print findings as they stream in; return (findings, errors)."""
    n_findings = n_errors = 0
    for r in results:
        if r.error:
            n_errors += 1
            console.print(f"[bold]{shown(r.path)}[/]: [red]error:[/] {shown(r.error)}")
        if r.unsupported:
            console.print(f"[bold]{shown(r.path)}[/]: note: {shown(partially_parsed(r))}")
        for f in r.findings:
            n_findings += 1
            style = _SEVERITY_STYLE.get(f.severity, "")
            fix = " [green](fixable)[/]" if f.fixable else ""
            console.print(
                f"[bold]{shown(f.path)}:{f.line}:{f.column}[/]: [{style}]{shown(f.rule)}[/] "
                f"{shown(f.message)}{fix}",
                highlight=False,
            )
            for note in f.notes:
                console.print(f"    [dim]note: {shown(note)}[/]", highlight=False)
    return n_findings, n_errors


def fix_notes(results: list[FileResult], err: Console, review_left_out: bool) -> None:
    """What `fix` prints on stderr besides the summary: unreadable files, findings without a
    fix (and why), `review` fixes left out, and the follow-ups the applied fixes leave (a
    context.TODO() to plumb on). What --verify found is told as it finishes (cli.compute_fixes)."""
    for r in results:
        if r.error:
            err.print(f"[bold]{shown(r.path)}[/]: [red]error:[/] {shown(r.error)}", highlight=False)
        if r.unsupported:
            err.print(f"[bold]{shown(r.path)}[/]: note: {shown(partially_parsed(r))}", highlight=False)
        for f in r.findings:
            if not f.fixable:
                err.print(f"[bold]{shown(f.path)}:{f.line}:{f.column}[/]: {shown(f.rule)} {shown(f.message)} [dim](no automatic fix)[/]", highlight=False)
                for note in f.notes:
                    err.print(f"    [dim]note: {shown(note)}[/]", highlight=False)
        for f in _review_left_out(r) if review_left_out else ():
            err.print(f"[bold]{shown(f.path)}:{f.line}:{f.column}[/]: {f.rule}: [yellow]review fix not applied[/] "
                      f"({shown(f.fixes[0].message)}); --unsafe-fixes applies it", highlight=False)
        for a in r.applied:
            for follow in a.follow_ups:
                err.print(f"follow-up: {shown(follow)}", highlight=False)


def _review_left_out(r: FileResult) -> list:
    applied = {a.start for a in r.applied}
    return [f for f in r.findings if f.fixes and f.fixes[0].applicability == REVIEW and f.start not in applied]


def fix_summary(results: list[FileResult], verb: str, review_left_out: bool, unwritten: frozenset[str] = frozenset()) -> str:
    """The last line of `fix`: how many fixes in how many files, by rule. ``unwritten``: the
    files (absolute paths) whose fixes could not be written; they are counted apart."""
    written = [r for r in results if r.abspath not in unwritten]
    # fixes are counted as scan counts fixable findings; the edits they need besides
    # (plumbing's ctx parameters and call sites, a later round's fix) apart
    follow_on = {id(a) for r in results for a in r.follow_on}
    per_rule = collections.Counter(a.rule for r in written for a in r.applied if id(a) not in follow_on)
    n_follow_on = sum(1 for r in written for a in r.applied if id(a) in follow_on)
    changed = sum(1 for r in written if r.changed)
    lost = [r for r in results if r.abspath in unwritten and r.changed]
    breakdown = ", ".join(f"{rule} {n}" for rule, n in sorted(per_rule.items()))
    checked = verify.summarize(results)
    n_review = sum(len(_review_left_out(r)) for r in results) if review_left_out else 0
    return (
        f"gofixleaks: {verb} {sum(per_rule.values())} fix(es) in {changed} file(s)"
        + (f" ({breakdown})" if breakdown else "")
        + (f" and {n_follow_on} follow-on edit(s) they need (context plumbing, or a fix another made possible)"
           if n_follow_on else "")
        + (f"; {sum(1 for r in lost for a in r.applied if id(a) not in follow_on)} fix(es) in {len(lost)} file(s) "
           "not written" if lost else "")
        + (f"; {n_review} review fix(es) not applied (--unsafe-fixes applies them)" if n_review else "")
        + (f"; --verify: {checked.line()}" if checked.judged else "")
        + partially_parsed_count(results, "; ")
    )


def as_json(results: list[FileResult]) -> str:
    doc = {
        "version": JSON_VERSION,
        "findings": [{**f.to_dict(), **_verdict_fields(verdicts, f)} for r in results
                     for verdicts in [_verdicts(r)] for f in r.findings],
        "errors": [{"path": r.path, "message": r.error} for r in results if r.error],
        "partially_parsed": [
            {"path": r.path, "line": r.unsupported[0], "column": r.unsupported[1], "message": partially_parsed(r)}
            for r in results
            if r.unsupported
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _verdicts(r: FileResult) -> dict[tuple[str, int], tuple[str, str]]:
    """--verify's verdict on each fix of ``r`` by its finding's (rule, start): (verified, why)."""
    out = {(a.rule, a.start): (a.verified, a.verification) for a in r.applied if a.verified}
    out.update({(d.fix.rule, d.fix.start): (d.verdict, d.message) for d in r.dropped})
    return out


def _verdict_fields(verdicts: dict[tuple[str, int], tuple[str, str]], f) -> dict[str, str]:
    """A finding's `verified` (vet, tests, unverifiable or dropped) and `verification`, when --verify judged its fix."""
    verdict = verdicts.get((f.rule, f.start))
    return {"verified": verdict[0], "verification": verdict[1]} if verdict else {}


def sarif(results: list[FileResult], rules) -> str:
    """SARIF 2.1.0; fixes travel as `fixes[].artifactChanges` so code-scanning UIs can offer them."""
    rule_index = {r.name: i for i, r in enumerate(rules)}
    sarif_results = []
    for r in results:
        if not r.findings:
            continue
        data = _source_bytes(r)
        columns = _Utf16Columns(data) if data is not None else None
        verdicts = _verdicts(r)
        for f in r.findings:
            if columns is not None:
                region = columns.region(f.start, f.end)
            else:  # the file is gone: byte columns are the best left (exact for ASCII)
                region = _region(f.line, f.column, f.end_line, f.end_column)
            res = {
                "ruleId": f.rule,
                # proven-leak (no static rule) is described after the rules
                "ruleIndex": rule_index.get(f.rule, len(rules)),
                "level": _SARIF_LEVEL.get(f.severity, "warning"),
                "message": {"text": f.message},
                "locations": [_location(f.path, region)],
            }
            checked = _verdict_fields(verdicts, f)
            if checked:
                res["properties"] = checked
            if f.fixes and data is not None and checked.get("verified") not in (verify.DROPPED, verify.UNVERIFIABLE):
                res["fixes"] = [_sarif_fix(data, columns, f.path, fx) for fx in f.fixes]
            sarif_results.append(res)
    notifications = [
        {"level": "error", "message": {"text": r.error}, "locations": [_location(r.path, _region(1, 1, 1, 1))]}
        for r in results
        if r.error
    ] + [
        {"level": "warning", "message": {"text": partially_parsed(r)}, "locations": [_location(r.path, _region(*r.unsupported, *r.unsupported))]}
        for r in results
        if r.unsupported
    ]
    rule_docs = [_descriptor(rule.name, rule.summary, rule.doc, rule.severity) for rule in rules]
    if any(d["ruleId"] == PROVEN_LEAK for d in sarif_results):
        rule_docs.append(_descriptor(PROVEN_LEAK, PROVEN_LEAK_SUMMARY, PROVEN_LEAK_DOC, "error"))
    return sarif_log(
        rule_docs,
        sarif_results,
        columnKind="utf16CodeUnits",
        invocations=[{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
    )


def _descriptor(name: str, summary: str, doc: str, severity: str) -> dict:
    return {
        "id": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": doc},
        "defaultConfiguration": {"level": _SARIF_LEVEL.get(severity, "warning")},
    }


def sarif_log(rules: list[dict], results: list[dict], **run: object) -> str:
    """A SARIF 2.1.0 log of one gofixleaks run: its rules' descriptors, its results, and
    ``run``'s further properties of the run object."""
    driver = {"name": "gofixleaks", "version": __version__, "rules": rules}
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, **run, "results": results}],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _region(line: int, col: int, end_line: int, end_col: int) -> dict:
    return {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}


def _location(path: str, region: dict) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": path.replace("\\", "/")}, "region": region}}


class _Utf16Columns:
    """Byte offsets as SARIF regions in the columnKind the run declares (utf16CodeUnits):
    Finding columns count bytes, which differ from UTF-16 units after any non-ASCII text."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = line_starts(data)

    def point(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, offset) - 1
        prefix = self.data[self.starts[row] : offset].decode("utf-8", "replace")
        return row + 1, len(prefix.encode("utf-16-le")) // 2 + 1

    def region(self, start: int, end: int) -> dict:
        return _region(*self.point(start), *self.point(end))


def _source_bytes(result: FileResult) -> bytes | None:
    if result.original is not None:
        return result.original
    try:
        with open(result.abspath, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def fix_edits(data: bytes, path: str, fix) -> tuple[list[TextEdit], TextEdit | None]:
    """What applying ``fix`` alone to ``data`` does: its own edits in file order, and the
    import edit it needs (None when the file already imports everything)."""
    imp = import_edit(SourceFile(path, data), fix.imports) if fix.imports else None
    return sorted(fix.edits, key=lambda e: (e.start, e.end)), imp


def _sarif_fix(data: bytes, columns: _Utf16Columns, path: str, fix) -> dict:
    """Each byte-range edit as a replacement, plus the import edit the fix needs."""
    own, imp = fix_edits(data, path, fix)
    changes = own + ([imp] if imp is not None else [])
    replacements = [
        {"deletedRegion": columns.region(e.start, e.end), "insertedContent": {"text": e.new.decode("utf-8")}}
        for e in sorted(changes, key=lambda e: (e.start, e.end))
    ]
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": {"uri": path.replace("\\", "/")}, "replacements": replacements}],
    }


_RDJSON_SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def rdjson(results: list[FileResult]) -> str:
    """reviewdog's Diagnostic Format (rdjson: DiagnosticResult), for `reviewdog -f=rdjson`.
    Positions are 1-based lines and UTF-8 byte columns, ends exclusive, as the format
    defines them. A fix becomes suggestions reviewdog can post as one-click suggested
    changes: one replacing the span its own edits cover (GitHub anchors the suggestion to
    the first one's lines, so those go first, in one piece), then the import it needs."""
    diagnostics = []
    for r in results:
        data = _source_bytes(r) if r.findings else None
        starts = line_starts(data) if data is not None else []
        # a fix that needs context plumbing edits other files too: alone it would not build
        plumbed = {(g.rule, g.start) for c in r.candidates for g in c.findings}
        for f in r.findings:
            suggest = bool(f.fixes and f.fixes[0].edits) and data is not None and (f.rule, f.start) not in plumbed
            d = {
                "message": _rdjson_message(f, suggest),
                "location": {"path": f.path.replace("\\", "/"), "range": {
                    "start": {"line": f.line, "column": f.column}, "end": {"line": f.end_line, "column": f.end_column}}},
                "severity": _RDJSON_SEVERITY.get(f.severity, "WARNING"),
                "code": {"value": f.rule},
            }
            if suggest:
                own, imp = fix_edits(data, f.path, f.fixes[0])
                start, end = own[0].start, max(e.end for e in own)
                shifted = [TextEdit(e.start - start, e.end - start, e.new) for e in own]
                pieces = [(start, end, apply(data[start:end], shifted))] + ([(imp.start, imp.end, imp.new)] if imp else [])
                d["suggestions"] = [{"range": _rdjson_range(starts, a, b), "text": new.decode("utf-8")} for a, b, new in pieces]
            diagnostics.append(d)
        if r.error:  # the whole file: no range (it is never edited)
            diagnostics.append({"message": r.error, "location": {"path": r.path.replace("\\", "/")}, "severity": "ERROR"})
    doc = {"source": {"name": "gofixleaks"}, "diagnostics": diagnostics}
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _rdjson_message(f, suggested: bool) -> str:
    """The reason, then what the suggestion does and how safe it is, or why there is none."""
    fix = f"\nFix ({f.fixes[0].applicability}): {f.fixes[0].message}" if suggested else ""
    return f.message + fix + "".join(f"\nNote: {n}" for n in f.notes)


def _rdjson_range(starts: list[int], start: int, end: int) -> dict:
    def point(offset: int) -> dict:
        row = bisect.bisect_right(starts, offset) - 1
        return {"line": row + 1, "column": offset - starts[row] + 1}

    return {"start": point(start), "end": point(end)}
