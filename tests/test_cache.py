"""The per-file result cache: hits on unchanged files, misses on changed content or config,
--no-cache bypasses it, concurrent runs share it safely, a result is cached under the key of
the bytes it was computed from, values are plain JSON that round-trips every field, and a
broken entry or database is only a miss (with one warning), never a traceback or code run."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import types
import typing
from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine, facts as facts_mod
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


# Facts with strings shared between fields (a function's name and its calls, a package
# path), a package importing another of the module, a goroutine, a context maker.
SERVICE = {
    "svc/svc.go": """\
package svc

import (
	"context"

	"example.com/m/timing"
)

type Server struct {
	jobs chan int
	done chan struct{}
}

func (s *Server) Run(ctx context.Context) {
	for {
		select {
		case j := <-s.jobs:
			s.handle(ctx, j)
		case <-s.done:
			return
		}
	}
}

func (s *Server) handle(ctx context.Context, j int) {
	ctx, cancel := timing.Short(ctx)
	defer cancel()
	go func() { s.jobs <- j }()
	<-ctx.Done()
}
""",
    "timing/timing.go": """\
package timing

import (
	"context"
	"time"
)

const Wait = 10 * time.Millisecond

func Short(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, Wait)
}
""",
}


def test_a_warm_run_after_a_cold_one_parses_nothing(module: Path, monkeypatch):
    """The package facts' digest (part of every result's key) must not depend on whether
    the facts were just computed or read back from the cache: equal facts, equal digest."""
    for name, text in SERVICE.items():
        (module / name).parent.mkdir(exist_ok=True)
        (module / name).write_text(text)
    _, parsed = _scan(module, monkeypatch)
    assert parsed == 4
    _, parsed = _scan(module, monkeypatch)
    assert parsed == 0


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


def test_cached_values_are_plain_json_and_a_crafted_value_never_runs(module: Path, monkeypatch, tmp_path: Path, capsys):
    import pickle
    import sqlite3

    _scan(module, monkeypatch)
    db = sqlite3.connect(_db(tmp_path))
    values = [v for (v,) in db.execute("SELECT value FROM results")]
    assert len(values) >= 2 and all(isinstance(json.loads(v), dict) for v in values)  # results and file facts
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with db:
        db.execute("UPDATE results SET value = ?", (pickle.dumps(Payload()),))
    db.close()
    results, parsed = _scan(module, monkeypatch)
    assert not marker.exists() and parsed == 2 and [len(r.findings) for r in results] == [1, 1]
    warnings = [ln for ln in capsys.readouterr().err.splitlines() if "warning" in ln]
    assert len(warnings) == 1 and "result cache" in warnings[0]
    _, parsed = _scan(module, monkeypatch)
    assert parsed == 0  # the bad entries were replaced


@pytest.mark.parametrize("garbage", [b"this is not a database", b"SQLite format 3\x00" + b"\x07" * 4000])
def test_an_unreadable_db_is_rebuilt_with_one_warning(module: Path, monkeypatch, tmp_path: Path, capsys, garbage):
    _scan(module, monkeypatch)
    _db(tmp_path).write_bytes(garbage)
    results, parsed = _scan(module, monkeypatch)
    assert parsed == 2 and sum(len(r.findings) for r in results) == 2
    warnings = [ln for ln in capsys.readouterr().err.splitlines() if "warning" in ln]
    assert len(warnings) == 1 and "rebuilt" in warnings[0]
    _, parsed = _scan(module, monkeypatch)
    assert parsed == 0


def _sample(hint):
    """A value of type ``hint`` that differs from every default: so a field added to the
    cached dataclasses later is exercised without a second edit here."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        made = {}
        for f in dataclasses.fields(hint):
            if f.init:
                made[f.name] = _sample(hints[f.name])
        try:
            return hint(**made)
        except ValueError:  # a field with a closed set of values (Fix.applicability): its default
            return hint(**{k: v for k, v in made.items() if k != "applicability"}, applicability="safe")
    if origin in (typing.Union, types.UnionType):
        return _sample(next(a for a in args if a is not type(None)))
    if origin is list:
        return [_sample(args[0])] if args else []
    if origin is tuple:
        return (_sample(args[0]),) if len(args) == 2 and args[1] is Ellipsis else tuple(_sample(a) for a in args)
    if hint is list:  # an untyped list (FileResult.dropped): only ever empty in the cache
        return []
    return {str: "x \x1b[31m 中文", int: 7, bool: True, bytes: b"\xff\x00\r\n\xe4\xb8", float: 0.5}[hint]


@pytest.mark.parametrize("kind", [engine.FileResult, facts_mod.FileFacts], ids=lambda k: k.__name__)
def test_every_field_of_a_cached_value_round_trips(tmp_path: Path, kind):
    from gofixleaks import cache

    value = _sample(kind)
    store = cache.Cache(tmp_path)
    store.put("k", value)
    store.close()
    again = cache.Cache(tmp_path)
    assert again.get("k", kind) == value
    again.close()
    if kind is engine.FileResult:
        assert value.findings[0].fixes[0].edits[0].new == b"\xff\x00\r\n\xe4\xb8" and value.candidates[0].findings
