"""Blocked sites rendered: text (a table on a terminal, one block per site when piped),
JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
from typing import Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..report import sarif_log
from .dump import Frame, short_name
from .match import Covered
from .sites import Site

JSON_VERSION = 1


def site_dict(c: Covered) -> dict:
    s = c.site
    return {
        "path": c.path,
        "line": s.blocked.line,
        "function": s.blocked.function,
        "state": s.state_text,
        "count": s.count,
        "wait_minutes": s.wait_minutes,
        "created_by": {"path": c.creator_path, "line": s.created_by.line, "function": s.created_by.function}
        if s.created_by
        else None,
        "findings": [f.to_dict() for f in c.findings],
        # one goroutine's frames, innermost first (runtime frames too); [] when the dump has none
        "stack": [{"path": p, "line": loc.line, "function": loc.function} for p, loc in zip(c.stack_paths(), s.stack)],
    }


def as_json(covered: Iterable[Covered]) -> str:
    return json.dumps({"version": JSON_VERSION, "sites": [site_dict(c) for c in covered]}, indent=2, ensure_ascii=False)


def wait_text(s: Site) -> str:
    if s.wait_minutes is None:
        return ""
    return "<1 min" if s.wait_minutes == 0 else f"{s.wait_minutes} min"


def shown(path: str, function: str) -> str:
    """A path for people: the Go installation's own files as $GOROOT/src/... (JSON and
    SARIF keep the path the dump gave)."""
    if not Frame(function, path, 0).in_std:
        return path
    i = path.replace("\\", "/").rfind("/src/")
    return "$GOROOT" + path[i:] if i >= 0 else path


def describe(c: Covered) -> str:
    """One line: how many goroutines wait where, in what state."""
    s = c.site
    state = s.state_text or "an unknown state"
    wait = f", for {wait_text(s)}" if s.wait_minutes else ""
    where = shown(c.path, s.blocked.function)
    return f"{s.count} goroutine(s) in {state}{wait} at {where}:{s.blocked.line} in {short_name(s.blocked.function)}"


def _started_by(c: Covered) -> str:
    creator = c.site.created_by
    return f"{short_name(creator.function)} at {shown(c.creator_path or creator.path, creator.function)}:{creator.line}"


def text(covered: list[Covered], console: Console, threshold: int, show_findings: bool = True) -> None:
    """A table on a terminal; otherwise one block per site (greppable, stable)."""
    if console.is_terminal:
        table = Table(show_lines=False, highlight=False)
        for col in ("goroutines", "state", "wait", "blocked at", "started by") + (("findings",) if show_findings else ()):
            table.add_column(col, justify="right" if col == "goroutines" else "left", overflow="fold")
        for c in covered:
            s = c.site
            style = "bold red" if s.leaked else ("yellow" if s.count >= threshold else "")
            where = f"{shown(c.path, s.blocked.function)}:{s.blocked.line}\n{short_name(s.blocked.function)}"
            where += "" if c.in_scan or not show_findings else "\n(not in the scanned code)"
            creator = ""
            if s.created_by:
                creator = f"{shown(c.creator_path or s.created_by.path, s.created_by.function)}:{s.created_by.line}\n{short_name(s.created_by.function)}"
            row = [str(s.count), s.state_text or "?", wait_text(s), where, creator]
            if show_findings:
                row.append("\n".join(f"{f.rule} ({f.path}:{f.line})" for f in c.findings) or ("none" if c.in_scan else ""))
            table.add_row(*(escape(x) for x in row), style=style)
        console.print(table)
        return
    for c in covered:
        s = c.site
        console.print(escape(describe(c)) + ("" if c.in_scan or not show_findings else " (not in the scanned code)"), highlight=False)
        if s.created_by:
            console.print(f"    started by {escape(_started_by(c))}", highlight=False)
        if show_findings:
            for f in c.findings:
                console.print(f"    covered by {f.rule} at {escape(f.path)}:{f.line}: {escape(f.message)}", highlight=False)
            if c.in_scan and not c.findings:
                console.print("    no finding covers it", highlight=False)


_RULES = (
    ("leaked-goroutines", "goroutines the runtime's leak detector proved blocked forever"),
    ("many-blocked-goroutines", "many goroutines parked on one operation: a suspected leak"),
    ("blocked-goroutines", "goroutines parked on one operation"),
)


def sarif(covered: list[Covered], threshold: int) -> str:
    results = []
    for c in covered:
        s = c.site
        rule = 0 if s.leaked else (1 if s.count >= threshold else 2)
        related = []
        if s.created_by:
            related.append(_location(c.creator_path or s.created_by.path, s.created_by.line, f"started by {short_name(s.created_by.function)}"))
        related += [_location(f.path, f.line, f"{f.rule}: {f.message}") for f in c.findings]
        for i, r in enumerate(related):
            r["id"] = i
        result = {
            "ruleId": _RULES[rule][0],
            "ruleIndex": rule,
            "level": ("error", "warning", "note")[rule],
            "message": {"text": describe(c) + "".join(f"; covered by {f.rule}" for f in c.findings)},
            "locations": [_location(c.path, s.blocked.line)],
            "relatedLocations": related,
            "properties": {"count": s.count, "state": s.state_text, "wait_minutes": s.wait_minutes},
        }
        if s.stack:
            frames = [{"location": {**_location(p, loc.line), "logicalLocations": [{"fullyQualifiedName": loc.function}]}}
                      for p, loc in zip(c.stack_paths(), s.stack)]
            result["stacks"] = [{"message": {"text": "the stack of one of the goroutines, innermost frame first"}, "frames": frames}]
        results.append(result)
    rules = [{"id": rid, "shortDescription": {"text": desc}} for rid, desc in _RULES]
    return sarif_log(rules, results, properties={"threshold": threshold})


def _location(path: str, line: int, message: str | None = None) -> dict:
    loc: dict = {"physicalLocation": {"artifactLocation": {"uri": path.replace("\\", "/")}, "region": {"startLine": line}}}
    if message:
        loc["message"] = {"text": message}
    return loc
