"""`gofixleaks campaign run|status`. The campaign extra (Dask, tenacity) is imported only when
a campaign runs, so the rest of the command line works without it."""

from __future__ import annotations

import os
import sys
import tempfile

import click

from .repos import CampaignError

DEFAULT_STATE = "gofixleaks-campaign.sqlite3"
EXIT_USAGE = 2


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"gofixleaks: error: {message}", err=True)
    sys.exit(code)


def _duration(ctx, param, value: str) -> float:
    from ..cli import _duration as parse  # gofixleaks.cli imports this module at its end

    return parse(ctx, param, value)


def _html_path(state: str, given: str | None) -> str:
    return given or os.path.splitext(state)[0] + ".html"


def _write_report(state_path: str, html_path: str, rows) -> None:
    from .. import atomic
    from .report import render_html

    try:
        atomic.write_files({html_path: render_html(rows).encode("utf-8")})
    except OSError as e:
        _fail(f"{html_path}: cannot write: {e.strerror or e}", 1)
    click.echo(f"report: {html_path}", err=True)


@click.group()
def campaign() -> None:
    """Fix many repositories and open a pull request in each (see `campaign run --help`)."""


state_option = click.option("--state", "state_path", default=DEFAULT_STATE, show_default=True, type=click.Path(dir_okay=False),
                            help="SQLite file recording each repository's outcome; a re-run resumes from it.")
html_option = click.option("--html", "html_path", type=click.Path(dir_okay=False),
                           help="Where to write the HTML report (default: the state file's name with .html).")


@campaign.command("run")
@click.argument("repos_file", type=click.Path(dir_okay=False))
@state_option
@html_option
@click.option("--workdir", type=click.Path(file_okay=False), help="Where the clones go, on each worker (default: a directory in the temp dir).")
@click.option("--cluster", metavar="tcp://HOST:PORT", help="Run each repository's work on this Dask scheduler's workers (default: a local process pool).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Local worker processes (default: one per core).")
@click.option("--base", metavar="BRANCH", help="Branch to fix and propose to (default: each repository's default branch).")
@click.option("--rule", "rules", multiple=True, metavar="NAME", help="Only this rule (repeatable).")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB", help="Skip matching paths (repeatable).")
@click.option("--verify", type=click.Choice(["vet", "tests", "none"]), default="vet", show_default=True,
              help="Prove the fixes before pushing, as `fix --verify` does: `vet` type-checks the fixed packages, "
                   "`tests` also runs their tests; fixes that break them are dropped.")
@click.option("--verify-timeout", default="2m", show_default=True, metavar="DURATION", callback=_duration,
              help="With --verify tests: stop a package's tests after this long (a hang the fix causes is a failure).")
@click.option("--retry-failed", is_flag=True, help="Also redo repositories that failed in an earlier run.")
@click.option("--draft/--no-draft", default=True, show_default=True, help="Open the pull requests as drafts.")
@click.option("--label", "labels", multiple=True, metavar="L", help="Label to add (repeatable).")
@click.option("--reviewer", "reviewers", multiple=True, metavar="R", help="Reviewer to request (repeatable).")
@click.option("--provider", type=click.Choice(["github", "gitlab"]), help="Forge (default: inferred from each clone URL).")
@click.option("--api-url", metavar="URL", help="REST API root (default: inferred from each clone URL).")
@click.option("--prs-per-minute", type=click.FloatRange(min=0), default=4.0, show_default=True,
              help="At most this many pull requests opened or updated a minute (0: no limit).")
@click.option("--max-tries", type=click.IntRange(min=1), default=5, show_default=True,
              help="Tries of one pull request when the forge rate-limits it.")
def run_cmd(repos_file, state_path, html_path, workdir, cluster, jobs, base, rules, excludes, verify, verify_timeout,
            retry_failed, draft, labels, reviewers, provider, api_url, prs_per_minute, max_tries):
    """Fix every repository of REPOS_FILE and open or update a pull request in each.

    REPOS_FILE has one repository a line: its clone URL and its OWNER/NAME on the forge.
    Each is cloned (shallow), fixed and verified as `gofixleaks pr --base BRANCH` would do it
    and pushed to the same branch; the pull requests are opened one at a time, as drafts
    unless --no-draft. A repository's failure never stops the others."""
    try:
        from .. import forge as forge_mod
        from . import repos, runner
        from .proposals import Settings
        from .state import State, StateError
    except ImportError as e:
        _fail(f"campaigns need {e.name}: pip install 'gofixleaks[campaign]'")
    opts = runner.Options(
        state_path, workdir or os.path.join(tempfile.gettempdir(), "gofixleaks-campaign"), cluster, jobs, base,
        rules, excludes, verify, verify_timeout, retry_failed, provider, api_url, prs_per_minute,
        Settings(draft, labels, reviewers, max_tries))
    try:
        code = runner.run(repos.read(repos_file), opts, click.echo, os.environ)
        state = State(state_path, create=False)
        rows = state.rows()
        state.close()
    except (CampaignError, StateError, forge_mod.SetupError) as e:
        _fail(str(e))
    from .report import summary

    click.echo(summary(rows))
    _write_report(state_path, _html_path(state_path, html_path), rows)
    sys.exit(code)


@campaign.command("status")
@state_option
@html_option
def status_cmd(state_path, html_path):
    """Print each repository's outcome and write the HTML report with counts per rule."""
    from .report import summary, table
    from .state import State, StateError

    try:
        state = State(state_path, create=False)
    except StateError as e:
        _fail(str(e))
    rows = state.rows()
    state.close()
    click.echo(table(rows))
    click.echo(summary(rows))
    _write_report(state_path, _html_path(state_path, html_path), rows)
