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


def _scan(module: Path, monkeypatch, paths: tuple[str, ...] = (), **cfg) -> tuple[list, int]:
    """The results of scanning ``paths`` (default: the module), and how many files were
    processed rather than served from the cache."""
    calls = []
    real = engine.process
    monkeypatch.setattr(engine, "process", lambda *a, **k: calls.append(a[0].path) or real(*a, **k))
    paths = paths or (str(module),)
    config = config_mod.load(paths, jobs=1, **cfg)
    results = list(engine.run(discover(paths), config))
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


# A package whose results depend on another package of the module (an exported constant
# duration, an exported context maker) and on its own other files (a constant, a variable).
DEPENDENT = {
    "timing/timing.go": """\
package timing

import (
	"context"
	"time"
)

var Wait = 10 * time.Millisecond

func Short(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, time.Hour)
}
""",
    "app/consts.go": "package app\n\nimport \"time\"\n\nvar pause = time.Millisecond\n",
    "app/app.go": """\
package app

import (
	"context"

	"example.com/m/timing"
)

func Imported(p context.Context, ready func(context.Context) bool) {
	for {
		ctx, cancel := context.WithTimeout(p, timing.Wait)
		defer cancel()
		if ready(ctx) {
			return
		}
	}
}

func Own(p context.Context, ready func(context.Context) bool) {
	for {
		ctx, cancel := context.WithTimeout(p, pause)
		defer cancel()
		if ready(ctx) {
			return
		}
	}
}

func Maker(p context.Context, put func(context.Context) error) error {
	ctx, cancel := timing.Short(p)
	if err := put(ctx); err != nil {
		return err
	}
	cancel()
	return nil
}
""",
    "other/other.go": LEAKY.replace("package p", "package other"),
}


def _reported(module: Path, monkeypatch, paths: tuple[str, ...] = ()) -> tuple[set[str], int]:
    """The functions of app.go cancel-not-called reports (by their line), and how many files
    were processed rather than served from the cache."""
    results, parsed = _scan(module, monkeypatch, paths, select=("cancel-not-called",))
    lines = (module / "app/app.go").read_text().splitlines()
    funcs = {i + 1: ln.split("(")[0].removeprefix("func ") for i, ln in enumerate(lines) if ln.startswith("func ")}
    return {funcs[max(n for n in funcs if n <= f.line)] for r in results if r.path.endswith("app.go") for f in r.findings}, parsed


@pytest.fixture
def dependent(module: Path) -> Path:
    for name, text in DEPENDENT.items():
        (module / name).parent.mkdir(exist_ok=True)
        (module / name).write_text(text)
    return module


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_change_to_what_an_imported_package_lends_is_never_served_stale(dependent: Path, monkeypatch):
    """A warm run takes a package's facts digest from the cache without reading its files'
    facts: a change in a same-module package it imports (an exported duration, a context
    maker) must still reach its results, and a change elsewhere must not cost them."""
    assert _reported(dependent, monkeypatch) == ({"Maker"}, 6)
    assert _reported(dependent, monkeypatch) == ({"Maker"}, 0)
    _edit(dependent / "timing/timing.go", "10 * time.Millisecond", "10 * time.Second")
    assert _reported(dependent, monkeypatch) == ({"Imported", "Maker"}, 3)  # timing.go, and app's two files
    _edit(dependent / "timing/timing.go", "(context.Context, context.CancelFunc)", "(context.Context, error)")
    assert _reported(dependent, monkeypatch)[0] == {"Imported"}  # Short returns no cancel func: no maker
    (dependent / "timing/set.go").write_text("package timing\n\nimport \"time\"\n\nfunc Set(d time.Duration) { Wait = d }\n")
    _edit(dependent / "timing/timing.go", "10 * time.Second", "10 * time.Millisecond")
    assert _reported(dependent, monkeypatch)[0] == {"Imported"}  # a file added there writes Wait: no constant
    (dependent / "timing/set.go").unlink()
    assert _reported(dependent, monkeypatch)[0] == set()  # removed again: a constant of 10 ms
    _edit(dependent / "other/other.go", "Poll", "Poll3")
    assert _reported(dependent, monkeypatch) == (set(), 1)


def test_a_change_to_another_file_of_the_package_is_never_served_stale(dependent: Path, monkeypatch):
    # app.go alone: the other files of its package are read for its facts, not as targets
    alone = (str(dependent / "app/app.go"),)
    assert _reported(dependent, monkeypatch, alone) == ({"Maker"}, 1)
    _edit(dependent / "app/consts.go", "time.Millisecond", "time.Minute")
    assert _reported(dependent, monkeypatch, alone) == ({"Maker", "Own"}, 1)
    _edit(dependent / "app/consts.go", "time.Minute", "time.Millisecond")
    assert _reported(dependent, monkeypatch, alone) == ({"Maker"}, 0)
    (dependent / "app/set.go").write_text("package app\n\nimport \"time\"\n\nfunc set(d time.Duration) { pause = d }\n")
    assert _reported(dependent, monkeypatch, alone) == ({"Maker", "Own"}, 1)  # pause is written: no constant
    (dependent / "app/set.go").unlink()
    (dependent / "app/consts.go").unlink()
    assert _reported(dependent, monkeypatch, alone) == ({"Maker", "Own"}, 1)  # pause is declared nowhere
    (dependent / "app/consts.go").write_text(DEPENDENT["app/consts.go"])
    # the whole module: a change to a file of the package reaches the other files' results
    assert _reported(dependent, monkeypatch)[0] == {"Maker"}
    _edit(dependent / "app/consts.go", "time.Millisecond", "time.Hour")
    assert _reported(dependent, monkeypatch) == ({"Maker", "Own"}, 2)
    (dependent / "app/consts.go").unlink()  # pause is declared nowhere: unknown
    assert _reported(dependent, monkeypatch)[0] == {"Maker", "Own"}
    (dependent / "app/consts.go").write_text(DEPENDENT["app/consts.go"])
    assert _reported(dependent, monkeypatch) == ({"Maker"}, 0)  # as in the first run: served from the cache
    (dependent / "app/set.go").write_text("package app\n\nimport \"time\"\n\nfunc set(d time.Duration) { pause = d }\n")
    assert _reported(dependent, monkeypatch)[0] == {"Maker", "Own"}  # a file added writes pause: no constant
    (dependent / "app/set.go").unlink()
    _edit(dependent / "app/app.go", "defer cancel()\n\t\tif ready(ctx) {\n\t\t\treturn\n\t\t}\n\t}\n}\n\nfunc Own",
          "defer cancel()\n\t\tif ready(ctx) {\n\t\t\treturn\n\t\t}\n\t\tcancel()\n\t}\n}\n\nfunc Own")
    assert _reported(dependent, monkeypatch) == ({"Maker"}, 2)


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


def test_a_warm_fix_plumbs_as_a_cold_one(tmp_path: Path, monkeypatch):
    """A warm run serves a package's results without its facts: the module phase, which
    computes the plumbed files again with them, still gets them."""
    import shutil

    monkeypatch.setenv("GOFIXLEAKS_CACHE_DIR", str(tmp_path / "cache"))
    case = Path(__file__).resolve().parent.parent / "golden" / "loop-without-exit" / "plumb-method"
    repo = tmp_path / "repo"
    shutil.copytree(case, repo, ignore=shutil.ignore_patterns("*.golden"))
    config = config_mod.load((str(repo),), ("loop-without-exit",), jobs=1, unsafe_fixes=True)  # as `fix --diff`
    for _ in range(2):  # cold, then warm
        results = list(engine.run(discover((str(repo),)), config, want_fixes=True))
        fixed = {Path(r.abspath).name: r.fixed for r in results if r.changed}
        assert fixed == {n: (case / f"{n}.golden").read_bytes() for n in ("pump.go", "server.go")}
