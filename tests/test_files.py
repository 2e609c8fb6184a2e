"""Files as the file system has them: edits made while the tool runs, symbolic and hard
links, owners and modes, read-only files, FIFOs and devices, unreadable directories, names
no terminal or patch can carry, a full disk. Nothing is lost, overwritten or half written;
every file the tool leaves alone is reported in one line; one bad file never stops the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gofixleaks import cli as cli_mod

from .conftest import LEAKY, LEAKY_FIXED, git, git_repo, write_module


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

    def disk_full(files, expected=None, tree=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_files", disk_full)
    r = cli("fix", "--write", cwd=m)
    assert r.code == 1
    assert r.stderr.count("error: cannot write: No space left on device") == 2
    assert "gofixleaks: applied 0 fix(es) in 0 file(s); 2 fix(es) in 2 file(s) not written\n" in r.stderr
    assert (m / "a.go").read_text() == LEAKY


def run_cli(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    """The real command in its own process: a hang fails the test instead of hanging it."""
    return subprocess.run([sys.executable, "-m", "gofixleaks", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("in_git", [False, True], ids=["walk", "git"])
def test_a_fifo_or_a_link_to_a_device_is_reported_not_read(tmp_path, in_git):
    m = write_module(tmp_path / "m", {"a.go": LEAKY})
    os.mkfifo(m / "fifo.go")
    (m / "zero.go").symlink_to("/dev/zero")
    if in_git:
        git_repo(m)
        git(m, "add", "a.go", "zero.go")
    r = run_cli("scan", ".", cwd=m)
    assert r.returncode == 1
    assert "a.go:6:7: ticker-not-stopped" in r.stdout
    assert "zero.go: error: not a regular file; skipped" in r.stdout
    if not in_git:  # git lists no FIFO
        assert "fifo.go: error: not a regular file; skipped" in r.stdout
    named = run_cli("scan", "fifo.go", cwd=m)
    assert (named.returncode, named.stdout) == (1, "fifo.go: error: not a regular file; skipped\n")


def without_root_powers() -> list[str]:
    """A command prefix under which file permissions hold: as root, the same user without
    the capabilities that override them (setpriv, util-linux); as anyone else, nothing."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to hold")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.parametrize("in_git", [False, True], ids=["walk", "git"])
def test_an_unreadable_directory_is_reported_and_fails_the_run(tmp_path, in_git):
    m = write_module(tmp_path / "m", {"a.go": LEAKY, "locked/b.go": LEAKY, "vendor/locked/v.go": LEAKY})
    if in_git:
        git_repo(m)
    for d in ("locked", "vendor/locked"):  # the second is one Go skips anyway: not reported
        (m / d).chmod(0)
    try:
        r = subprocess.run([*without_root_powers(), sys.executable, "-m", "gofixleaks", "scan", "--no-cache", "."],
                           cwd=m, capture_output=True, text=True, timeout=30)
    finally:
        for d in ("locked", "vendor/locked"):
            (m / d).chmod(0o755)
    assert r.returncode == 1, r.stderr
    assert "a.go:6:7: ticker-not-stopped" in r.stdout
    assert "locked: error: cannot read directory: Permission denied; its files are skipped" in r.stdout
    assert "vendor" not in r.stdout and "Traceback" not in r.stderr


BAD_NAMES = [b"bad\xff.go", b"new\nline.go", b"esc\x1b[31mred.go"]


@pytest.mark.parametrize("in_git", [False, True], ids=["walk", "git"])
def test_a_file_name_no_terminal_or_patch_can_carry_is_skipped_with_a_message(tmp_path, in_git):
    m = write_module(tmp_path / "m", {"a.go": LEAKY})
    for name in BAD_NAMES:
        with open(os.path.join(os.fsencode(m), name), "wb") as f:
            f.write(LEAKY.encode())
    if in_git:
        git_repo(m)
        git(m, "add", ".")
        git(m, "commit", "-qm", "init")
    r = run_cli("fix", "--patch-out", str(tmp_path / "p.diff"), ".", cwd=m)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    skipped = [ln for ln in r.stderr.splitlines() if "its name" in ln]
    assert skipped == [
        "bad\\xff.go: error: its name is not UTF-8 or holds control characters; skipped",
        "esc\\x1b[31mred.go: error: its name is not UTF-8 or holds control characters; skipped",
        "new\\nline.go: error: its name is not UTF-8 or holds control characters; skipped",
    ]
    assert "\x1b" not in r.stderr + r.stdout
    patch = (tmp_path / "p.diff").read_text()
    assert patch.startswith("diff --git a/a.go b/a.go\n") and patch.count("diff --git") == 1
    if in_git:
        git(m, "apply", "--check", str(tmp_path / "p.diff"))
    scan = run_cli("scan", "--format", "json", ".", cwd=m)
    assert scan.returncode == 1
    doc = json.loads(scan.stdout)
    assert [f["path"] for f in doc["findings"]] == ["a.go"]
    assert sorted(e["path"] for e in doc["errors"]) == ["bad\\xff.go", "esc\\x1b[31mred.go", "new\\nline.go"]


def test_links_owner_group_and_mode_are_kept_and_read_only_files_reported(cli, tmp_path):
    outside = write_module(tmp_path / "outside", {"ext.go": LEAKY, "twin.go": LEAKY.replace("Poll", "Twin")}, go=None)
    m = write_module(tmp_path / "m", {"pkg/real.go": LEAKY, "ro.go": LEAKY.replace("Poll", "ReadOnly"),
                                      "owned.go": LEAKY.replace("Poll", "Owned")})
    (m / "other").mkdir()
    (m / "other/link.go").symlink_to("../pkg/real.go")  # a link inside the tree
    (m / "ext.go").symlink_to(outside / "ext.go")  # a link out of it
    os.link(outside / "twin.go", m / "twin.go")  # a hard link: both names must see the fix
    (m / "ro.go").chmod(0o444)
    (m / "pkg/real.go").chmod(0o640)
    as_root = os.geteuid() == 0
    if as_root:
        os.chown(m / "owned.go", 4321, 4321)
    r = cli("fix", "--write", ".", cwd=m)
    assert r.code == 1
    assert (m / "pkg/real.go").read_text() == LEAKY_FIXED and (m / "other/link.go").is_symlink()
    assert os.readlink(m / "other/link.go") == "../pkg/real.go"
    assert (m / "pkg/real.go").stat().st_mode & 0o777 == 0o640
    assert (m / "ext.go").is_symlink() and (outside / "ext.go").read_text() == LEAKY
    assert f"ext.go: error: a symbolic link to {outside / 'ext.go'}, outside {m}; not edited" in r.stderr
    assert os.stat(m / "twin.go").st_ino == os.stat(outside / "twin.go").st_ino
    assert (outside / "twin.go").read_text() == LEAKY_FIXED.replace("Poll", "Twin")
    assert (m / "ro.go").read_text() == LEAKY.replace("Poll", "ReadOnly") and (m / "ro.go").stat().st_mode & 0o777 == 0o444
    assert "ro.go: error: read-only; not rewritten" in r.stderr
    assert (m / "owned.go").read_text() == LEAKY_FIXED.replace("Poll", "Owned")
    if as_root:
        assert ((m / "owned.go").stat().st_uid, (m / "owned.go").stat().st_gid) == (4321, 4321)
    assert "changed since it was read" not in r.stderr  # the linked file is fixed once, not twice
    assert sorted(p.name for p in m.rglob("*") if "gofixleaks" in p.name) == []  # no temporary files
