"""Files as they come: CRLF, a BOM, Chinese comments and identifiers, odd spacing, syntax
errors, invalid UTF-8, empty and unreadable files, missing paths. Fixes are byte-exact;
bad files are reported in `errors`, never edited, and never stop the other files being
fixed; no input produces a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import LEAKY, LEAKY_FIXED, write_module

INSERTED = "\tt := time.NewTicker(d)\n\tdefer t.Stop()\n"


def fixed(cli, module: Path, name: str) -> bytes:
    r = cli("fix", "--write", cwd=module)
    assert r.code == 0, r.stderr
    return (module / name).read_bytes()


def test_crlf_stays_crlf_including_the_inserted_line(cli, tmp_path):
    src = LEAKY.replace("\n", "\r\n").encode()
    m = write_module(tmp_path / "m", {"poll.go": src})
    out = fixed(cli, m, "poll.go")
    assert out == LEAKY_FIXED.replace("\n", "\r\n").encode()
    assert out.count(b"\n") == out.count(b"\r\n")


def test_a_bom_stays(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": b"\xef\xbb\xbf" + LEAKY.encode()})
    assert fixed(cli, m, "poll.go") == b"\xef\xbb\xbf" + LEAKY_FIXED.encode()


def test_chinese_comments_and_identifiers_before_the_edit_never_shift_it(cli, tmp_path):
    src = (
        "// 包 p：轮询。\n"
        "package p\n\n"
        'import 时间 "time"\n\n'
        "/* 计时器从不停止，😀 四字节字符也在这里。 */\n"
        "func 轮询(间隔 时间.Duration) {\n"
        "\t计时器 := 时间.NewTicker(间隔) // 中文注释\n"
        "\t<-计时器.C\n"
        "}\n"
    )
    m = write_module(tmp_path / "m", {"poll.go": src})
    out = fixed(cli, m, "poll.go").decode("utf-8")
    assert out == src.replace("// 中文注释\n", "// 中文注释\n\tdefer 计时器.Stop()\n")
    assert json.loads(cli("scan", "--format", "json", cwd=m).stdout)["findings"] == []


def test_odd_spacing_and_comments_elsewhere_are_kept(cli, tmp_path):
    src = LEAKY.replace("package p\n", "package p   // trailing   spaces   \n\n\n/*\n\tblock\n*/\n").replace(
        "<-t.C", "<-t.C   /* odd */"
    )
    m = write_module(tmp_path / "m", {"poll.go": src})
    assert fixed(cli, m, "poll.go").decode() == src.replace("\tt := time.NewTicker(d)\n", INSERTED)


BAD_FILES = {
    "syntax.go": (b'package p\n\nimport "time"\n\nfunc f() {\n\tt := time.NewTicker(1\n}\n', "syntax error at"),
    "latin1.go": (b'package p\n\n// caf\xe9\nimport "time"\n\nvar t = time.NewTicker(1)\n', "not valid UTF-8"),
    "empty.go": (b"", "empty file"),
    "blank.go": (b"\n\n  \n", "empty file"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_reported_left_byte_identical_and_the_others_are_still_fixed(cli, tmp_path, name):
    data, reason = BAD_FILES[name]
    m = write_module(tmp_path / "m", {name: data, "poll.go": LEAKY})
    scan = cli("scan", "--format", "json", cwd=m)
    assert scan.code == 1
    errors = json.loads(scan.stdout)["errors"]
    assert [e["path"] for e in errors] == [name]
    assert reason in errors[0]["message"]
    r = cli("fix", "--write", cwd=m)
    assert r.code == 1  # a file could not be fixed
    assert f"{name}: error: {reason}" in r.stderr
    assert (m / name).read_bytes() == data
    assert (m / "poll.go").read_text() == LEAKY_FIXED


def test_invalid_utf8_names_the_line(cli, tmp_path):
    m = write_module(tmp_path / "m", {"latin1.go": BAD_FILES["latin1.go"][0]})
    (err,) = json.loads(cli("scan", "--format", "json", cwd=m).stdout)["errors"]
    assert err["message"] == "not valid UTF-8 at line 3, column 7; file left unchanged"


def test_an_unreadable_file_is_reported_not_raised(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY})
    (m / "dangling.go").symlink_to(m / "gone.go")
    r = cli("scan", "--format", "json", cwd=m)
    assert r.code == 1
    assert json.loads(r.stdout)["errors"] == [{"path": "dangling.go", "message": "cannot read: No such file or directory"}]


def test_a_directory_named_like_a_go_file_is_not_read(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY, "dir.go/inner.txt": "x"})
    doc = json.loads(cli("scan", "--format", "json", cwd=m).stdout)
    assert doc["errors"] == []
    assert [f["path"] for f in doc["findings"]] == ["poll.go"]  # the real file still is


def test_a_directory_without_go_files(cli, tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here\n")
    for args in (("scan",), ("fix",), ("fix", "--write"), ("fix", "--check")):
        r = cli(*args, str(tmp_path))
        assert (r.code, r.stdout) == (0, "")
    assert json.loads(cli("scan", "--format", "json", str(tmp_path)).stdout) == {"version": 1, "findings": [], "errors": [], "partially_parsed": []}


def test_a_missing_path_is_a_clear_error_with_exit_2(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY})
    r = cli("fix", "--write", "poll.go", "missing.go", cwd=m)
    assert r.code == 2
    assert r.stderr == "gofixleaks: error: missing.go: no such file or directory\n"
    assert (m / "poll.go").read_text() == LEAKY  # nothing is written when a path is wrong
