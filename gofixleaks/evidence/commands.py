"""What the CLI's `test`, `evidence` and `fix --evidence` call: gather evidence (the tests'
leak check, a dump file or a live service's pprof endpoint), tie it to the findings, render.

A proven leak site that no rule's fix unblocks is handed to targeted/, which aims the
existing fixers' edits at its blocked operation (Site.blocked: path, line; its state); with
the tests as evidence each such fix is proven by running the tests again with it, or
withdrawn (`target`)."""

from __future__ import annotations

import dataclasses
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from rich.console import Console
from rich.markup import escape

from .. import engine
from ..discover import DiscoveryError, Target, discover
from ..edits import REVIEW, SAFE, TextEdit
from ..edits import apply as apply_edits
from ..engine import AppliedFix, FileResult
from ..source import SourceFile
from ..source import parse as parse_bytes
from ..rule import Finding
from . import DEFAULT_THRESHOLD, leakcheck, render, targeted
from .dump import Dump, DumpError, parse, short_name
from .match import Covered, Index
from .sites import Site, group

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


def test(paths: tuple[str, ...], test_run: str | None, timeout: str | None, repeat: leakcheck.Repeat, fmt: str,
         out: Console, err: Console) -> int:
    """`gofixleaks test`: see leakcheck.py; the exit code is Run.exit_code."""
    try:
        result = leakcheck.run(paths, test_run, timeout, repeat=repeat)
        index = Index(discover(paths), [])
    except (leakcheck.LeakCheckError, DiscoveryError) as e:
        raise EvidenceError(str(e)) from None
    if fmt == "json":
        doc = {
            "version": render.JSON_VERSION,
            "leak_profile": result.leak_profile,
            "count": repeat.count,
            "cpu": list(repeat.cpus),
            "race": repeat.race,
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
        f"gofixleaks: {n_tested} package(s) tested{repeat.describe()} with {how}: {n_leaky} with goroutines left behind"
        + (f"; {result.no_tests} without test files" if result.no_tests else ""),
        highlight=False,
    )
    return result.exit_code


def _without_findings(site: dict) -> dict:
    del site["findings"]  # `test` scans nothing: an empty list would read as "no finding covers it"
    return site


# --- fix --evidence -------------------------------------------------------------------


def gather(source: str, paths: tuple[str, ...], repeat: leakcheck.Repeat = leakcheck.Repeat()) -> Evidence:
    """The evidence `fix --evidence SOURCE` works from: the tests' leak check (each test as
    often as ``repeat`` says, and so every re-run that proves or reports a fix), or a dump."""
    if source == TESTS:
        try:
            run = leakcheck.run(paths, repeat=repeat)
        except leakcheck.LeakCheckError as e:
            raise EvidenceError(str(e)) from None
        broken = [p for p in run.packages if p.status == "build-error"]
        if broken:
            raise EvidenceError(f"{broken[0].import_path}: does not build: {broken[0].message}")
        return Evidence(f"the tests' leak check{repeat.describe()}", tuple(run.sites), run)
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


def recheck(ev: Evidence, paths: tuple[str, ...], written: set[str], err: Console) -> None:
    """After `fix --evidence tests --write` wrote the files ``written``: run the tests again
    and say which leaks are gone. A site that does not show again though nothing written
    is in its test package nor on its stack is not gone: a racy leak missed this time."""
    assert ev.tests is not None
    try:
        again = leakcheck.run(paths, repeat=ev.tests.repeat)  # gone in as many runs as it was looked for
    except leakcheck.LeakCheckError as e:
        err.print(escape(f"gofixleaks: cannot re-run the tests: {e}"), highlight=False)
        return
    before = {s.key(): s for s in ev.sites}
    after = {s.key(): s for s in again.sites}
    written = {os.path.realpath(w) for w in written}
    touched = {s.key() for p in ev.tests.packages for s in p.sites
               if any(os.path.dirname(w) == os.path.realpath(p.dir) for w in written)
               or any(os.path.realpath(f.path) in written for f in (*s.stack, s.blocked, s.created_by) if f is not None)}
    gone = [s for k, s in before.items() if k not in after and k in touched]
    unseen = [s for k, s in before.items() if k not in after and k not in touched]
    err.print(f"gofixleaks: re-ran the tests{again.repeat.describe()}: {len(gone)} of {len(before)} leak site(s) gone"
              + (f"; {len(unseen)} not seen this time, though no fix was written in its test package nor on its stack: "
                 "a racy leak (--count runs each test more often)" if unseen else ""), highlight=False)
    for label, sites in (("gone", gone), ("not seen", unseen), ("still there", [s for k, s in after.items() if k in before]),
                         ("new", [s for k, s in after.items() if k not in before])):
        for s in sites:
            err.print(escape(f"  {label}: {short_name(s.blocked.function)} ({s.state_text or 'blocked'}, {s.count} goroutine(s))"), highlight=False)
    for p in again.packages:
        if p.status in ("fail", "timeout", "deadlock", "build-error", "unchecked"):
            err.print(escape(f"  {p.status}: {p.import_path}: {p.message}"), highlight=False)


# --- targeted fixes for proven leaks ---------------------------------------------------


# rules whose fix bounds how many goroutines run but unblocks none: a site they cover is
# still a target
_BOUNDS_ONLY = ("unbounded-goroutines",)
# rules whose fix releases a lock: the only ones that take care of a goroutine waiting in Lock
_RELEASES_LOCKS = ("lock-not-released",)


@dataclass(frozen=True)
class Outcome:
    """What became of one targeted fix."""

    aimed: targeted.Aimed
    status: str  # "fixed", "withdrawn", "review" (not applied: --unsafe-fixes applies it), "not fixed"
    why: str  # one line


def target(ev: Evidence, covered: list[Covered], results: list[FileResult], targets: list[Target], unsafe: bool,
           paths: tuple[str, ...], threshold: int, err: Console) -> None:
    """Aim the targeted fixes (targeted/) at the proven leak sites no applied fix covers,
    and add the ones that stay to ``results``. With the tests' evidence each is proven by
    running the tests again with it (through the overlay, nothing written): the leak gone,
    the tests green, no new leak; else it is withdrawn. Other evidence cannot be re-run:
    the fixes stay `review`, applied only with ``unsafe``."""
    index = Index(targets, results)
    fixed_lines = {(r.abspath, a.line) for r in results for a in r.applied}
    lock_fixes = {(r.abspath, a.line): a.rule for r in results for a in r.applied if a.rule in _RELEASES_LOCKS}
    aimed: dict[tuple[str | None, int], targeted.Aimed] = {}
    sources: dict[str, SourceFile | str] = {}  # each file parsed once, however many sites it holds

    def source(path: str, display: str) -> SourceFile | str:
        if path not in sources:
            sources[path] = targeted.load(path, display)
        return sources[path]

    for c in covered:
        if not c.site.suspected(threshold):
            continue
        local = index.local(c.site.blocked.path)
        abspath = os.path.abspath(local.path) if local else None
        # no rule moves a Wait or ends a Cond's wait, and only lock-not-released releases a lock
        sync_wait = (c.site.state or "").removesuffix(" (leaked)") in (*targeted.LOCKS, *targeted.WAITS, *targeted.CONDS)
        if any((abspath, f.line) in fixed_lines for f in c.findings
               if f.rule not in _BOUNDS_ONLY and (not sync_wait or f.rule in _RELEASES_LOCKS)):
            continue  # a rule's fix took care of it
        key = (abspath, c.site.blocked.line)
        if key not in aimed:
            aimed[key] = targeted.aim(c, abspath, lambda: source(abspath, c.path))
    _lock_order(aimed, source)
    # a targeted fix whose edits fall in a function that a rule's fix already makes release
    # the lock (rlockfield's `ready`, for the goroutine waiting in `Close`): a second unlock
    # would be fatal
    outcomes = []
    for key, x in list(aimed.items()):
        sf = source(x.abspath, x.covered.path) if x.finding is not None else None
        spans = {index.function_at(x.abspath, sf.line_col(e.start)[0]) for e in x.finding.fixes[0].edits} \
            if isinstance(sf, SourceFile) else set()
        hit = next(((line, rule) for (path, line), rule in lock_fixes.items()
                    if path == x.abspath and index.function_at(path, line) in spans - {None}), None)
        if hit is not None:
            del aimed[key]
            outcomes.append(Outcome(dataclasses.replace(x, finding=None), "fixed",
                                    f"{hit[1]}'s fix at line {hit[0]} releases the lock it waits for"))
    by_path = {os.path.abspath(r.abspath): r for r in results}
    with_fix = [x for x in aimed.values() if x.finding is not None and x.abspath in by_path]
    outcomes += [Outcome(x, "not fixed", x.reason) for x in aimed.values() if x not in with_fix]
    if ev.tests is not None:
        kept, withdrawn = _prove(ev, with_fix, by_path, paths)
        outcomes += [Outcome(x, "withdrawn", why) for x, why in withdrawn]
        outcomes += [Outcome(x, "fixed", "proven by a re-run of the tests") for x in kept if unsafe or x.proof_suffices]
        outcomes += [Outcome(x, "review", "proven by a re-run of the tests, but it also changes what no re-run shows "
                                          "(a wake-up dropped, a lock released, an error a retry clears): --unsafe-fixes "
                                          "applies it") for x in kept if not (unsafe or x.proof_suffices)]
        chosen = [x for x in kept if unsafe or x.proof_suffices]
    else:
        chosen = with_fix if unsafe else []
        outcomes += [Outcome(x, "fixed" if unsafe else "review", "a review fix: the evidence cannot be re-run") for x in with_fix]
    patched, failed = _patched(chosen, by_path)
    for x in chosen:
        if x in failed:
            continue
        r = by_path[x.abspath]
        f = x.finding
        if ev.tests is not None and x.proof_suffices:  # proven: as safe as a fix gets
            f = dataclasses.replace(f, fixes=(dataclasses.replace(f.fixes[0], applicability=SAFE),))
        r.findings.append(dataclasses.replace(f, evidence=render.describe(x.covered)))
        r.applied.append(AppliedFix(f.rule, f.line, f.message, f.fixes[0].message, (), f.start))
    for path, data in patched.items():
        r = by_path[path]
        if r.original is None:
            r.original = _read(path)
        r.fixed = data
    outcomes = [Outcome(o.aimed, "not fixed", failed[o.aimed]) if o.aimed in failed else o for o in outcomes]
    for o in outcomes:
        x = o.aimed
        fix = f"{x.finding.fixes[0].message}: " if x.finding is not None else ""
        err.print(escape(f"  targeted: {x.covered.path}:{x.covered.site.blocked.line} {targeted.RULE} ({o.status}): "
                         f"{fix}{o.why}: {render.describe(x.covered)}"), highlight=False)


def _lock_order(aimed: dict[tuple[str | None, int], targeted.Aimed], source: Callable[[str, str], SourceFile | str]) -> None:
    """Lock sites no shape fixed whose goroutines wait in a cycle, each for a lock the next
    one's stack holds: a lock-order deadlock no one site shows (cockroach's 10214). Their
    reasons say so, naming the locks each holds and waits for."""
    waits = {}
    states = {key: (x.covered.site.state or "").removesuffix(" (leaked)") for key, x in aimed.items()}
    for key, x in aimed.items():
        sf = source(x.abspath, x.covered.path) if x.finding is None and x.abspath and states[key] in targeted.LOCKS else None
        w = targeted.holders.lock_wait(sf, x.abspath, x.covered) if isinstance(sf, SourceFile) else None
        if w is not None:
            waits[key] = w
    for key, why in targeted.holders.lock_order(waits).items():
        aimed[key] = dataclasses.replace(aimed[key], reason=f"blocked on {states[key]}: {why}")


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _patched(aimed: list[targeted.Aimed], by_path: dict[str, FileResult]) -> tuple[dict[str, bytes], dict[targeted.Aimed, str]]:
    """Each file with the targeted fixes ``aimed`` at it on top of the rules' fixes, and the
    fixes that could not be applied (with why)."""
    out: dict[str, bytes] = {}
    failed: dict[targeted.Aimed, str] = {}
    for path in dict.fromkeys(x.abspath for x in aimed):
        r = by_path[path]
        original = r.original if r.original is not None else _read(path)
        current = r.fixed if r.changed else original
        here = [x for x in aimed if x.abspath == path]
        accepted: list[TextEdit] = []
        for x in here:
            moved = targeted.carry(original, current, x.finding.fixes[0].edits)
            if moved is not None and all(e in accepted for e in moved):
                continue  # the same edits, aimed from another site of the same bug (two waiters on one lock)
            if moved is None or any(e.overlaps(o) for e in moved for o in accepted):
                failed[x] = "not applied: a rule's fix changed this code, or another targeted fix edits it"
                continue
            accepted += moved
        new = apply_edits(current, accepted)
        # never expected: say so rather than write it
        if parse_bytes(new).root_node.has_error or SourceFile(path, current).rejected_edit(new):
            failed.update({x: "internal: with the targeted fixes the file does not parse; not applied" for x in here})
            continue
        if new != current:
            out[path] = new
    return out, failed


def _prove(ev: Evidence, aimed: list[targeted.Aimed], by_path: dict[str, FileResult],
           paths: tuple[str, ...]) -> tuple[list[targeted.Aimed], list[tuple[targeted.Aimed, str]]]:
    """The targeted fixes a run of the tests with them proves (the leak gone, the tests
    green, no new leak), and the others with why. A second run, with the survivors only,
    settles a package where some failed: then a failure withdraws all of that package's."""
    assert ev.tests is not None
    before = {os.path.realpath(p.dir): {s.key() for s in p.sites} for p in ev.tests.packages}
    kept, withdrawn = list(aimed), []
    for second in (False, True):
        patched, failed = _patched(kept, by_path)
        withdrawn += list(failed.items())
        kept = [x for x in kept if x not in failed]
        if not kept:
            break
        replace = {os.path.abspath(r.abspath): r.fixed for r in by_path.values() if r.changed}
        replace.update(patched)
        try:
            again = leakcheck.run(paths, replace=replace, repeat=ev.tests.repeat)
        except leakcheck.LeakCheckError as e:
            return [], withdrawn + [(x, f"cannot re-run the tests: {e}") for x in kept]
        after = {os.path.realpath(p.dir): p for p in again.packages}
        bad = {x: why for x in kept if (why := _unproven(x, after, before)) is not None}
        if not bad:
            break
        if second:
            dirs = {os.path.dirname(os.path.realpath(x.abspath)) for x in bad}
            bad.update({x: "withdrawn with another targeted fix of its package that failed"
                        for x in kept if x not in bad and os.path.dirname(os.path.realpath(x.abspath)) in dirs})
        withdrawn += list(bad.items())
        kept = [x for x in kept if x not in bad]
        if not kept or second:
            break
    return kept, withdrawn


def _unproven(x: targeted.Aimed, after: dict[str, leakcheck.PackageResult], before: dict[str, set]) -> str | None:
    """Why the re-run does not prove targeted fix ``x``, or None when it does."""
    d = os.path.dirname(os.path.realpath(x.abspath))
    p = after.get(d)
    if p is None:
        return "its package's tests did not run again"
    if p.status not in ("ok", "leak") or "tests failed" in p.message:
        return f"with it the tests {p.status}: {p.message}"
    function, _, creator = x.covered.site.key()
    if any(s.key()[0] == function and s.key()[2] == creator for s in p.sites):  # in any state: a select now
        return "the leak is still there with it"
    new = [s for s in p.sites if s.key() not in before.get(d, set())]
    if new:
        return f"a new leak with it: {short_name(new[0].blocked.function)} ({new[0].state_text or 'blocked'})"
    return None
