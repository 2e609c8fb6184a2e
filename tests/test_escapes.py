"""Terminal escapes in Go source (here in a comment inside a replaced time.After call, which
the finding's message quotes and the fix keeps) never reach a terminal, a commit message or
a pull request raw: everything shown or committed has its control characters escaped. A
patch (`fix --diff` piped, `--patch-out`) keeps the bytes: it has to apply."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from gofixleaks import config as config_mod, engine, review, vcs
from gofixleaks.discover import discover

from .conftest import git, git_repo, write_module
from .test_cli import _run_on_tty

EVIL = "\x1b]0;owned\x07\x1b[2J\u202e"  # set the window title, clear the screen, reverse the text
SHOWN = "\\x1b]0;owned\\x07\\x1b[2J\\u202e"
CONSUME = f"""\
package consume

import "time"

// Consume handles messages until none arrives for idle.
func Consume(msgs <-chan string, idle time.Duration) int {{
	n := 0
	for {{
		select {{
		case <-msgs:
			n++
		case <-time.After(idle /* {EVIL} */):
			return n
		}}
	}}
}}
"""


@pytest.fixture
def evil(tmp_path) -> Path:
    root = git_repo(write_module(tmp_path / "repo", {"consume.go": CONSUME}))
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    return root


def no_raw_escape(text: str) -> bool:
    return "\x1b" not in text and "\u202e" not in text and "\x07" not in text


def test_scan_and_fix_show_escapes_escaped(cli, evil):
    scan = cli("scan", cwd=evil)
    assert scan.code == 1 and no_raw_escape(scan.stdout + scan.stderr) and SHOWN in scan.stdout
    fix = cli("fix", "--diff", cwd=evil)
    assert no_raw_escape(fix.stderr)
    assert f"/* {EVIL} */" in fix.stdout  # the patch is bytes to apply, not text to show
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    on_tty = _run_on_tty(["fix", "--diff"], evil, {**env, "TERM": "xterm"}).decode()
    assert no_raw_escape(on_tty) and f"/* {SHOWN} */" in on_tty  # shown on a terminal: escaped


def test_review_shows_and_commits_them_escaped(evil):
    cfg = config_mod.load((str(evil),), jobs=1, use_cache=False, unsafe_fixes=True)
    [result] = [r for r in engine.run(discover((str(evil),)), cfg, want_fixes=True) if r.changed]
    fr = review.FileReview("consume.go", result.abspath, result.original, result.original,
                           review.build_units("consume.go", result))
    out = io.StringIO()
    s = review.Session([fr], Console(file=out, width=300, no_color=True), review.Prompter(), str(evil))
    s.show(s.questions[0])
    assert no_raw_escape(out.getvalue()) and SHOWN in out.getvalue()
    fr.units[0].decision = "y"
    review.finish(vcs.open_repo(str(evil)), [fr], False, True, Console(file=io.StringIO()))
    message = git(evil, "log", "-1", "--format=%B")
    assert no_raw_escape(message) and SHOWN in message
    assert f"/* {EVIL} */" in (evil / "consume.go").read_text()  # the code keeps its bytes


def test_pr_body_and_commit_message_carry_them_escaped(tmp_path, evil):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(evil), str(remote)], check=True)
    git(evil, "remote", "add", "origin", str(remote))
    r = subprocess.run([sys.executable, "-m", "gofixleaks", "pr", "--base", "main", "--dry-run", "--provider", "github",
                        "--repo", "acme/svc", "--api-url", "https://api.github.com"],
                       cwd=evil, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert no_raw_escape(r.stdout + r.stderr) and SHOWN in r.stdout


def test_verify_notes_in_the_body_are_escaped():
    # --verify's notes quote go vet and test output, which quote the code
    from gofixleaks.pr import render_body

    body = render_body([], [], base="main", remote="origin", branch="b", module_dirs=["."], rerun="gofixleaks pr",
                       verification=("verified none; 1 dropped", f"x.go:3: fix dropped by --verify: {EVIL}"))
    assert no_raw_escape(body) and SHOWN in body
