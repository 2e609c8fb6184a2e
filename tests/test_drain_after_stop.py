"""drain-after-stop beyond its golden cases: how its fixes are graded (the Go version, a
deferred cleanup, statements that never ran), what keeps a fix from being offered, CRLF."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover

from .conftest import write_module

RULE = "drain-after-stop"


def _run(tmp_path: Path, body: str, go: str = "1.22", newline: str = "\n"):
    src = "package p\n\nimport \"time\"\n\n" + body
    root = write_module(tmp_path / "m", {"x.go": src.replace("\n", newline).encode()}, go=go)
    cfg = config_mod.load((str(root),), select=(RULE,), jobs=1, use_cache=False, unsafe_fixes=True)
    results = list(engine.run(discover((str(root),)), cfg, want_fixes=True))
    assert not [r.error for r in results if r.error]
    return results


def _findings(results):
    return [f for r in results for f in r.findings]


PLAIN = """\
func F(t *time.Timer) {
	if t.Stop() {
		<-t.C
	}
	t.Reset(time.Second)
}
"""


@pytest.mark.parametrize(
    "go, body, grade",
    [
        # before Go 1.23 a value an undrained Reset left behind would stay for a later receive
        ("1.22", PLAIN, "review"),
        ("1.23", PLAIN, "safe"),
        # a deferred cleanup: nothing receives after it
        ("1.22", "func F(t *time.Timer) {\n\tdefer func() {\n\t\tif t.Stop() {\n\t\t\t<-t.C\n\t\t}\n\t}()\n}\n", "safe"),
        # the statement after the receive never ran before the fix
        ("1.23", "func F(t *time.Timer) {\n\tif t.Stop() {\n\t\t<-t.C\n\t\tprintln()\n\t}\n}\n", "review"),
    ],
)
def test_fix_grade(tmp_path, go, body, grade):
    (f,) = _findings(_run(tmp_path, body, go=go))
    assert f.fixes and f.fixes[0].applicability == grade


def test_whole_if_becomes_the_stop_call(tmp_path):
    (r,) = _run(tmp_path, PLAIN, go="1.23")
    assert b"\tt.Stop()\n\tt.Reset(time.Second)\n" in r.fixed
    assert b"<-t.C" not in r.fixed


def test_an_initializer_that_does_more_is_not_dropped(tmp_path):
    body = "func F(t *time.Timer, f func() int) {\n\tif n := f(); t.Stop() {\n\t\t<-t.C\n\t}\n}\n"
    (f,) = _findings(_run(tmp_path, body))
    assert not f.fixes and "initializer" in f.notes[0]


def test_crlf_is_kept(tmp_path):
    body = "func F(t *time.Timer) {\n\tif t.Stop() {\n\t\tprintln()\n\t\t<-t.C\n\t}\n}\n"
    (r,) = _run(tmp_path, body, go="1.23", newline="\r\n")
    assert r.changed
    assert b"\t\tprintln()\r\n\t}\r\n}\r\n" in r.fixed
    assert b"\n" not in r.fixed.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    "body",
    [
        # re-armed through a method of the value that holds it
        "type j struct{ t *time.Timer }\n\nfunc (x *j) reset() {}\n\n"
        "func F(x *j) {\n\tif x.t.Stop() {\n\t\tx.reset()\n\t\t<-x.t.C\n\t}\n}\n",
        # the timer is replaced before the receive
        "func F(t *time.Timer) {\n\tif t.Stop() {\n\t\tt = time.NewTimer(1)\n\t\t<-t.C\n\t}\n}\n",
        # the receive is in a goroutine of its own
        "func F(t *time.Timer) {\n\tif t.Stop() {\n\t\tgo func() { <-t.C }()\n\t}\n}\n",
    ],
)
def test_not_reported(tmp_path, body):
    assert _findings(_run(tmp_path, body)) == []
