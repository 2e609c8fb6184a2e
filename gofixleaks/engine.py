"""discover -> parse -> match -> fix -> validate, one FileResult per file, in parallel."""

from __future__ import annotations

import bisect
import dataclasses
import os
import re
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from . import cache, callers, edits, facts as facts_mod, gomod, grammar, imports, plumbing, registry
from .config import Config
from .callers import FileCalls
from .discover import Target, display_path, is_generated, package_files, walk_go_files
from .facts import PackageFacts
from .plumbing import Plan
from .rule import Finding, Pass, Rule
from .source import SourceError, SourceFile, parse, read_regular

MAX_ROUNDS = 6  # fixed-point rounds for overlapping fixes; real files need one or two
# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 64

_IGNORE = re.compile(rb"//\s*gofixleaks:ignore\s+([A-Za-z0-9_,-]+)")
_NOLINT = re.compile(rb"//\s*nolint(?::([A-Za-z0-9_,-]+))?")


@dataclass(frozen=True)
class AppliedFix:
    """A fix that made it into the output: what the review and PR front ends list."""

    rule: str
    line: int  # in the original file
    reason: str  # the finding's message
    fix: str  # the fix's message
    follow_ups: tuple[str, ...] = ()
    start: int = -1  # byte offset of its finding in the original file (-1: not known)
    # set by --verify: how the fix was proved ("vet" or "tests") and what that found
    verified: str = ""
    verification: str = ""


@dataclass
class FileResult:
    path: str  # display path
    abspath: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    original: bytes | None = None  # set only when the file changed
    fixed: bytes | None = None
    applied: list[AppliedFix] = field(default_factory=list)
    assumed_version: bool = False  # no go.mod and no --go-version: old semantics assumed
    dropped: list = field(default_factory=list)  # verify.Dropped: fixes --verify left out, and why
    candidates: list[plumbing.Candidate] = field(default_factory=list)  # goroutines needing a ctx
    # the module phase's plan this result was computed with: whoever computes the file again
    # (verify's bisection, review) passes it back, so the plumbing edits are made again
    plan: Plan | None = None
    unsupported: tuple[int, int] | None = None  # syntax Go accepts and the parser lacks: partially analysed

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.original

    @property
    def follow_on(self) -> list[AppliedFix]:
        """Applied fixes that no finding of this file offered: context plumbing's edits (a
        ctx parameter, a call passing one) or a fix another one made possible (a later
        round). They go with other fixes and are counted apart from them."""
        offered = {(f.rule, f.start) for f in self.findings if f.fixes}
        return [a for a in self.applied if (a.rule, a.start) not in offered]


def rules_for(config: Config) -> list[Rule]:
    return [r for r in registry.rules() if r.name in config.rules]


def _suppressed(sf: SourceFile, f: Finding, linters: tuple[str, ...] = ()) -> bool:
    """Whether a directive on the finding's first line or the line above it suppresses it:
    ``//gofixleaks:ignore RULE``, a bare ``//nolint``, or ``//nolint:`` naming gofixleaks or
    one of ``linters`` (the rule's, see Rule.linters)."""
    linters = tuple(x.encode() for x in linters)
    for line in (f.line, f.line - 1):
        if line < 1:
            continue
        text = sf.line_text(line)
        m = _IGNORE.search(text)
        if m and f.rule.encode() in m.group(1).split(b","):
            return True
        m = _NOLINT.search(text)
        if m and (m.group(1) is None or {b"gofixleaks", *linters} & set(m.group(1).split(b","))):
            return True
    return False


def match(
    sf: SourceFile,
    rules: Iterable[Rule],
    config: Config,
    abspath: str,
    plan: Plan | None,
    package: PackageFacts | None,
    assumed: dict[tuple[str, str], str] | None = None,
) -> list[Finding]:
    """Every unsuppressed finding of ``rules`` in ``sf`` (whose go_version is resolved), in
    source order, plus the edits ``plan`` asks of the file. ``package``: the facts of the
    file's package, for rules that need them. ``assumed``: functions to treat as having a
    ctx parameter (the plan's, or phase 1's speculative question)."""
    if assumed is None:
        assumed = plumbing.assumed_for(abspath, plan) if plan else {}
    out: list[Finding] = []
    for rule in rules:
        if rule.fixed_in_go is not None and sf.go_version >= rule.fixed_in_go:
            continue
        if rule.skips_tests and sf.path.endswith("_test.go"):
            continue
        p = Pass(sf, rule, sf.go_version, config.options_for(rule.name), assumed, package if rule.needs_package else None)
        try:
            rule.run(p)
        except Exception as e:  # a rule bug must cost its findings in this file, not the run
            raise RuleCrash(f"internal error in rule {rule.name}: {type(e).__name__}: {e}") from e
        out += [f for f in p.findings if not _suppressed(sf, f, rule.linters)]
    if plan:
        out += plumbing.plan_findings(sf, abspath, plan)
    return sorted(sf.guard(out), key=lambda f: (f.start, f.rule))


class RuleCrash(Exception):
    pass


def fix_to_fixed_point(
    sf: SourceFile,
    findings: list[Finding],
    rules: list[Rule],
    config: Config,
    abspath: str,
    plan: Plan | None,
    package: PackageFacts | None,
    skip: frozenset[tuple[str, int]] = frozenset(),
    forbidden_imports: frozenset[str] = frozenset(),
):
    """Apply the fixes of ``findings`` (only ``safe`` ones unless config.unsafe_fixes);
    overlapping ones wait for the next round, which re-parses and re-matches. ``skip`` holds
    (rule, original line) of fixes not to apply (verification dropped them); fixes needing a
    ``forbidden_imports`` path are not applied (an import cycle). Returns (new bytes, applied
    fixes, problem or None)."""
    applied: list[AppliedFix] = []
    original = sf
    rounds: list[_Round] = []  # each round's edits, to map offsets back
    done: set[tuple[str, int]] = set()  # (rule, original offset) of the fixes applied
    # Later rounds finish what the first round reported, and fix code that fixes wrote (a
    # finding that starts in written text: a rewrite may leave a pattern another rule
    # completes). A finding on the user's code that appears only once a fix changed its
    # surroundings was never shown, so it is not applied: a rewritten `for range t.C` made
    # the goroutine around it look launched in an endless loop, and a semaphore no finding
    # named went into a real service's diff.
    reported = {(f.rule, f.start) for f in findings if f.fixes}
    current = findings
    data = sf.data
    for _ in range(MAX_ROUNDS):
        chosen: list[tuple[Finding, edits.Fix, int]] = []
        taken = _Intervals()
        for f in current:
            if not f.fixes or not (config.unsafe_fixes or f.fixes[0].applicability == edits.SAFE):
                continue
            origin, written = _origin(f.start, rounds)
            if (f.rule, original.line_col(origin)[0]) in skip:
                continue
            if (f.rule, origin) in done:
                # a fix that does not resolve its own finding is not the fix: start again
                # without it (the finding stays reported), rather than keep half a repair
                return fix_to_fixed_point(original, findings, rules, config, abspath, plan, package,
                                          skip | {(f.rule, original.line_col(origin)[0])}, forbidden_imports)
            if (f.rule, origin) not in reported and not written:
                continue
            if forbidden_imports.intersection(f.fixes[0].imports):
                continue
            if taken.add_if_free(f.fixes[0].edits):
                chosen.append((f, f.fixes[0], origin))
        if not chosen:
            return data, applied, None
        all_edits = [e for _, fx, _ in chosen for e in fx.edits]
        imp = edits.import_edit(sf, {i for _, fx, _ in chosen for i in fx.imports})
        if imp is not None:
            all_edits.append(imp)
        try:
            new = edits.apply(data, all_edits)
        except edits.EditConflict as e:
            return data, applied, f"internal: {e}; remaining fixes not applied"
        if parse(new).root_node.has_error:
            rules_at_fault = ", ".join(sorted({f.rule for f, _, _ in chosen}))
            return data, applied, f"internal: a fix by {rules_at_fault} did not parse; not applied"
        for f, fx, origin in chosen:
            done.add((f.rule, origin))
            applied.append(AppliedFix(f.rule, original.line_col(origin)[0], f.message, fx.message, fx.follow_ups, origin))
        rounds.append(_Round(all_edits))
        data = new
        sf = SourceFile(sf.path, new, sf.go_version)
        current = match(sf, rules, config, abspath, plan, package)
    return data, applied, "fixes did not reach a fixed point; the last round was not applied"


class _Intervals:
    """The edits chosen so far in a round, sorted, so that checking a fix against them costs
    a bisection rather than a scan (a file with 100,000 fixes has to stay linear)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.edits: list[edits.TextEdit] = []

    def _clashes(self, e: edits.TextEdit) -> bool:
        j = bisect.bisect_left(self.starts, e.start)
        # chosen edits never overlap each other, so only a neighbour on the left and the
        # ones starting up to e's end can overlap e
        k = max(j - 2, 0)
        while k < len(self.edits) and self.starts[k] <= e.end:
            if self.edits[k].overlaps(e):
                return True
            k += 1
        return False

    def add_if_free(self, new: tuple[edits.TextEdit, ...]) -> bool:
        if any(self._clashes(e) for e in new) or any(a.overlaps(b) for i, a in enumerate(new) for b in new[i + 1:]):
            return False
        for e in new:
            j = bisect.bisect_right(self.starts, e.start)
            self.starts.insert(j, e.start)
            self.edits.insert(j, e)
        return True


class _Round:
    """One round's edits with where each landed in the round's output."""

    def __init__(self, round_edits: list[edits.TextEdit]) -> None:
        self.edits = sorted(round_edits, key=lambda e: (e.start, e.end))
        self.new_starts: list[int] = []
        self.shifts_after: list[int] = []
        shift = 0
        for e in self.edits:
            self.new_starts.append(e.start + shift)
            shift += len(e.new) - (e.end - e.start)
            self.shifts_after.append(shift)

    def to_input(self, offset: int) -> tuple[int, bool]:
        """An offset in the round's output as an offset in its input, and whether it lies in
        text a fix wrote (which maps to where that text went in)."""
        i = bisect.bisect_right(self.new_starts, offset) - 1
        if i < 0:
            return offset, False
        if offset < self.new_starts[i] + len(self.edits[i].new):
            return self.edits[i].start, True
        return offset - self.shifts_after[i], False



def _origin(offset: int, rounds: list[_Round]) -> tuple[int, bool]:
    """An offset in the last round's output in the original file, and whether it lies in
    text a fix of some round wrote."""
    written = False
    for r in reversed(rounds):
        offset, inside = r.to_input(offset)
        written = written or inside
    return offset, written


def process(
    target: Target,
    config: Config,
    want_fixes: bool,
    skip: frozenset[tuple[str, int]] = frozenset(),
    data: bytes | None = None,
    *,
    plan: Plan | None,
    package: PackageFacts | None = None,
    source: SourceFile | None = None,
) -> FileResult:
    """One file from bytes on disk (or ``data``, e.g. its committed version) to findings and
    (optionally) fixed bytes. Never raises for a bad file: the problem becomes ``error``.
    ``skip``: see fix_to_fixed_point. ``plan``: the module phase's context plumbing (None
    in the first phase, where the file's plumbing candidates are collected instead); a
    caller that computes a file again passes the plan its FileResult carries. ``package``:
    the facts of the file's package when the caller has them; else they are derived from
    the package's files on disk when a rule needs them. ``source``: ``data`` already parsed
    (as ``target.display``, at the file's Go version), so that it is not parsed twice."""
    res = FileResult(target.display, target.path, plan=plan)
    if target.problem:
        res.error = target.problem
        return res
    try:
        if data is None:
            data = read_regular(target.path)
    except OSError as e:
        res.error = f"cannot read: {e.strerror or e}"
        return res
    if not target.explicit and is_generated(data):
        return res
    if not data.strip():
        res.error = "empty file (no package clause)"
        return res
    rules = rules_for(config)
    planned = plan is not None and plumbing.touches(target.path, plan)
    if not planned and not any(t in data for r in rules for t in r.triggers):
        return res
    version = gomod.resolve(target.path, config.go_version)
    res.assumed_version = version.assumed
    try:
        sf = source if source is not None and source.data is data else SourceFile.load(target.display, data, version.version)
    except SourceError as e:
        res.error = str(e)
        return res
    res.unsupported = sf.unsupported
    if package is None and any(r.needs_package for r in rules):
        store = cache.Cache() if config.cache else None
        try:
            package = package_facts(os.path.dirname(target.path), store, config.launchers)
        finally:
            if store is not None:
                store.close()
    try:
        res.findings = match(sf, rules, config, target.path, plan, package)
        if plan is None:
            res.candidates = plumbing.candidates(
                sf, target.path, rules, lambda sf_, rs, assumed: match(sf_, rs, config, target.path, None, package, assumed)
            )
        if want_fixes and any(f.fixes for f in res.findings):
            forbidden = imports.forbidden_for(target.path)
            new, res.applied, problem = fix_to_fixed_point(
                sf, res.findings, rules, config, target.path, plan, package, skip, forbidden
            )
            rejected = sf.rejected_edit(new) if new != data else None
            if rejected:
                return FileResult(target.display, target.path, error=rejected, plan=plan)
            if problem:
                res.error = problem
            if new != data:
                res.original, res.fixed = data, new
    except RuleCrash as e:
        return FileResult(target.display, target.path, error=f"{e}; file left unchanged", plan=plan)
    return res


# ---------------------------------------------------------------------------- a run


def _read(path: str) -> bytes | None:
    try:
        return read_regular(path)
    except OSError:
        return None


def _read_hashed(path: str) -> tuple[bytes, bytes] | None:
    """A file's bytes and their digest (cache.content), which its keys are built on."""
    data = _read(path)
    return None if data is None else (data, cache.content(data))


def _facts_key(path: str, content: bytes) -> str:
    return cache.key(content, "facts", path)


def file_facts_of(path: str, data: bytes, store: cache.Cache | None) -> facts_mod.FileFacts | None:
    """A file's own facts, from the cache or by parsing it (None: it does not parse)."""
    key = _facts_key(path, cache.content(data))
    found = store.get(key, facts_mod.FileFacts) if store is not None else None
    if found is not None:
        return found
    try:
        sf = SourceFile.load(display_path(path), data)
    except SourceError:
        return None
    ff = facts_mod.file_facts(sf, path)
    if store is not None:
        store.put(key, ff)
    return ff


def package_facts(directory: str, store: cache.Cache | None, launchers: tuple[str, ...] = ()) -> PackageFacts:
    """The facts of the Go files of ``directory`` as they are on disk (``launchers``: the
    config's)."""
    read = []
    for t in package_files(directory):
        data = _read(t.path)
        ff = file_facts_of(t.path, data, store) if data is not None else None
        if ff is not None:
            read.append((t.path, data, ff))
    found = [ff for _, _, ff in read]
    new: list[tuple[str, FileCalls]] = []
    calls = _own_calls([(path, data, None) for path, data, _ in read], facts_mod.context_names(found), store, True, new)
    package = facts_mod.merge(
        directory, found, launchers, facts_mod.imports(directory, found, lambda d: _lent_facts(d, store)[1]),
        facts_mod.importers(directory, found, calls, lambda *asked: _importer_calls(directory, *asked, store, new=new)[1]),
        calls)
    for key, value in new if store is not None else ():
        store.put(key, value)
    return package


# A process's view of the directories other packages import (facts.imports): a package of
# a module is imported by many; keyed by the files' sizes and times. Each entry holds the
# cache keys of the files that lend facts and, once read, their facts (None: not read yet).
_LENT: dict[str, tuple[tuple, tuple[str, ...], list[facts_mod.FileFacts] | None]] = {}


def _lending(directory: str) -> tuple[tuple, list[str]]:
    """The stamp (paths, times, sizes) of ``directory``'s non-test Go files, and their paths."""
    files = [t.path for t in package_files(directory) if not t.path.endswith("_test.go")]
    return tuple((p, s.st_mtime_ns, s.st_size) for p in files if (s := _stat(p)) is not None), files


def _lends(data: bytes | None) -> bool:
    """Whether a file can lend anything (facts.lent_facts): it mentions a context or time,
    has a go statement (a launcher), or may stop a goroutine-owning value (model/owners.py)."""
    return data is not None and (b"context" in data or b"time" in data or b"go " in data or b"Close" in data
                                 or b"Stop" in data)


def _remember_lent(directory: str, entry: tuple) -> None:
    _LENT[directory] = entry
    if len(_LENT) > 256:
        del _LENT[next(iter(_LENT))]


def _lent_keys(directory: str) -> tuple[str, ...]:
    """The cache keys of the files whose facts ``directory`` lends (see _lent_facts): what
    those facts are a function of, read without parsing or reading the facts."""
    stamp, files = _lending(directory)
    hit = _LENT.get(directory)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    keys = tuple(cache.key(data, "lent", path) for path in files if _lends(data := _read(path)))
    _remember_lent(directory, (stamp, keys, None))
    return keys


def _lent_facts(
    directory: str, store: cache.Cache | None, parse: bool = True, new: list | None = None
) -> tuple[tuple[str, ...], list[facts_mod.FileFacts]]:
    """What ``directory``'s non-test files that mention a context or time, start
    goroutines, or may stop one (_lends), lend a package
    importing them (facts.lent_facts), from the cache or parsed (then added to ``new`` for
    the cache), with the cache keys of the bytes they come from; without ``parse``, the
    cache answers or _Miss."""
    stamp, files = _lending(directory)
    hit = _LENT.get(directory)
    if hit is not None and hit[0] == stamp and hit[2] is not None:
        return hit[1], hit[2]
    keys, out = [], []
    for path in files:
        data = _read(path)
        if not _lends(data):
            continue
        key = cache.key(data, "lent", path)
        keys.append(key)
        ff = store.get(key, facts_mod.FileFacts) if store is not None else None
        if ff is None and not parse:
            raise _Miss
        if ff is None:
            try:
                ff = facts_mod.lent_facts(SourceFile.load(display_path(path), data), path)
            except SourceError:
                continue
            if new is not None:
                new.append((key, ff))
        out.append(ff)
    _remember_lent(directory, (stamp, tuple(keys), out))
    return tuple(keys), out


def _calls_key(path: str, data: bytes, names) -> str:
    return cache.key(data, "callers", path, sorted(names))


def _file_calls(
    path: str, data: bytes, names: frozenset[str], store: cache.Cache | None, parse: bool, new: list | None,
    sf: SourceFile | None = None,
) -> tuple[str, FileCalls | None]:
    """A file's calls of ``names`` (callers.calls_of) with their cache key (its bytes and the
    names): from the cache, or from its tree ``sf`` or parsed (then added to ``new`` for the
    cache; None: it does not parse); without ``parse``, the cache answers or _Miss."""
    key = _calls_key(path, data, names)
    calls = store.get(key, FileCalls) if store is not None else None
    if calls is None:
        if not parse:
            raise _Miss
        try:
            calls = callers.calls_of(sf or SourceFile.load(display_path(path), data), path, names)
        except SourceError:
            return key, None
        if new is not None:
            new.append((key, calls))
    return key, calls


def _own_calls(
    read: list[tuple[str, bytes, SourceFile | None]], names: frozenset[str], store: cache.Cache | None, parse: bool,
    new: list | None,
) -> list[FileCalls]:
    """The calls a package's files (path, bytes, tree at hand or None) make of ``names``
    (see _file_calls): none without names."""
    return [fc for path, data, sf in read if names and (fc := _file_calls(path, data, names, store, parse, new, sf)[1])]


# A process's view of which files of a module import which of its packages (facts.importers):
# built once per module root, from each file's import declarations, as every package of the
# module asks.
_IMPORTING: dict[str, dict[str, tuple[str, ...]]] = {}


def _importing(root: str, import_path: str) -> tuple[tuple[str, bool], ...]:
    """The Go files of the module at ``root`` that import ``import_path``, each with whether
    it imports it with a dot (its names then called unqualified)."""
    if root not in _IMPORTING:
        found: dict[str, list[tuple[str, bool]]] = {}
        for path in walk_go_files(root):
            data = _read(path) or b""
            for alias, p in gomod.import_specs(data):
                found.setdefault(p.decode("utf-8", "replace"), []).append((path, alias == b"."))
        if len(_IMPORTING) > 16:
            del _IMPORTING[next(iter(_IMPORTING))]
        _IMPORTING[root] = {p: tuple(files) for p, files in found.items()}
    return _IMPORTING[root].get(import_path, ())


def _mentions(data: bytes, token: bytes) -> bool:
    """Whether ``token`` (``.Name``) occurs in ``data`` not followed by a word character."""
    i = data.find(token)
    while i >= 0:
        after = data[i + len(token) : i + len(token) + 1]
        if not (after.isalnum() or after == b"_"):
            return True
        i = data.find(token, i + 1)
    return False


def _importer_calls(
    directory: str, import_path: str, functions: tuple[str, ...], methods: tuple[str, ...], names: frozenset[str],
    store: cache.Cache | None, parse: bool = True, new: list | None = None, read: bool = True,
) -> tuple[tuple[str, ...], list[FileCalls]]:
    """The FileCalls (of ``names``: the package's, facts.context_names) of the module's
    files outside ``directory`` that import ``import_path`` and name one of its
    ``functions`` (``.F``; from the cache or parsed, then added to ``new`` for the cache),
    with the cache keys they are found under; without ``parse``, the cache answers or
    _Miss; without ``read``, only the keys. A method of ``methods`` such a file names
    (``.M``), or any name of a file importing the package with a dot, is taken as used as
    a value, unread: types are not read, so which calls are its cannot be told cheaply."""
    module = gomod.module_of(directory)
    keys, out = [], []
    for path, dot in _importing(module[0], import_path) if module is not None else ():
        data = _read(path)
        if os.path.dirname(path) == directory or data is None:
            continue
        named = functions + methods if dot else tuple(m for m in methods if _mentions(data, b"." + m.encode()))
        if named:
            keys.append(cache.key(data, "callers-named", path, named))
            out.append(FileCalls(path, "", (), (), tuple(sorted((import_path if n in functions else "", n, n in methods)
                                                               for n in named))))
        if dot or not any(_mentions(data, b"." + f.encode()) for f in functions):
            continue
        if not read:
            keys.append(_calls_key(path, data, names))
            continue
        key, calls = _file_calls(path, data, names, store, parse, new)
        keys.append(key)
        if calls is not None:
            out.append(calls)
    return tuple(keys), out


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


@dataclass(frozen=True)
class _Package:
    """The targets of one directory: the unit of work, so that a package's facts are
    computed once and its files are parsed in one place."""

    directory: str
    targets: tuple[Target, ...]


def _packages(targets: list[Target]) -> list[_Package]:
    by_dir: dict[str, list[Target]] = {}
    for t in targets:
        by_dir.setdefault(os.path.dirname(t.path), []).append(t)
    return [_Package(d, tuple(ts)) for d, ts in by_dir.items()]


def _result_context(directory: str, config: Config, want_fixes: bool, digest: str | None) -> str:
    """What the results of a package's files depend on besides each file (see _result_key):
    written once per package, as a warm run computes thousands of keys."""
    version = gomod.resolve(os.path.join(directory, "x.go"), config.go_version)
    return repr((version, config.key(), want_fixes, digest, grammar.checker()))


def _result_key(t: Target, content: bytes, context: str) -> str:
    return cache.key(content, t.path, t.display, t.explicit, context)


@dataclass(frozen=True)
class PackageDigest:
    """A package's facts digest (the part of its files' result keys that the rest of the
    package contributes), cached under the keys of its files' facts, so that a warm run
    finds its results without reading those facts back. ``lent``: what it also depends on,
    the directories whose exports it read (facts.imports) with the cache keys of their
    lending files then; a change there is a miss."""

    digest: str
    lent: tuple[tuple[str, tuple[str, ...]], ...]
    # (import path, functions, methods, names, keys): the module's files that import it and
    # name one of those (facts.importers), by the cache keys of their calls of its names then;
    # a change is a miss
    callers: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class _Done:
    """What a worker hands back for one package: results with the key each was computed
    under (the bytes it read), and the file facts and package digest it had to compute
    (all for the cache)."""

    results: tuple[tuple[str | None, FileResult], ...]
    facts: tuple[tuple[str, facts_mod.FileFacts | FileCalls], ...]
    package: PackageFacts | None  # None when the cache answered without the facts
    cache_warnings: tuple[str, ...] = ()  # what the worker's read-only cache could not read
    digests: tuple[tuple[str, PackageDigest], ...] = ()


# Parsed trees take about 30 times their source's size: a package's parsed targets are kept
# from the facts pass for the rules up to this much source, beyond it they are parsed again.
KEEP_PARSED_BYTES = 4_000_000


class _Miss(Exception):
    """A package the cache cannot answer whole: it goes to a worker."""


def _package_sources(pkg: _Package, datas: dict[str, tuple[bytes, bytes] | None]) -> list[tuple[Target, bytes, str]]:
    """The package's files (its targets too when not listed, e.g. named explicitly) that can
    be read, with their bytes (kept in ``datas`` with their digest) and their facts' cache
    keys."""
    listed = package_files(pkg.directory)
    seen = {f.path for f in listed}
    out = []
    for f in listed + [t for t in pkg.targets if t.path not in seen]:
        read = datas[f.path] = _read_hashed(f.path)
        if read is not None:
            out.append((f, read[0], _facts_key(f.path, read[1])))
    return out


def _digest_key(pkg: _Package, sources: list[tuple[Target, bytes, str]], config: Config) -> str:
    """What a package's digest depends on besides its lent facts (PackageDigest.lent): its
    files' facts, the config's launchers and the module it lies in (facts.imports)."""
    return cache.key(b"", "digest", pkg.directory, [k for _, _, k in sources], config.launchers,
                     gomod.module_of(pkg.directory))


def _cached_digest(store: cache.Cache, key: str, directory: str) -> str | None:
    found = store.get(key, PackageDigest)
    if found is None or any(_lent_keys(d) != keys for d, keys in found.lent) or any(
            _importer_calls(directory, p, fs, ms, ns, None, read=False)[0] != keys for p, fs, ms, ns, keys in found.callers):
        return None
    return found.digest


def _merge_facts(
    pkg: _Package, sources: list[tuple[Target, bytes, str]], config: Config, store: cache.Cache | None, parse: bool,
    new_facts: list[tuple[str, facts_mod.FileFacts]], parsed: dict[str, SourceFile],
) -> tuple[PackageFacts, PackageDigest]:
    """The package's facts from its files' (cached, or parsed when ``parse``; else _Miss),
    and its digest with the lent facts it read. Parsed targets are kept in ``parsed`` for
    the rules (within KEEP_PARSED_BYTES), computed facts added to ``new_facts``."""
    targets = {t.path: t for t in pkg.targets}
    version = gomod.resolve(os.path.join(pkg.directory, "x.go"), config.go_version).version
    kept = 0
    found, read, calls = [], [], []
    # the names asked of each file's calls while its tree is at hand, read from the bytes:
    # the declarations with a context parameter are known only once every file is parsed
    asked = callers.declared_names(data for _, data, _ in sources)
    for f, data, key in sources:
        ff = store.get(key, facts_mod.FileFacts) if store is not None else None
        sf = None
        if ff is None:
            if not parse:
                raise _Miss
            target = targets.get(f.path)
            try:
                sf = SourceFile.load(target.display if target else f.display, data, version)
            except SourceError:
                continue
            ff = facts_mod.file_facts(sf, f.path)
            new_facts.append((key, ff))
            # the first target is always kept: one file's tree is needed for its rules anyway
            if target is not None and (not parsed or kept + len(data) <= KEEP_PARSED_BYTES):
                parsed[f.path] = sf
                kept += len(data)
        found.append(ff)
        read.append((f.path, data))
        if asked and (fc := _file_calls(f.path, data, asked, store, parse, new_facts, sf)[1]) is not None:
            calls.append(fc)
    names = facts_mod.context_names(found)
    if not names <= asked:  # a declaration laid out as gofmt would not: every file is asked again
        calls = _own_calls([(p, data, parsed.get(p)) for p, data in read], asked | names, store, parse, new_facts)
    lent: dict[str, tuple[str, ...]] = {}

    def load(directory: str) -> list[facts_mod.FileFacts]:
        lent[directory], lent_found = _lent_facts(directory, store, parse, new_facts)
        return lent_found

    importing: list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = []

    def load_callers(import_path: str, functions: tuple[str, ...], methods: tuple[str, ...],
                     names: frozenset[str]) -> list[FileCalls]:
        keys, found_calls = _importer_calls(pkg.directory, import_path, functions, methods, names, store, parse, new_facts)
        importing.append((import_path, functions, methods, tuple(sorted(names)), keys))
        return found_calls

    package = facts_mod.merge(pkg.directory, found, config.launchers, facts_mod.imports(pkg.directory, found, load),
                              facts_mod.importers(pkg.directory, found, calls, load_callers), calls)
    return package, PackageDigest(package.digest, tuple(sorted(lent.items())), tuple(importing))


def package_facts_of(pkg: _Package, config: Config, store: cache.Cache | None) -> PackageFacts:
    """The facts of a package as a run computes them, from what is on disk now."""
    return _merge_facts(pkg, _package_sources(pkg, {}), config, store, True, [], {})[0]


def _process_package(
    pkg: _Package, config: Config, want_fixes: bool, with_facts: bool, parent: cache.Cache | None = None
) -> _Done:
    """Every target of one package. In a worker, what the cache lacks is computed; in the
    parent, first, with its ``parent`` store, the cache answers for the whole package or
    _Miss is raised, so a warm run starts no worker and parses nothing: there the package's
    cached digest stands for its facts, which are not read. Each file is keyed by the very
    bytes it is processed from. With package facts, every file of the package is parsed for
    them, and the targets' trees are reused by the rules (within KEEP_PARSED_BYTES)."""
    parse = parent is None
    store = parent if parent is not None else cache.Cache(readonly=True) if config.cache else None
    new_facts: list[tuple[str, facts_mod.FileFacts]] = []
    digests: list[tuple[str, PackageDigest]] = []
    package = None
    digest = None
    datas: dict[str, tuple[bytes, bytes] | None] = {}  # bytes and digest by path
    parsed: dict[str, SourceFile] = {}
    try:
        if with_facts:
            sources = _package_sources(pkg, datas)
            key = _digest_key(pkg, sources, config)
            if not parse:
                digest = _cached_digest(store, key, pkg.directory)
            if digest is None:
                package, record = _merge_facts(pkg, sources, config, store, parse, new_facts, parsed)
                digest = package.digest
                digests.append((key, record))
        out = []
        context = _result_context(pkg.directory, config, want_fixes, digest)
        for t in pkg.targets:
            read = datas[t.path] if t.path in datas else _read_hashed(t.path)
            if read is None:
                if not parse:
                    raise _Miss
                out.append((None, process(t, config, want_fixes, plan=None)))  # it reports why
                continue
            data, content = read
            key = _result_key(t, content, context)
            hit = store.get(key, FileResult) if store is not None else None
            if hit is not None:
                out.append((None, hit))  # cached already: not written again
                continue
            if not parse:
                raise _Miss
            out.append((key, process(t, config, want_fixes, data=data, plan=None, package=package,
                                     source=parsed.pop(t.path, None))))
        warnings = tuple(store.warnings) if store is not None and parse else ()  # the parent's store gives its own
        return _Done(tuple(out), tuple(new_facts), package, warnings, tuple(digests))
    finally:
        if store is not None and parse:
            store.close()


def _package_bytes(pkg: _Package) -> int:
    """The size of a package's files on disk: what its processing time grows with."""
    return sum(s.st_size for t in package_files(pkg.directory) if (s := _stat(t.path)) is not None)


def _process_package_star(args) -> _Done:
    return _process_package(*args)


def _from_cache(pkg: _Package, config: Config, want_fixes: bool, with_facts: bool, store: cache.Cache | None) -> _Done | None:
    if store is None:
        return None
    try:
        return _process_package(pkg, config, want_fixes, with_facts, store)
    except _Miss:
        return None


def run(
    targets: list[Target], config: Config, want_fixes: bool = False, progress=None
) -> Iterator[FileResult]:
    """Results package by package (targets of one directory together, in their order),
    streamed in order; ``progress(n)`` is called as files are done. Packages the cache
    answers whole are served without parsing or workers."""
    with_facts = any(r.needs_package for r in rules_for(config))
    gomod.set_roots(config.roots)
    store = cache.Cache() if config.cache else None
    packages = _packages(targets)
    cached = [_from_cache(pkg, config, want_fixes, with_facts, store) for pkg in packages]
    work = [(pkg, config, want_fixes, with_facts) for pkg, done in zip(packages, cached) if done is None]
    jobs = config.jobs or os.cpu_count() or 1
    pool = None
    if jobs > 1 and sum(len(w[0].targets) for w in work) >= PARALLEL_THRESHOLD and len(work) > 1:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=gomod.set_roots, initargs=(config.roots,))
        # the biggest packages first (longest processing time first), so that one large
        # package late in the order does not keep a worker busy while the others idle;
        # results are still taken in package order
        futures: dict[int, Future] = {}
        for i in sorted(range(len(work)), key=lambda i: -_package_bytes(work[i][0])):
            futures[i] = pool.submit(_process_package_star, work[i])
        computed = (futures.pop(i).result() for i in range(len(work)))
    else:
        computed = map(_process_package_star, work)
    held: list[FileResult] = []  # results the module phase may still change
    facts_by_dir: dict[str, PackageFacts] = {}
    try:
        for done in cached:  # in package order: cached ones between computed ones
            if done is None:
                done = next(computed)
                if store is not None:
                    for key, ff in done.facts:
                        store.put(key, ff)
                    for key, r in done.results:
                        if key is not None:
                            store.put(key, r)
            if store is not None:
                for key, record in done.digests:
                    store.put(key, record)
                for warning in done.cache_warnings:
                    store.warn(warning)
            for _, r in done.results:
                if progress is not None:
                    progress(1)
                if r.candidates or want_fixes:
                    held.append(r)
                else:
                    yield r
            if done.package is not None:
                facts_by_dir[done.package.directory] = done.package
        if store is not None:
            store.flush()  # the module phase reads what the workers computed
        by_dir = {pkg.directory: pkg for pkg in packages}

        def facts_of(directory: str) -> PackageFacts | None:
            """A package's facts: as its results were computed with, or (when the cache
            answered for them without the facts) as they are now."""
            if directory not in facts_by_dir and with_facts and directory in by_dir:
                facts_by_dir[directory] = package_facts_of(by_dir[directory], config, store)
            return facts_by_dir.get(directory)

        yield from _module_phase(held, config, want_fixes, facts_of, {t.path: t for t in targets})
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if store is not None:
            store.close()


def _module_phase(
    results: list[FileResult], config: Config, want_fixes: bool, facts_of: Callable[[str], PackageFacts | None],
    targets: dict[str, Target],
) -> list[FileResult]:
    """Context plumbing across the files of each module (see plumbing.py), only where every
    call lies in a file of ``targets`` (the files this run reads) that may be edited."""
    candidates = [c for r in results for c in r.candidates]
    if not candidates:
        return results

    def not_editable(path: str) -> str | None:
        t = targets.get(path)
        if t is None or t.problem:
            return "excluded or outside the paths given"
        try:
            return "generated" if not t.explicit and is_generated(read_regular(path)) else None
        except OSError:
            return "unreadable"

    plan, refused = plumbing.resolve(candidates, config.plumb_exported, not_editable, config.go_version)
    by_path = {r.abspath: r for r in results}
    quiet = {r.name for r in rules_for(config) if not r.reports_unplumbed}
    for cand in candidates:
        r = by_path[cand.path]
        reason = refused.get(cand)
        note = (
            f"no context in scope; not plumbed: {reason}" if reason else
            f"no context in scope: the fix adds `{cand.ctx_name} context.Context` to {cand.func[0]} "
            f"and updates {sum(1 for c in plan.calls if c.decl == cand.path and c.func == cand.func)} call(s) in the module"
        )
        for f in cand.findings:
            f = dataclasses.replace(f, path=r.path, fixes=() if reason else f.fixes, notes=f.notes + (note,))
            same = [g for g in r.findings if g.rule == f.rule and g.start == f.start]
            if reason and not same and f.rule in quiet:
                continue
            if same and reason:
                f = dataclasses.replace(same[0], notes=same[0].notes + (note,))
            r.findings = sorted([g for g in r.findings if g not in same] + [f], key=lambda g: (g.start, g.rule))
    if not want_fixes or not plan.functions:
        return results
    touched = sorted({c.path for c in plan.calls} | {c.path for c in candidates if c not in refused})
    for path in touched:
        prev = by_path.get(path)
        target = Target(path, prev.path if prev else display_path(path), True)
        redo = process(target, config, True, plan=plan, package=facts_of(os.path.dirname(path)))
        if prev is None:
            redo.findings = []  # a caller outside the paths asked for: only its edits matter
            by_path[path] = redo
            results.append(redo)
        else:
            prev.original, prev.fixed, prev.applied, prev.plan = redo.original, redo.fixed, redo.applied, plan
            prev.error = prev.error or redo.error
    return results
