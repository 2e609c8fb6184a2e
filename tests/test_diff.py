"""Diffs split lines where git does: at "\n" only, whatever else a Go file holds."""

from __future__ import annotations

import subprocess

from gofixleaks import diff


def test_form_feed_and_line_separator_are_not_line_ends(tmp_path):
    old = 'package p\n\n// a\x0cb\nvar s = "x\u2028y"\n\nfunc f() {}\n'.encode()
    new = old.replace(b"func f() {}", b"func f() {\n\tprintln()\n}")
    patch = diff.unified(old, new, "p.go")
    assert diff.apply_hunks(old, diff.hunks(patch)) == new
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "p.go").write_bytes(old)
    res = subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=patch.encode(), capture_output=True)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "p.go").read_bytes() == new


def test_lines_keeps_endings_and_a_missing_final_newline():
    assert diff.lines("a\r\nb\nc") == ["a\r\n", "b\n", "c"]
    assert diff.lines("") == []
