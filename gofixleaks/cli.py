"""Command line: parse options, call the engine, render. No analysis lives here."""

from __future__ import annotations

import contextlib
import os
import re
import sys

from typing import TYPE_CHECKING

import click

# Only what every command needs is imported here (a warm `scan` of a service takes about as
# long as starting up): the modules of writing fixes, patches and docs wait for their command.
from . import __version__, config as config_mod, engine, gomod, registry, report
from .discover import DiscoveryError, discover
from .evidence import PROVEN_LEAK, PROVEN_LEAK_DOC, PROVEN_LEAK_SUMMARY
from .textsafe import printable

if TYPE_CHECKING:
    from rich.console import Console  # imported by _console: a JSON scan never needs rich

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_FILES = 200


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # NO_COLOR (no-color.org) means plain text: rich's no_color alone still emits bold
    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(file=stream, no_color=no_color, color_system=None if no_color else "auto",
                   highlight=False, soft_wrap=True, force_terminal=None if stream.isatty() else False)


def fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"gofixleaks: error: {printable(message)}", err=True)
    sys.exit(code)


def _rule_option_flags() -> list:
    """A flag for every rule option (``--max-goroutines``), generated from the rules'
    declarations: its help names the rules that have it and the default."""
    flags = []
    for name, owners in sorted(config_mod.option_names(_CATALOGUE).items()):
        o = owners[0].option(name)
        help_text = f"{o.help} ({', '.join(r.name for r in owners)}; default {o.default})."
        if o.type is bool:
            flags.append(click.option(f"--{name}/--no-{name}", default=None, help=help_text))
        else:
            flags.append(click.option(f"--{name}", type=o.type, default=None, metavar=o.type.__name__.upper(), help=help_text))
    return flags


def _catalogue():
    try:
        return registry.rules(), None
    except registry.RegistryError as e:  # two providers claim one rule name
        return (), str(e)


_CATALOGUE, _CATALOGUE_PROBLEM = _catalogue()


def engine_options(f):
    """Options shared by every command that runs the engine."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--rule", "rules", multiple=True, metavar="NAME", help="Only this rule (repeatable)."),
        click.option("--exclude", "excludes", multiple=True, metavar="GLOB", help="Skip matching paths (repeatable)."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: .gofixleaks.toml found upward)."),
        click.option("--go-version", metavar="X.Y", help="Go semantics to assume instead of go.mod's `go` directive."),
        *_rule_option_flags(),
        click.option("--plumb-exported", is_flag=True, help="Allow adding a ctx parameter to exported functions."),
        click.option("--jobs", "-j", type=int, default=0, metavar="N", help="Worker processes (default: one per core)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the per-file result cache."),
        click.option("--force-exclude", is_flag=True,
                     help="Skip named files too when excluded, generated or in vendor/ or testdata/ (for pre-commit)."),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def _setup(paths, rules, excludes, config_path, go_version, plumb_exported, jobs, no_cache, force_exclude=False,
           unsafe_fixes=False, **rule_flags):
    """Config and targets from the engine options; ``rule_flags`` are the generated rule
    option flags, by click's parameter name (None: not given)."""
    paths = tuple(paths) or (".",)
    flags = {name: rule_flags[name.replace("-", "_")] for name in config_mod.option_names(_CATALOGUE)
             if rule_flags.get(name.replace("-", "_")) is not None}
    try:
        cfg = config_mod.load(
            paths, rules, excludes, go_version, jobs=jobs, plumb_exported=plumb_exported, config_path=config_path,
            use_cache=not no_cache, unsafe_fixes=unsafe_fixes, option_flags=flags,
        )
        targets = discover(paths, cfg.excludes, force_exclude)
    except (config_mod.ConfigError, DiscoveryError) as e:
        fail(str(e))
    return cfg, targets


class VerifyCommand(click.Command):
    """A command with `--verify[=vet|tests]`: `--verify` alone is `--verify=vet`, so that
    the word after it stays a path (`fix --verify ./pkg`)."""

    def parse_args(self, ctx, args):
        end = args.index("--") if "--" in args else len(args)
        return super().parse_args(ctx, ["--verify=vet" if a == "--verify" else a for a in args[:end]] + args[end:])


def _duration(ctx, param, value: str) -> float:
    """A Go duration (2m, 90s, 1m30s) in seconds."""
    if not re.fullmatch(r"(?:\d+(?:\.\d+)?(?:ms|h|m|s))+", value):
        raise click.BadParameter(f"{value!r} is not a duration such as 2m or 90s")
    unit = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * unit[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", value))


def verify_option(f):
    f = click.option("--verify-timeout", default="2m", show_default=True, metavar="DURATION", callback=_duration,
                     help="With --verify=tests: stop a package's tests after this long (a hang the fix causes is a failure).")(f)
    return click.option(
        "--verify", type=click.Choice(["vet", "tests"]), default=None, metavar="[=vet|tests]",
        help="Prove fixes before writing: `--verify` type-checks patched packages with `go vet`; `--verify=tests` "
             "also runs their tests before and after. Fixes that break a package are dropped; a package that "
             "cannot be checked even unpatched is unverifiable and its fixes are not applied.",
    )(f)


def compute_fixes(cfg, targets, verify: str | None, verify_timeout: float = 120.0) -> list:
    """The fixes for ``targets``, as `fix`, `review` and `pr` all see them; with ``verify``
    (vet or tests), proved at that level, what it found told on stderr; exit 2 when no fix
    could be verified."""
    with progress_bar(len(targets)) as advance:
        results = list(engine.run(targets, cfg, want_fixes=True, progress=advance))
    if verify:
        from . import verify as verify_mod

        try:
            with verify_progress() as progress:
                results = verify_mod.verify(results, cfg, verify, verify_timeout, progress)
        except verify_mod.VerifyError as e:
            fail(str(e))
        summary = verify_mod.summarize(results)
        for note in summary.notes:  # they quote go vet and test output, from the code
            click.echo(f"gofixleaks: {printable(note)}", err=True)
        if summary.nothing_verified:
            fail(f"--verify={verify} could not verify any fix ({summary.unverifiable} unverifiable); nothing applied")
    return results


@contextlib.contextmanager
def verify_progress():
    """--verify's progress on a terminal (stage, packages done/total, the current one); none when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("gofixleaks: verify {task.fields[stage]}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[current]}"))
    with Progress(*columns, console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("verify", total=None, stage="", current="")

        def show(stage: str, done: int, total: int, current: str) -> None:
            bar.update(task, completed=done, total=total, stage=stage, current=report.shown(current))

        yield show


@contextlib.contextmanager
def progress_bar(total: int):
    """A progress callback drawing a bar on stderr for long runs on a terminal; none when piped."""
    if total < PROGRESS_MIN_FILES or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("gofixleaks"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("files", total=total)
        yield lambda n: bar.advance(task, n)


def _note_assumed_version(results) -> None:
    n = sum(1 for r in results if r.assumed_version)
    if n:
        click.echo(
            f"gofixleaks: note: no go.mod above {n} file(s); assuming Go before 1.23 "
            "(timers and tickers leak unless stopped); use --go-version to say otherwise",
            err=True,
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gofixleaks")
def main() -> None:
    """Find goroutine leaks in Go code and rewrite them into safe code."""
    if _CATALOGUE_PROBLEM:
        fail(_CATALOGUE_PROBLEM)
    registry.warn_problems()


@main.command()
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "rdjson"]), default="text", show_default=True)
def scan(fmt, **opts):
    """Report leak-prone code. Exit 1 when something is found."""
    cfg, targets = _setup(**opts)
    with progress_bar(len(targets)) as advance:
        results_iter = engine.run(targets, cfg, want_fixes=False, progress=advance)
        if fmt == "text":
            results = []

            def collect():
                for r in results_iter:
                    results.append(r)
                    yield r

            n_findings, n_errors = report.text(collect(), _console())
        else:
            results = sorted(results_iter, key=lambda r: r.path)  # the module phase may reorder
            n_findings = sum(len(r.findings) for r in results)
            n_errors = sum(1 for r in results if r.error)
    if fmt == "text":
        if not targets:
            click.echo("gofixleaks: no Go files found", err=True)
        else:
            click.echo(f"{n_findings} finding(s) in {len(targets)} file(s)" + (f", {n_errors} error(s)" if n_errors else "")
                       + report.partially_parsed_count(results, ", "), err=True)
    elif fmt == "json":
        click.echo(report.as_json(results))
    elif fmt == "rdjson":
        click.echo(report.rdjson(results))
    else:
        click.echo(report.sarif(results, engine.rules_for(cfg)))
    _note_assumed_version(results)
    sys.exit(EXIT_FOUND if n_findings or n_errors else EXIT_OK)


def threshold_option(f):
    from .evidence import DEFAULT_THRESHOLD  # not .sites: its parsers wait for the command

    return click.option(
        "--threshold", type=click.IntRange(min=1), default=DEFAULT_THRESHOLD, show_default=True, metavar="N",
        help="Goroutines parked on one site that make it a suspected leak.",
    )(f)


def _count(ctx, param, value: str | None) -> int:
    """go test's -count: a positive number of runs (a bad one is a one-line error, exit 2)."""
    if value is None:
        return 1
    if not re.fullmatch(r"\d+", value.strip()) or int(value) < 1:
        fail(f"--count: want a positive number of runs, not {value!r}")
    return int(value)


def _cpus(ctx, param, value: str | None) -> tuple[int, ...]:
    """go test's -cpu: comma-separated positive GOMAXPROCS values."""
    if value is None:
        return ()
    items = [v.strip() for v in value.split(",")]
    if not all(re.fullmatch(r"\d+", v) and int(v) >= 1 for v in items):
        fail(f"--cpu: want comma-separated positive GOMAXPROCS values such as 1,2,4, not {value!r}")
    return tuple(int(v) for v in items)


def repeat_options(only: str = ""):
    """--count, --cpu and --race, passed to go test: a leak the tests show in some runs only
    is looked for in as many, under the same scheduler."""
    def decorate(f):
        f = click.option("--race", is_flag=True,
                         help="Run the tests under the race detector (go test -race), whose scheduler picks at random "
                              "which ready goroutine runs next: a leak that needs an uncommon interleaving shows in "
                              f"most runs (slower; a data race fails the test).{only}")(f)
        f = click.option("--cpu", "cpus", metavar="LIST", callback=_cpus,
                         help=f"Run each test under each of these GOMAXPROCS values, e.g. 1,2,4 (go test -cpu).{only}")(f)
        return click.option("--count", metavar="N", callback=_count,
                            help="Run each test N times in the one test process (go test -count); the leak check "
                                 f"after them all sees every goroutine any run left behind.{only}")(f)
    return decorate


def _gather_evidence(source: str, paths: tuple[str, ...], count: int, cpus: tuple[int, ...], race: bool):
    from .evidence import commands as ev_cmd, leakcheck

    try:
        return ev_cmd.gather(source, paths, leakcheck.Repeat(count, cpus, race))
    except ev_cmd.EvidenceError as e:
        fail(str(e))


@main.command(cls=VerifyCommand)
@engine_options
@click.option("--diff", "mode", flag_value="diff", default=True, help="Print a unified diff (default).")
@click.option("--write", "mode", flag_value="write", help="Rewrite the files in place.")
@click.option("--patch-out", type=click.Path(dir_okay=False), help="Write the diff to FILE.")
@click.option("--check", is_flag=True, help="Exit 1 if a change would be made; write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="With --write or --check, apply `review` fixes too (a diff shows them anyway).")
@click.option("--format", "fmt", type=click.Choice(["diff", "json", "sarif"]), default="diff", show_default=True,
              help="What stdout shows: the diff, or the findings with each fix's --verify verdict as JSON or SARIF.")
@verify_option
@click.option("--evidence", "evidence_source", metavar="tests|DUMP|URL", help="Mark and put first the findings that run-time evidence confirms; aim targeted fixes at proven leaks no rule fixed.")
@threshold_option
@repeat_options(" With --evidence tests only.")
def fix(mode, patch_out, check, unsafe_fixes, fmt, verify, verify_timeout, evidence_source, threshold, count, cpus, race, **opts):
    """Rewrite leak-prone code. Prints a diff unless --write."""
    from . import atomic, diff as diff_mod

    if check and mode == "write":
        fail("--check and --write cannot be used together")
    applying = check or mode == "write"
    # a diff or patch is read before it is applied: it shows `review` fixes too
    cfg, targets = _setup(**opts, unsafe_fixes=unsafe_fixes or not applying)
    if (count != 1 or cpus or race) and evidence_source != "tests":
        fail("--count, --cpu and --race say how to run the tests: they need --evidence tests")
    ev = _gather_evidence(evidence_source, opts["paths"] or (".",), count, cpus, race) if evidence_source else None
    results = compute_fixes(cfg, targets, verify, verify_timeout)
    if ev is not None:
        from .evidence import commands as ev_cmd

        results, covered = ev_cmd.confirm(results, targets, ev, threshold)
        ev_cmd.report(ev, covered, results, _console(stderr=True))
        ev_cmd.target(ev, covered, results, targets, cfg.unsafe_fixes, opts["paths"] or (".",), threshold, _console(stderr=True))
    # patch paths are relative to the tree: `git apply` (or `patch -p1`) takes them from there
    root = _tree(opts["paths"])
    changed = [r for r in results if r.changed]
    err = _console(stderr=True)
    report.fix_notes(results, err, review_left_out=not cfg.unsafe_fixes)
    patch = "".join(diff_mod.unified(r.original, r.fixed, diff_mod.diff_path(r.abspath, root)) for r in changed)
    if patch_out:
        try:
            atomic.write_files({patch_out: patch.encode("utf-8")}, tree=os.sep)  # a file the user named
        except OSError as e:
            fail(f"{patch_out}: cannot write: {e.strerror or e}")
    if fmt == "json":
        click.echo(report.as_json(results))
    elif fmt == "sarif":
        click.echo(report.sarif(results, engine.rules_for(cfg)))
    elif not patch_out and (mode == "diff" or check):
        # a patch keeps the files' bytes, to apply (color=True: click would strip what looks
        # like an ANSI sequence, and the patch would no longer apply); on a terminal it is
        # only read: escaped
        if sys.stdout.isatty():
            click.echo(printable(patch, keep_line_ends=True), nl=False)
        else:
            click.echo(patch, nl=False, color=True)
    unwritten: set[str] = set()
    if mode == "write" and not check:
        for r in changed:
            try:
                atomic.write_files({r.abspath: r.fixed}, expected={r.abspath: r.original}, tree=root)
            except (OSError, atomic.Refused) as e:  # a read-only directory, an edit meanwhile: the others are still written
                unwritten.add(r.abspath)
                why = str(e) if isinstance(e, atomic.Refused) else f"cannot write: {e.strerror or e}"
                err.print(f"[bold]{report.shown(r.path)}[/]: [red]error:[/] {report.shown(why)}", highlight=False)
    verb = "applied" if mode == "write" and not check else "would apply"
    click.echo(report.fix_summary(results, verb, not cfg.unsafe_fixes, frozenset(unwritten)), err=True)
    _note_assumed_version(results)
    if ev is not None and ev.tests is not None and mode == "write" and not check and not unwritten:
        ev_cmd.recheck(ev, opts["paths"] or (".",), {r.abspath for r in changed}, _console(stderr=True))
    if unwritten or any(r.error for r in results):
        sys.exit(EXIT_FOUND)
    sys.exit(EXIT_FOUND if check and changed else EXIT_OK)


def _tree(paths: tuple[str, ...]) -> str:
    """The tree `fix` works on: the git work tree of the first path, else its Go module (the
    directory of the nearest go.mod), else the directory given. Patch paths are relative to
    it, and a symbolic link is written through only to a file inside it."""
    from . import worktree

    first = os.path.abspath(paths[0] if paths else ".")
    try:
        return worktree.toplevel(first)
    except worktree.GitError:
        go_mod = gomod.find_go_mod(worktree.start_dir(first))
        return os.path.dirname(go_mod) if go_mod else worktree.start_dir(first)


@main.command(cls=VerifyCommand)
@engine_options
@verify_option
@click.option("--resume", is_flag=True, help="Continue an interrupted review with the decisions it saved.")
@click.option("--allow-dirty", is_flag=True, help="Also fix files with uncommitted changes (those changes stay uncommitted).")
@click.option("--no-commit", is_flag=True, help="Write the accepted fixes to the work tree; commit nothing.")
@click.option("--commit-per-rule", is_flag=True, help="One commit per rule instead of one for all.")
def review(verify, verify_timeout, resume, allow_dirty, no_commit, commit_per_rule, **opts):
    """Accept, reject or edit each proposed fix, then commit the accepted ones."""
    from . import review as review_mod, vcs

    if no_commit and commit_per_rule:
        fail("--no-commit and --commit-per-rule cannot be used together")
    try:
        repo = vcs.open_repo(opts["paths"][0] if opts["paths"] else ".")
        vcs.head_sha(repo)
        if not sys.stdin.isatty():
            fail("review asks a question per fix and stdin is not a terminal; "
                 "use `gofixleaks fix --write` to apply every fix without asking")
        cfg, targets = _setup(**opts, unsafe_fixes=True)  # every fix is asked about, `review` ones marked
        results = compute_fixes(cfg, targets, verify, verify_timeout)
        options = review_mod.Options(resume, allow_dirty, not no_commit, commit_per_rule)
        sys.exit(review_mod.run(repo, cfg, targets, results, options, _console()))
    except vcs.VcsError as e:
        fail(str(e))


@main.command("pr", cls=VerifyCommand)
@engine_options
@click.option("--base", required=True, metavar="BRANCH", help="Branch of the remote to fix and to propose the fixes to.")
@click.option("--remote", default="origin", show_default=True, help="Git remote to fetch from and push to.")
@click.option("--branch", metavar="NAME", help="Branch to push (default: gofixleaks/<base and scope>, stable across runs).")
@click.option("--title", metavar="T", help="Pull request title (default: the commit subject).")
@click.option("--draft", is_flag=True, help="Open it as a draft.")
@click.option("--label", "labels", multiple=True, metavar="L", help="Label to add (repeatable).")
@click.option("--reviewer", "reviewers", multiple=True, metavar="R", help="Reviewer to request (repeatable; org/team for a GitHub team).")
@click.option("--dry-run", is_flag=True, help="Print the branch, commit message and body; push nothing, call no API.")
@click.option("--provider", type=click.Choice(["github", "gitlab"]), help="Forge (default: inferred from the remote URL).")
@click.option("--repo", metavar="OWNER/NAME", help="Repository on the forge (default: from the remote URL).")
@click.option("--api-url", metavar="URL", help="REST API root, for GitHub Enterprise or self-hosted GitLab.")
@click.option("--insecure", is_flag=True, help="Allow an --api-url over plain http (the token travels in clear text).")
@verify_option
def pr(base, remote, branch, title, draft, labels, reviewers, dry_run, provider, repo, api_url, insecure, verify, verify_timeout,
       **opts):
    """Fix the base branch and open or update a pull request with the fixes."""
    from . import pr as pr_mod

    paths = opts.pop("paths")
    if opts["config_path"]:
        opts["config_path"] = os.path.abspath(opts["config_path"])

    def compute(worktree_paths):
        # A temporary worktree's paths never come back: caching their results only fills the cache.
        cfg, targets = _setup(worktree_paths, **{**opts, "no_cache": True}, unsafe_fixes=True)  # a person reviews the PR
        return compute_fixes(cfg, targets, verify, verify_timeout)

    req = pr_mod.Request(base, remote, branch, title, draft, labels, reviewers, dry_run, provider, repo, api_url, opts["rules"],
                         insecure=insecure)
    try:
        pr_mod.run(paths, req, compute, click.echo)
    except pr_mod.PRError as e:
        fail(str(e), e.code)


@main.command("lsp")
def lsp_cmd():
    """Language server on stdio: diagnostics and quick-fix code actions for Go buffers."""
    try:
        from . import lsp
    except ImportError as e:
        fail(f"the language server needs {e.name}: pip install 'gofixleaks[lsp]'")
    lsp.serve()


@main.command("rules")
@click.argument("name", required=False)
def rules_cmd(name):
    """List the rules, or print one rule's documentation with a before/after."""
    if name is None:
        width = max(len(r.name) for r in _CATALOGUE)
        for r in _CATALOGUE:
            since = f" (before Go {r.fixed_in_go[0]}.{r.fixed_in_go[1]})" if r.fixed_in_go else ""
            opt_in = "" if r.default else " (opt-in)"
            click.echo(f"{r.name.ljust(width)}  {r.summary}{since}{opt_in}  [{r.provider}]")
        click.echo(f"{PROVEN_LEAK.ljust(width)}  {PROVEN_LEAK_SUMMARY}  [fix --evidence]")
        return
    if name == PROVEN_LEAK:
        click.echo(f"# {PROVEN_LEAK}\n\n{PROVEN_LEAK_DOC}", nl=False)
        return
    rule = next((r for r in _CATALOGUE if r.name == name), None)
    if rule is None:
        fail(f"unknown rule {name!r}; `gofixleaks rules` lists them")
    from . import docs

    click.echo(docs.render(rule))


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--run", "test_run", metavar="REGEXP", help="Only the tests matching REGEXP (go test -run).")
@click.option("--timeout", metavar="D", help="go test -timeout (e.g. 2m); a timed-out package shows what was blocked.")
@repeat_options()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def test_cmd(paths, test_run, timeout, count, cpus, race, fmt):
    """Run the packages' tests with a leak check. Exit 1 on a proven leak."""
    from .evidence import commands as ev_cmd, leakcheck

    try:
        sys.exit(ev_cmd.test(tuple(paths) or (".",), test_run, timeout, leakcheck.Repeat(count, cpus, race), fmt, _console(),
                             _console(stderr=True)))
    except ev_cmd.EvidenceError as e:
        fail(str(e))


@main.command("evidence")
@click.argument("source", metavar="DUMP|URL")
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@threshold_option
def evidence_cmd(source, fmt, threshold, **opts):
    """Rank the blocked sites of a goroutine dump or profile and tie them to findings."""
    from .evidence import commands as ev_cmd

    cfg, targets = _setup(**opts)
    try:
        sys.exit(ev_cmd.evidence(source, cfg, targets, fmt, threshold, _console(), _console(stderr=True)))
    except ev_cmd.EvidenceError as e:
        fail(str(e))


from .campaign.cli import campaign  # noqa: E402  (its heavy imports wait until a campaign runs)

main.add_command(campaign)
