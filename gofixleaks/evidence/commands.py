"""What the CLI's `test`, `evidence` and `fix --evidence` call: gather evidence (the tests'
leak check, a dump file or a live service's pprof endpoint), tie it to the findings, render.

Sites that no finding covers are what a package-wide model of goroutines and channels would
aim the fixers at: each one's blocked operation (Site.blocked: path, line, function), its
state (chan send, chan receive, select, ...) and the `go` statement that started it
(Site.created_by) are the data such a fixer needs. `fix --evidence` lists them; it does not
fix them."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from rich.console import Console
from rich.markup import escape

from .. import engine
from ..discover import DiscoveryError, Target, discover
from ..edits import REVIEW
from ..engine import FileResult
from ..rule import Finding
from . import leakcheck, render
from .dump import Dump, DumpError, parse, short_name
from .match import Covered, Index
from .sites import DEFAULT_THRESHOLD, Site, group

TESTS = "tests"
FETCH_TIMEOUT = 60  # seconds: a leak profile runs a GC first, which takes a while on a big heap


class EvidenceError(Exception):
    """Evidence that cannot be read: one line, exit 2."""


@dataclass(frozen=True)
class Evidence:
    description: str  # where it came from, for the user
    sites: tuple[Site, ...]
    tests: leakcheck.Run | None  # set when it came from the tests


def load(source: str) -> tuple[str, Dump]:
    """(description, dump) from a file or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        url, data = _fetch(source)
        where = url
    else:
        try:
            with open(source, "rb") as f:
                data = f.read()
        except OSError as e:
            raise EvidenceError(f"{source}: cannot read: {e.strerror or e}") from None
        where = source
    try:
        dump = parse(data)
    except DumpError as e:
        raise EvidenceError(f"{where}: {e}") from None
    return f"{where}: {dump.source}", dump


def _fetch(url: str) -> tuple[str, bytes]:
    """A pprof URL's body. The bare /debug/pprof/ index stands for the leak profile at
    debug=2 (every goroutine, tagged where proven leaked), or the goroutine dump on a
    runtime without that profile."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.path.rstrip("/") == "/debug/pprof":
        base = url.split("?", 1)[0].rstrip("/")
        candidates = [f"{base}/goroutineleak?debug=2", f"{base}/goroutine?debug=2"]
    else:
        candidates = [url]
    for i, candidate in enumerate(candidates):
        try:
            with urllib.request.urlopen(candidate, timeout=FETCH_TIMEOUT) as resp:
                return candidate, resp.read()
        except urllib.error.HTTPError as e:
            if e.code == 404 and i + 1 < len(candidates):
                continue
            raise EvidenceError(f"{candidate}: HTTP {e.code} {e.reason}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise EvidenceError(f"{candidate}: cannot fetch: {reason}") from None
    raise AssertionError("unreachable")


def evidence(source: str, cfg, targets: list[Target], fmt: str, threshold: int, out: Console, err: Console) -> int:
    """`gofixleaks evidence`: 1 when a site is a proven leak or holds ``threshold``
    goroutines or more, else 0."""
    description, dump = load(source)
    sites = group(dump.goroutines)
    results = list(engine.run(targets, cfg, want_fixes=False))
    index = Index(targets, results)
    covered = mark([index.cover(s) for s in sites], lambda c: c.site.suspected(threshold))
    suspected = [c for c in covered if c.site.suspected(threshold)]
    if fmt == "json":
        out.file.write(render.as_json(covered) + "\n")
    elif fmt == "sarif":
        out.file.write(render.sarif(covered, threshold) + "\n")
    else:
        out.print(escape(f"{description}, {dump.total} goroutine(s), {sum(c.site.count for c in covered)} blocked at {len(covered)} site(s)"), highlight=False)
        out.print(
            f"a site is a suspected leak when the leak profile proved it (leaked) or {threshold} or more goroutines "
            "are parked on it (--threshold)",
            highlight=False,
        )
        render.text(covered, out, threshold)
    err.print(
        f"gofixleaks: {len(suspected)} suspected leak site(s) of {len(covered)}; "
        f"{sum(1 for c in suspected if c.findings)} covered by a finding",
        highlight=False,
    )
    return 1 if suspected else 0


def test(paths: tuple[str, ...], test_run: str | None, timeout: str | None, fmt: str, out: Console, err: Console) -> int:
    """`gofixleaks test`: see leakcheck.py; the exit code is Run.exit_code."""
    try:
        result = leakcheck.run(paths, test_run, timeout)
        index = Index(discover(paths), [])
    except (leakcheck.LeakCheckError, DiscoveryError) as e:
        raise EvidenceError(str(e)) from None
    if fmt == "json":
        doc = {
            "version": render.JSON_VERSION,
            "leak_profile": result.leak_profile,
            "packages": [
                {
                    "package": p.import_path,
                    "dir": p.dir,
                    "status": p.status,
                    "message": p.message,
                    "sites": [_without_findings(render.site_dict(index.cover(s))) for s in p.sites],
                }
                for p in result.packages
            ],
        }
        out.file.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        for p in result.packages:
            style = {"ok": "green", "build-error": "red"}.get(p.status, "bold red")
            out.print(f"[{style}]{p.status}[/] {escape(p.import_path)}" + (f": {escape(p.message)}" if p.message else ""), highlight=False)
            if p.left:
                render.text([index.cover(s) for s in p.sites], out, DEFAULT_THRESHOLD, show_findings=False)
    how = "the leak profile (goroutineleak) and goroutine dumps" if result.leak_profile else "goroutine dumps (this Go has no leak profile)"
    n_leaky = sum(1 for p in result.packages if p.left)
    n_tested = sum(1 for p in result.packages if p.status != "build-error")
    err.print(
        f"gofixleaks: {n_tested} package(s) tested with {how}: {n_leaky} with goroutines left behind"
        + (f"; {result.no_tests} without test files" if result.no_tests else ""),
        highlight=False,
    )
    return result.exit_code


def _without_findings(site: dict) -> dict:
    del site["findings"]  # `test` scans nothing: an empty list would read as "no finding covers it"
    return site


# --- fix --evidence -------------------------------------------------------------------


def gather(source: str, paths: tuple[str, ...]) -> Evidence:
    """The evidence `fix --evidence SOURCE` works from: the tests' leak check, or a dump."""
    if source == TESTS:
        try:
            run = leakcheck.run(paths)
        except leakcheck.LeakCheckError as e:
            raise EvidenceError(str(e)) from None
        broken = [p for p in run.packages if p.status == "build-error"]
        if broken:
            raise EvidenceError(f"{broken[0].import_path}: does not build: {broken[0].message}")
        return Evidence("the tests' leak check", tuple(run.sites), run)
    description, dump = load(source)
    return Evidence(description, tuple(group(dump.goroutines)), None)


def mark(covered: list[Covered], confirms: Callable[[Covered], bool]) -> list[Covered]:
    """``covered`` with the findings of each site that ``confirms`` carrying `evidence`:
    what was seen there, one line per site (a finding covering several sites lists each)."""
    seen: dict[tuple[str, int, str], list[str]] = {}
    for c in covered:
        if confirms(c):
            for f in c.findings:
                seen.setdefault(_finding_key(f), []).append(render.describe(c))
    return [dataclasses.replace(c, findings=tuple(_marked(f, seen) for f in c.findings)) for c in covered]


def _finding_key(f: Finding) -> tuple[str, int, str]:
    return f.path, f.start, f.rule


def _marked(f: Finding, seen: dict[tuple[str, int, str], list[str]]) -> Finding:
    return dataclasses.replace(f, evidence="; ".join(seen[_finding_key(f)])) if _finding_key(f) in seen else f


def confirm(results: list[FileResult], targets: list[Target], ev: Evidence, threshold: int) -> tuple[list[FileResult], list[Covered]]:
    """The findings the evidence confirms get `evidence` set; their files come first, and
    within a file confirmed findings come first. Only suspected sites (proven leaks, sites
    over ``threshold``) confirm, and everything the tests left behind."""
    index = Index(targets, results)
    covered = mark(
        [index.cover(s) for s in ev.sites if ev.tests is not None or s.suspected(threshold)], lambda c: True
    )
    seen = {_finding_key(f): f for c in covered for f in c.findings}
    for r in results:
        marked = [seen.get(_finding_key(f), f) for f in r.findings]
        r.findings = sorted(marked, key=lambda f: not f.evidence)  # stable: source order otherwise
    results = sorted(results, key=lambda r: not any(f.evidence for f in r.findings))
    return results, covered


def report(ev: Evidence, covered: list[Covered], results: list[FileResult], err: Console) -> None:
    """On stderr: the findings the evidence confirms and whether this run fixes them, then
    the sites no finding covers."""
    err.print(escape(f"gofixleaks: evidence from {ev.description}: {len(covered)} site(s) to account for"), highlight=False)
    applied = {(r.path, a.start) for r in results for a in r.applied}
    confirmed = {}
    for c in covered:
        for f in c.findings:
            confirmed.setdefault((f.path, f.line, f.rule), (f, []))[1].append(render.describe(c))
    for (path, line, rule), (f, seen) in confirmed.items():
        if (f.path, f.start) in applied:
            fix = "fixed"
        elif f.fixable and f.fixes[0].applicability == REVIEW:
            fix = "a review fix, left out: --unsafe-fixes applies it"
        else:
            fix = "not fixed" if f.fixable else "no automatic fix"
        err.print(escape(f"  confirmed: {path}:{line} {rule} ({fix}): {'; '.join(seen)}"), highlight=False)
    for c in uncovered(covered):
        where = "" if c.in_scan else " (not in the scanned code)"
        err.print(escape(f"  no finding covers: {render.describe(c)}{where}"), highlight=False)


def uncovered(covered: list[Covered]) -> list[Covered]:
    """Evidence no rule reported: the targets for fixers driven by a package-wide model."""
    return [c for c in covered if not c.findings]


def recheck(ev: Evidence, paths: tuple[str, ...], err: Console) -> None:
    """After `fix --evidence tests --write`: run the tests again and say which leaks are gone."""
    assert ev.tests is not None
    try:
        again = leakcheck.run(paths)
    except leakcheck.LeakCheckError as e:
        err.print(escape(f"gofixleaks: cannot re-run the tests: {e}"), highlight=False)
        return
    before = {s.key(): s for s in ev.sites}
    after = {s.key(): s for s in again.sites}
    gone = [s for k, s in before.items() if k not in after]
    err.print(f"gofixleaks: re-ran the tests: {len(gone)} of {len(before)} leak site(s) gone", highlight=False)
    for label, sites in (("gone", gone), ("still there", [s for k, s in after.items() if k in before]), ("new", [s for k, s in after.items() if k not in before])):
        for s in sites:
            err.print(escape(f"  {label}: {short_name(s.blocked.function)} ({s.state_text or 'blocked'}, {s.count} goroutine(s))"), highlight=False)
    for p in again.packages:
        if p.status in ("fail", "timeout", "deadlock", "build-error", "unchecked"):
            err.print(escape(f"  {p.status}: {p.import_path}: {p.message}"), highlight=False)
