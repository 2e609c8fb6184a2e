"""Shared test helpers: an isolated result cache, tiny Go modules on disk, and the CLI run
in-process with its exit code, stdout and stderr kept apart; and the order pytest-xdist
hands the modules to the workers in."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from gofixleaks.cli import main

ROOT = Path(__file__).resolve().parent.parent

# A ticker that is never stopped: ticker-not-stopped, the rule these tests rely on, reports
# it on line 6 and fixes it with one inserted line.
LEAKY = """\
package p

import "time"

func Poll(d time.Duration) {
	t := time.NewTicker(d)
	<-t.C
}
"""
LEAKY_FIXED = LEAKY.replace("\tt := time.NewTicker(d)\n", "\tt := time.NewTicker(d)\n\tdefer t.Stop()\n")
SAFE = LEAKY_FIXED


# The modules whose fixtures take minutes (a fixed std copy, one `go test` run serving many
# cases), longest first: started last, one of them would run alone at the end of the run.
SLOWEST_FIRST = [
    "tests/test_stdlib.py",
    "tests/test_evidence_targeted.py",
    "tests/test_fuzz_edits.py",
    "tests/test_grammar.py",
    "tests/test_evidence_targeted_holders.py",
    "tests/test_evidence_targeted_cancel.py",
]
# Tests that share no module fixture: each is a work unit of its own, and they run last, to
# fill whichever worker is free while the long modules end.
ONE_BY_ONE = "tests/test_golden.py::"


def pytest_collection_modifyitems(items):
    """The slowest modules first and the one-by-one tests last (pyproject.toml passes
    --no-loadscope-reorder, so xdist hands out work in this order)."""

    def rank(item) -> int:
        module = item.nodeid.split("::", 1)[0]
        if module in SLOWEST_FIRST:
            return SLOWEST_FIRST.index(module)
        return len(SLOWEST_FIRST) + item.nodeid.startswith(ONE_BY_ONE)

    items.sort(key=rank)  # stable: the order within a module stays


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadscope with test_golden's tests split into single tests."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if nodeid.startswith(ONE_BY_ONE) else super()._split_scope(nodeid)

    return Scheduling(config, log)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Never read or write the user's result cache from a test."""
    monkeypatch.setenv("GOFIXLEAKS_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "gofixleaks-cache"))


def write_module(root: Path, files: dict[str, str | bytes], go: str | None = "1.22") -> Path:
    """A Go module at ``root`` (go.mod pins ``go``; None writes no go.mod) holding ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    if go is not None:
        (root / "go.mod").write_text(f"module example.com/m\n\ngo {go}\n")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
    return root


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.autocrlf=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def git_repo(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    return root


@dataclass
class Run:
    code: int
    stdout: str  # exactly as printed: CRLF kept (click's Result.stdout would turn it into LF)
    stderr: str


@pytest.fixture
def cli(monkeypatch):
    """``cli(*args, cwd=dir)`` runs gofixleaks in-process; exceptions propagate, so a
    traceback fails the test instead of hiding in the output."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
        assert "Traceback" not in result.stderr
        return Run(result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr)

    return run
