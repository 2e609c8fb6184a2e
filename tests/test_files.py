"""Files as the file system has them: edits made while the tool runs, symbolic and hard
links, owners and modes, read-only files, FIFOs and devices, unreadable directories, names
no terminal or patch can carry, a full disk. Nothing is lost, overwritten or half written;
every file the tool leaves alone is reported in one line; one bad file never stops the run."""

from __future__ import annotations

from pathlib import Path

from gofixleaks import cli as cli_mod

from .conftest import LEAKY, LEAKY_FIXED, write_module


def edit_during_the_run(monkeypatch, path: Path, text: str) -> None:
    """Make ``path`` change after the fixes are computed and before they are written, as an
    editor saving in another window would."""
    real = cli_mod.compute_fixes

    def compute_then_edit(*args, **kwargs):
        results = real(*args, **kwargs)
        path.write_text(text)
        return results

    monkeypatch.setattr(cli_mod, "compute_fixes", compute_then_edit)


def test_fix_write_skips_a_file_edited_during_the_run(cli, tmp_path, monkeypatch):
    m = write_module(tmp_path / "m", {"a.go": LEAKY, "b.go": LEAKY.replace("Poll", "Poll2")})
    mine = LEAKY + "\n// saved in the editor while fix ran\n"
    edit_during_the_run(monkeypatch, m / "a.go", mine)
    r = cli("fix", "--write", cwd=m)
    assert (m / "a.go").read_text() == mine  # the edit is kept, the stale fix not written
    assert (m / "b.go").read_text() == LEAKY_FIXED.replace("Poll", "Poll2")
    assert r.code == 1
    assert "a.go: error: changed since it was read; not rewritten" in r.stderr
    assert "applied 1 fix(es) in 1 file(s) (ticker-not-stopped 1); 1 fix(es) in 1 file(s) not written" in r.stderr


def test_a_full_disk_is_counted_as_nothing_applied(cli, tmp_path, monkeypatch):
    from gofixleaks import atomic

    m = write_module(tmp_path / "m", {"a.go": LEAKY, "b.go": LEAKY.replace("Poll", "Poll2")})

    def disk_full(files, expected=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_files", disk_full)
    r = cli("fix", "--write", cwd=m)
    assert r.code == 1
    assert r.stderr.count("error: cannot write: No space left on device") == 2
    assert "gofixleaks: applied 0 fix(es) in 0 file(s); 2 fix(es) in 2 file(s) not written\n" in r.stderr
    assert (m / "a.go").read_text() == LEAKY
