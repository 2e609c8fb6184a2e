"""The progress bar: drawn on stderr for long runs on a terminal, absent when piped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from gofixleaks.cli import PROGRESS_MIN_FILES


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    for i in range(PROGRESS_MIN_FILES + 10):
        (tmp_path / f"f{i}.go").write_text(f"package p\n\nimport \"time\"\n\nfunc F{i}() {{ t := time.NewTicker(1); <-t.C }}\n")
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    return tmp_path


def test_a_terminal_gets_a_progress_bar(many_files: Path):
    n = PROGRESS_MIN_FILES + 10
    child = pexpect.spawn(sys.executable, ["-m", "gofixleaks", "scan", "--no-cache", "-j", "1", str(many_files)],
                          env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "COLUMNS": "100"}, timeout=120, encoding="utf-8")
    child.expect(pexpect.EOF)
    assert f"{n}/{n}" in child.before  # the bar's count, complete
    assert f"{n} finding(s) in {n} file(s)" in child.before


def test_piped_output_gets_none(many_files: Path):
    res = subprocess.run([sys.executable, "-m", "gofixleaks", "scan", "--no-cache", str(many_files)], capture_output=True, text=True)
    assert res.returncode == 1
    n = PROGRESS_MIN_FILES + 10
    assert "━" not in res.stderr and f"/{n}" not in res.stderr
