"""Context plumbing through the CLI: one patch across files that `git apply` accepts,
follow-ups for each context.TODO(), and refusals that say why."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _run(args, cwd):
    return subprocess.run([sys.executable, "-m", "gofixleaks", *args], cwd=cwd, capture_output=True, text=True)


def test_plumbing_patch_spans_files_and_applies_with_git(tmp_path: Path):
    repo = tmp_path / "repo"
    shutil.copytree(GOLDEN / "loop-without-exit" / "plumb-method", repo, ignore=shutil.ignore_patterns("*.golden"))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    res = _run(["fix", "--no-cache", "--rule", "loop-without-exit", "."], repo)
    assert res.returncode == 0, res.stderr
    assert "diff --git a/pump.go b/pump.go" in res.stdout and "diff --git a/server.go b/server.go" in res.stdout
    check = subprocess.run(["git", "apply", "--check", "-"], cwd=repo, input=res.stdout, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "follow-up: server.go:15: passes context.TODO() to Pump.run" in res.stderr
    subprocess.run(["git", "apply", "-"], cwd=repo, input=res.stdout, check=True, text=True)
    for name in ("pump.go", "server.go"):
        golden = GOLDEN / "loop-without-exit" / "plumb-method" / f"{name}.golden"
        assert (repo / name).read_bytes() == golden.read_bytes()


def test_refusal_reason_is_in_the_json_notes(tmp_path: Path):
    case = GOLDEN / "loop-without-exit" / "plumb-refused-interface"
    res = _run(["scan", "--no-cache", "--format", "json", "--rule", "loop-without-exit", str(case)], tmp_path)
    assert res.returncode == 1
    (finding,) = json.loads(res.stdout)["findings"]
    assert finding["fixable"] is False
    assert any("may implement the interface method" in n for n in finding["notes"])


def test_exported_function_is_plumbed_only_with_the_flag(tmp_path: Path):
    case = GOLDEN / "unbounded-goroutines" / "plumb-refused-exported"
    plain = _run(["fix", "--no-cache", "--rule", "unbounded-goroutines", str(case)], tmp_path)
    assert "func StartWorker(ctx context.Context)" not in plain.stdout
    allowed = _run(["fix", "--no-cache", "--plumb-exported", "--rule", "unbounded-goroutines", str(case)], tmp_path)
    assert "+func StartWorker(ctx context.Context) {" in allowed.stdout
    assert "case <-ctx.Done():" in allowed.stdout
