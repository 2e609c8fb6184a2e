"""Render results: text (rich, coloured on a terminal), JSON, SARIF 2.1.0."""

from __future__ import annotations

import json
from typing import Iterable

from rich.console import Console
from rich.markup import escape

from . import __version__
from .engine import FileResult

JSON_VERSION = 1
_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def text(results: Iterable[FileResult], console: Console) -> tuple[int, int]:
    """Print findings as they stream in; return (findings, errors)."""
    n_findings = n_errors = 0
    for r in results:
        if r.error:
            n_errors += 1
            console.print(f"[bold]{escape(r.path)}[/]: [red]error:[/] {escape(r.error)}")
        for f in r.findings:
            n_findings += 1
            style = _SEVERITY_STYLE.get(f.severity, "")
            fix = " [green](fixable)[/]" if f.fixable else ""
            console.print(
                f"[bold]{escape(f.path)}:{f.line}:{f.column}[/]: [{style}]{escape(f.rule)}[/] "
                f"{escape(f.message)}{fix}",
                highlight=False,
            )
            for note in f.notes:
                console.print(f"    [dim]note: {escape(note)}[/]", highlight=False)
    return n_findings, n_errors


def as_json(results: list[FileResult]) -> str:
    doc = {
        "version": JSON_VERSION,
        "findings": [f.to_dict() for r in results for f in r.findings],
        "errors": [{"path": r.path, "message": r.error} for r in results if r.error],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def sarif(results: list[FileResult], rules) -> str:
    """SARIF 2.1.0; fixes travel as `fixes[].artifactChanges` so code-scanning UIs can offer them."""
    rule_index = {r.name: i for i, r in enumerate(rules)}
    sarif_results = []
    for r in results:
        for f in r.findings:
            res = {
                "ruleId": f.rule,
                "ruleIndex": rule_index.get(f.rule, 0),
                "level": _SARIF_LEVEL.get(f.severity, "warning"),
                "message": {"text": f.message},
                "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column)],
            }
            if f.fixes:
                res["fixes"] = [_sarif_fix(r, f.path, fx) for fx in f.fixes]
            sarif_results.append(res)
    notifications = [
        {"level": "error", "message": {"text": r.error}, "locations": [_location(r.path, 1, 1, 1, 1)]}
        for r in results
        if r.error
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gofixleaks",
                        "version": __version__,
                        "rules": [
                            {
                                "id": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.doc},
                                "defaultConfiguration": {"level": _SARIF_LEVEL.get(rule.severity, "warning")},
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "utf16CodeUnits",
                "results": sarif_results,
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _location(path: str, line: int, col: int, end_line: int, end_col: int) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": path.replace("\\", "/")},
            "region": {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col},
        }
    }


def _sarif_fix(result: FileResult, path: str, fix) -> dict:
    """SARIF regions want lines and columns; convert each byte-range edit."""
    from .source import SourceFile

    data = result.original if result.original is not None else open(result.abspath, "rb").read()
    sf = SourceFile(path, data)
    replacements = []
    for e in fix.edits:
        sl, sc = sf.line_col(e.start)
        el, ec = sf.line_col(e.end)
        replacements.append(
            {
                "deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                "insertedContent": {"text": e.new.decode("utf-8")},
            }
        )
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": {"uri": path.replace("\\", "/")}, "replacements": replacements}],
    }
