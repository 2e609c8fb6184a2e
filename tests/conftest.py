"""Shared test helpers: an isolated result cache, tiny Go modules on disk, and the CLI run
in-process with its exit code, stdout and stderr kept apart."""

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
