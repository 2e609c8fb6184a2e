"""--verify: patches are type-checked with `go vet -overlay` and a fix that breaks its
package is dropped with the compiler's message, while good fixes stay."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine, registry, verify
from gofixleaks.discover import discover
from gofixleaks.edits import Fix, TextEdit
from gofixleaks.rule import Rule

from . import gotools

LEAKY = """package svc

import "time"

func Poll(d time.Duration) {
	t := time.NewTicker(d)
	<-t.C
}
"""

OTHER = """package svc

// Marker is where the broken rule strikes.
func Marker() int {
	return 1
}
"""


def _broken(p):
    """A deliberately wrong rule: calls a function that does not exist."""
    sf = p.file
    i = sf.data.find(b"return 1")
    if i != -1 and b"undefinedFunc" not in sf.data:
        node = sf.root.descendant_for_byte_range(i, i + 8)
        p.report(node, "broken on purpose", [Fix("call nothing", (TextEdit(i, i, b"undefinedFunc()\n\t"),))])


BROKEN = Rule(name="broken-on-purpose", summary="test", doc="test", run=_broken, triggers=(b"return 1",))


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (tmp_path / "poll.go").write_text(LEAKY)
    (tmp_path / "other.go").write_text(OTHER)
    return tmp_path


def _results(module: Path, monkeypatch):
    monkeypatch.setattr(engine, "rules_for", lambda cfg: [registry.catalogue().get("ticker-not-stopped"), BROKEN])
    cfg = config_mod.load((str(module),), jobs=1, use_cache=False, unsafe_fixes=True)  # the broken fix is a `review` one
    return list(engine.run(discover((str(module),)), cfg, want_fixes=True)), cfg


def test_verify_drops_the_broken_fix_and_keeps_the_good_one(module: Path, monkeypatch):
    gotools.require_go()
    monkeypatch.setenv("PATH", str(Path(gotools.go()).parent) + ":" + os.environ["PATH"])
    results, cfg = _results(module, monkeypatch)
    by_name = {Path(r.abspath).name: r for r in results}
    assert b"undefinedFunc()" in by_name["other.go"].fixed  # unverified, the broken fix is there

    verified = {Path(r.abspath).name: r for r in verify.verify(results, cfg)}
    other, poll = verified["other.go"], verified["poll.go"]
    assert not other.changed
    assert [d.fix.rule for d in other.dropped] == ["broken-on-purpose"]
    assert "undefined" in other.dropped[0].message
    assert poll.changed and b"defer t.Stop()" in poll.fixed
    assert poll.dropped == []


def test_verify_without_go_is_a_clear_error(module: Path, monkeypatch):
    results, cfg = _results(module, monkeypatch)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(verify.VerifyError, match="needs a Go toolchain"):
        verify.verify(results, cfg)


def test_bisect_finds_every_bad_item():
    bad = {3, 7}
    calls = []

    def fails(items):
        calls.append(items)
        return any(i in bad for i in items)

    assert verify.bisect(list(range(10)), fails) == [3, 7]
    assert verify.bisect(list(range(10)), lambda items: False) == []


def test_verify_judges_a_plumbing_that_spans_packages_as_a_whole(tmp_path: Path, monkeypatch):
    gotools.require_go()
    monkeypatch.setenv("PATH", str(Path(gotools.go()).parent) + ":" + os.environ["PATH"])
    golden = Path(__file__).resolve().parent.parent / "golden" / "unbounded-goroutines" / "plumb-other-package"
    module = tmp_path / "m"
    shutil.copytree(golden, module, ignore=shutil.ignore_patterns("*.golden"))
    cfg = config_mod.load((str(module),), select=("unbounded-goroutines",), jobs=1, use_cache=False, unsafe_fixes=True)
    results = verify.verify(list(engine.run(discover((str(module),)), cfg, want_fixes=True)), cfg)
    assert [d for r in results for d in r.dropped] == []
    for r in results:
        if r.changed:
            golden_file = golden / Path(r.abspath).relative_to(module)
            assert r.fixed == Path(str(golden_file) + ".golden").read_bytes()
    assert sorted(Path(r.abspath).name for r in results if r.changed) == ["app.go", "worker.go"]
