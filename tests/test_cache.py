"""The per-file result cache: hits on unchanged files, misses on changed content or config,
--no-cache bypasses it, concurrent runs share it safely, a broken cache is only a miss."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import types
import typing
from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover

LEAKY = "package p\n\nimport \"time\"\n\nfunc Poll(d time.Duration) {\n\tt := time.NewTicker(d)\n\t<-t.C\n}\n"


@pytest.fixture
def module(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("GOFIXLEAKS_CACHE_DIR", str(tmp_path / "cache"))
    m = tmp_path / "m"
    m.mkdir()
    (m / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (m / "a.go").write_text(LEAKY)
    (m / "b.go").write_text(LEAKY.replace("Poll", "Poll2"))
    return m


def _scan(module: Path, monkeypatch, **cfg) -> tuple[list, int]:
    calls = []
    real = engine.process
    monkeypatch.setattr(engine, "process", lambda *a, **k: calls.append(a[0].path) or real(*a, **k))
    config = config_mod.load((str(module),), jobs=1, **cfg)
    results = list(engine.run(discover((str(module),)), config))
    monkeypatch.setattr(engine, "process", real)
    return results, len(calls)


def test_unchanged_files_come_from_the_cache(module: Path, monkeypatch):
    first, parsed = _scan(module, monkeypatch)
    assert parsed == 2
    second, parsed = _scan(module, monkeypatch)
    assert parsed == 0
    assert [f.to_dict() for r in second for f in r.findings] == [f.to_dict() for r in first for f in r.findings]


def test_changed_content_and_config_miss(module: Path, monkeypatch):
    _scan(module, monkeypatch)
    (module / "a.go").write_text(LEAKY.replace("<-t.C", "<-t.C\n\t<-t.C"))
    _, parsed = _scan(module, monkeypatch)
    assert parsed == 1
    _, parsed = _scan(module, monkeypatch, go_version="1.23")
    assert parsed == 2


def test_no_cache_neither_reads_nor_writes(module: Path, monkeypatch, tmp_path: Path):
    _, parsed = _scan(module, monkeypatch, use_cache=False)
    assert parsed == 2 and not (tmp_path / "cache").exists()


def test_a_corrupt_cache_is_only_a_miss(module: Path, monkeypatch, tmp_path: Path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "results-v2.sqlite3").write_bytes(b"this is not a database")
    results, parsed = _scan(module, monkeypatch)
    assert parsed == 2 and sum(len(r.findings) for r in results) == 2


def test_concurrent_runs_share_the_cache(module: Path, tmp_path: Path):
    env = {"GOFIXLEAKS_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    for i in range(30):
        (module / f"f{i}.go").write_text(LEAKY.replace("Poll", f"Poll{i}"))
    cmd = [sys.executable, "-m", "gofixleaks", "scan", "--format", "json", "-j", "2", str(module)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(3)]
    outs = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [1, 1, 1], [o[1] for o in outs]
    assert outs[0][0] == outs[1][0] == outs[2][0]
    assert b"Traceback" not in b"".join(o[1] for o in outs)


SAFE = LEAKY.replace("\t<-t.C\n", "\tdefer t.Stop()\n\t<-t.C\n")


def _db(tmp_path: Path) -> Path:
    [db] = [p for p in (tmp_path / "cache").iterdir() if p.suffix == ".sqlite3"]
    return db


def test_a_result_is_stored_under_the_key_of_the_bytes_it_was_computed_from(module: Path, monkeypatch):
    # the file changes between the cache lookup and the processing: the result of the new
    # bytes must not be served later for the old ones
    a = module / "a.go"
    real = engine.process

    def edited_meanwhile(target, *args, **kwargs):
        if target.path == str(a):
            a.write_text(SAFE)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(engine, "process", edited_meanwhile)
    list(engine.run(discover((str(module),)), config_mod.load((str(module),), jobs=1)))
    monkeypatch.setattr(engine, "process", real)
    a.write_text(LEAKY)  # back as it was when the key was computed
    results, _ = _scan(module, monkeypatch)
    assert [len(r.findings) for r in results] == [1, 1]
