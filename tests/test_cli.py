"""The command line as DESIGN.md fixes it: commands, flags, output shapes and exit codes.

ticker-not-stopped is the rule these tests use (see conftest.LEAKY)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from gofixleaks.transforms import RULES

from .conftest import LEAKY, LEAKY_FIXED, SAFE, git, git_repo, write_module

RULE = "ticker-not-stopped"


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    return write_module(tmp_path / "m", {"poll.go": LEAKY, "safe.go": SAFE.replace("Poll", "Safe")})


# scan


def test_scan_text_reports_position_rule_and_message_and_exits_1(cli, leaky):
    r = cli("scan", cwd=leaky)
    assert r.code == 1
    assert r.stdout.splitlines() == [
        "poll.go:6:7: ticker-not-stopped ticker t from time.NewTicker is never stopped: before Go 1.23 an "
        "unstopped ticker is never garbage collected (fixable)"
    ]
    assert "1 finding(s) in 2 file(s)" in r.stderr


def test_scan_exits_0_when_nothing_is_found(cli, tmp_path):
    r = cli("scan", str(write_module(tmp_path / "m", {"safe.go": SAFE})))
    assert (r.code, r.stdout) == (0, "")
    assert "0 finding(s) in 1 file(s)" in r.stderr


def test_scan_json_shape(cli, leaky):
    r = cli("scan", "--format", "json", cwd=leaky)
    assert r.code == 1
    doc = json.loads(r.stdout)
    assert set(doc) == {"version", "findings", "errors", "partially_parsed"}
    assert doc["version"] == 1 and doc["errors"] == [] and doc["partially_parsed"] == []
    (f,) = doc["findings"]
    assert {k: f[k] for k in ("rule", "severity", "path", "line", "column", "end_line", "end_column", "fixable")} == {
        "rule": RULE,
        "severity": "warning",
        "path": "poll.go",
        "line": 6,
        "column": 7,
        "end_line": 6,
        "end_column": 24,
        "fixable": True,
    }
    assert f["message"].startswith("ticker t from time.NewTicker is never stopped")


def test_scan_json_lists_unparsable_files_as_errors_with_exit_1(cli, tmp_path):
    m = write_module(tmp_path / "m", {"bad.go": "package p\n\nimport \"time\"\n\nfunc f() { time.NewTicker(1\n"})
    r = cli("scan", "--format", "json", cwd=m)
    assert r.code == 1
    doc = json.loads(r.stdout)
    assert doc["findings"] == []
    assert [e["path"] for e in doc["errors"]] == ["bad.go"]
    assert "syntax error" in doc["errors"][0]["message"]


def test_scan_sarif_shape_and_fix(cli, leaky):
    r = cli("scan", "--format", "sarif", cwd=leaky)
    assert r.code == 1
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    assert run["tool"]["driver"]["name"] == "gofixleaks"
    assert [d["id"] for d in run["tool"]["driver"]["rules"]] == [r.name for r in RULES if r.default]  # the rules that ran
    (res,) = run["results"]
    assert res["ruleId"] == RULE
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == RULE
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 6, "startColumn": 7, "endLine": 6, "endColumn": 24}
    (change,) = res["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "poll.go"
    (rep,) = change["replacements"]
    # an insertion at the end of line 6: an empty deleted region there
    assert rep["deletedRegion"] == {"startLine": 6, "startColumn": 24, "endLine": 6, "endColumn": 24}
    assert rep["insertedContent"]["text"] == "\n\tdefer t.Stop()"


def test_scan_rule_filter_and_unknown_rule(cli, leaky):
    assert cli("scan", "--rule", RULE, cwd=leaky).code == 1
    r = cli("scan", "--rule", "no-such-rule", cwd=leaky)
    assert r.code == 2
    assert r.stderr.strip() == "gofixleaks: error: --rule: unknown rule 'no-such-rule' (see `gofixleaks rules`)"


def test_scan_exclude(cli, leaky):
    assert cli("scan", "--exclude", "poll.go", cwd=leaky).code == 0
    assert cli("scan", "--exclude", "other.go", "--exclude", "p*.go", cwd=leaky).code == 0
    assert cli("scan", "--exclude", "other.go", cwd=leaky).code == 1


def test_go_version_option_turns_off_rules_fixed_in_that_version(cli, leaky):
    assert cli("scan", "--go-version", "1.23", cwd=leaky).code == 0
    assert cli("scan", "--go-version", "1.22", cwd=leaky).code == 1
    r = cli("scan", "--go-version", "one", cwd=leaky)
    assert r.code == 2 and r.stderr.startswith("gofixleaks: error: --go-version")


@pytest.mark.parametrize("args", [["--max-goroutines", "0"], ["--jobs", "-1"], ["--format", "xml"]])
def test_bad_option_values_exit_2(cli, leaky, args):
    assert cli("scan", *args, cwd=leaky).code == 2


def test_missing_path_is_a_one_line_error_with_exit_2(cli, tmp_path):
    for command in ("scan", "fix"):
        r = cli(command, str(tmp_path / "nope"))
        assert r.code == 2
        assert r.stderr == f"gofixleaks: error: {tmp_path / 'nope'}: no such file or directory\n"


def test_no_go_files_exits_0_and_says_so(cli, tmp_path):
    (tmp_path / "README.md").write_text("no Go here\n")
    r = cli("scan", str(tmp_path))
    assert r.code == 0
    assert "no Go files found" in r.stderr
    assert cli("fix", "--check", str(tmp_path)).code == 0


def test_path_defaults_to_the_current_directory(cli, leaky):
    assert json.loads(cli("scan", "--format", "json", cwd=leaky).stdout)["findings"][0]["path"] == "poll.go"


def test_missing_go_mod_assumes_old_semantics_and_says_so(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY}, go=None)
    r = cli("scan", str(m))
    assert r.code == 1
    assert "no go.mod above 1 file(s)" in r.stderr


# fix


def test_fix_prints_a_diff_by_default_and_writes_nothing(cli, leaky):
    r = cli("fix", cwd=leaky)
    assert r.code == 0
    assert r.stdout == (
        "diff --git a/poll.go b/poll.go\n"
        "--- a/poll.go\n"
        "+++ b/poll.go\n"
        "@@ -4,5 +4,6 @@\n"
        " \n"
        " func Poll(d time.Duration) {\n"
        " \tt := time.NewTicker(d)\n"
        "+\tdefer t.Stop()\n"
        " \t<-t.C\n"
        " }\n"
    )
    assert cli("fix", "--diff", cwd=leaky).stdout == r.stdout
    assert (leaky / "poll.go").read_text() == LEAKY
    assert "would apply 1 fix(es) in 1 file(s)" in r.stderr


def test_fix_write_rewrites_in_place_and_a_second_run_changes_nothing(cli, leaky):
    mode = (leaky / "poll.go").stat().st_mode
    r = cli("fix", "--write", cwd=leaky)
    assert (r.code, r.stdout) == (0, "")
    assert "applied 1 fix(es) in 1 file(s)" in r.stderr
    assert (leaky / "poll.go").read_text() == LEAKY_FIXED
    assert (leaky / "poll.go").stat().st_mode == mode
    assert not [p for p in leaky.iterdir() if p.name.startswith(".gofixleaks-")]  # no temp files left
    again = cli("fix", "--write", cwd=leaky)
    assert "applied 0 fix(es) in 0 file(s)" in again.stderr
    assert (leaky / "poll.go").read_text() == LEAKY_FIXED


def test_fix_check_exits_1_when_a_change_would_be_made_and_writes_nothing(cli, leaky):
    r = cli("fix", "--check", cwd=leaky)
    assert r.code == 1
    assert "+\tdefer t.Stop()" in r.stdout
    assert (leaky / "poll.go").read_text() == LEAKY
    cli("fix", "--write", cwd=leaky)
    assert cli("fix", "--check", cwd=leaky).code == 0


UNBOUNDED = "package p\n\nfunc h(int) {}\n\nfunc Serve(jobs chan int) {\n\tfor j := range jobs {\n\t\tgo h(j)\n\t}\n}\n"


def test_write_and_check_apply_only_safe_fixes_unless_unsafe_fixes_is_given(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY, "serve.go": UNBOUNDED})
    diff = cli("fix", cwd=m)  # a diff is read before it is applied: both grades
    assert "+\tdefer t.Stop()" in diff.stdout and "sem <- struct{}{}" in diff.stdout
    r = cli("fix", "--write", cwd=m)
    assert r.code == 0
    assert (m / "poll.go").read_text() == LEAKY_FIXED
    assert (m / "serve.go").read_text() == UNBOUNDED  # the semaphore is a `review` fix
    assert "serve.go:7:3: unbounded-goroutines: review fix not applied" in r.stderr
    assert "applied 1 fix(es) in 1 file(s) (ticker-not-stopped 1); 1 review fix(es) not applied" in r.stderr
    assert cli("fix", "--check", cwd=m).code == 0  # nothing safe is left
    assert cli("fix", "--check", "--unsafe-fixes", cwd=m).code == 1
    cli("fix", "--write", "--unsafe-fixes", cwd=m)
    assert "sem <- struct{}{}" in (m / "serve.go").read_text()
    graded = json.loads(cli("scan", "--format", "json", str(m / "serve.go")).stdout)["findings"]
    assert graded == []


def test_json_carries_each_fix_s_applicability(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY, "serve.go": UNBOUNDED})
    found = json.loads(cli("scan", "--format", "json", cwd=m).stdout)["findings"]
    assert {(f["rule"], f["applicability"]) for f in found} == {("ticker-not-stopped", "safe"), ("unbounded-goroutines", "review")}


def test_fix_check_with_write_is_a_usage_error(cli, leaky):
    r = cli("fix", "--check", "--write", cwd=leaky)
    assert r.code == 2
    assert (leaky / "poll.go").read_text() == LEAKY


def test_fix_patch_out_writes_the_diff_to_a_file(cli, leaky, tmp_path):
    out = tmp_path / "leaks.patch"
    r = cli("fix", "--patch-out", str(out), cwd=leaky)
    assert (r.code, r.stdout) == (0, "")
    assert out.read_text() == cli("fix", cwd=leaky).stdout
    assert (leaky / "poll.go").read_text() == LEAKY


def test_fix_exits_1_when_a_file_could_not_be_read_but_fixes_the_others(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY, "bad.go": "package p\nimport \"time\"\nvar t = time.NewTicker(\n"})
    r = cli("fix", "--write", str(m))
    assert r.code == 1
    assert "bad.go" in r.stderr and "syntax error" in r.stderr
    assert (m / "poll.go").read_text() == LEAKY_FIXED


CRLF = LEAKY.replace("\n", "\r\n").replace("package p\r\n", "package p\r\n\r\n// 轮询：每个周期读取一次。\r\n")
CHINESE = LEAKY.replace("func Poll", "// 注释：计时器从不停止。\nfunc 轮询").replace("\tt := ", "\t/* 中文 */ t := ")


def test_fix_diff_applies_with_git_apply_from_the_repository_root(cli, tmp_path):
    files = {"crlf.go": CRLF, "zh/chinese.go": CHINESE, "nonl.go": LEAKY.rstrip("\n"), "bom.go": b"\xef\xbb\xbf" + LEAKY.encode()}
    repo = git_repo(write_module(tmp_path / "repo" / "svc", files).parent)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    # CRLF, Chinese text, no final newline, a BOM; run from a subdirectory, the diff still
    # names paths from the repository root
    r = cli("fix", ".", cwd=repo / "svc")
    assert r.code == 0
    assert "a/svc/crlf.go" in r.stdout and "a/svc/zh/chinese.go" in r.stdout
    patch = tmp_path / "p.diff"
    patch.write_text(r.stdout, newline="")
    git(repo, "apply", "--check", str(patch))
    git(repo, "apply", str(patch))
    assert (repo / "svc" / "crlf.go").read_bytes() == CRLF.replace(
        "\tt := time.NewTicker(d)\r\n", "\tt := time.NewTicker(d)\r\n\tdefer t.Stop()\r\n"
    ).encode()
    assert (repo / "svc" / "zh" / "chinese.go").read_text() == CHINESE.replace(
        "t := time.NewTicker(d)\n", "t := time.NewTicker(d)\n\tdefer t.Stop()\n"
    )
    # what git applied is what --write produces
    applied = {p: (repo / "svc" / p).read_bytes() for p in files}
    assert applied["nonl.go"] == LEAKY_FIXED.rstrip("\n").encode()
    assert applied["bom.go"] == b"\xef\xbb\xbf" + LEAKY_FIXED.encode()
    git(repo, "checkout", "-q", "--", ".")
    cli("fix", "--write", ".", cwd=repo / "svc")
    assert applied == {p: (repo / "svc" / p).read_bytes() for p in files}


# rules, version, help


def test_rules_lists_every_registered_rule(cli):
    """Then proven-leak, the rule of fix --evidence's targeted fixes."""
    r = cli("rules")
    assert r.code == 0
    assert [ln.split()[0] for ln in r.stdout.splitlines()] == [rule.name for rule in RULES] + ["proven-leak"]


def test_rules_name_prints_doc_and_example(cli):
    r = cli("rules", RULE)
    assert r.code == 0
    for heading in ("## What it finds", "## Why it leaks", "## When it is not reported", "## The fix", "Before:", "After:"):
        assert heading in r.stdout
    assert "+\tdefer t.Stop()" in r.stdout


def test_rules_unknown_name_exits_2(cli):
    r = cli("rules", "nope")
    assert r.code == 2
    assert "unknown rule 'nope'" in r.stderr


def test_version_and_help(cli):
    from gofixleaks import __version__

    assert cli("--version").stdout.strip() == f"gofixleaks, version {__version__}"
    for command in ((), ("scan",), ("fix",), ("rules",)):
        r = cli(*command, "--help")
        assert r.code == 0 and "Usage:" in r.stdout


def test_unknown_command_and_option_exit_2(cli):
    assert cli("frobnicate").code == 2
    assert cli("scan", "--frobnicate").code == 2


# colour and real processes


def _run_on_tty(args: list[str], cwd: Path, env: dict[str, str]) -> bytes:
    """Run gofixleaks with stdout on a pseudo-terminal; return what it printed there."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gofixleaks", *args], cwd=cwd, env=env, stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return out


def test_text_is_coloured_on_a_terminal_unless_no_color(leaky):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    assert b"\x1b[" in _run_on_tty(["scan"], leaky, env)
    assert b"\x1b[" not in _run_on_tty(["scan"], leaky, {**env, "NO_COLOR": "1"})
    piped = subprocess.run([sys.executable, "-m", "gofixleaks", "scan"], cwd=leaky, env=env, capture_output=True)
    assert piped.returncode == 1 and b"\x1b[" not in piped.stdout + piped.stderr


def test_errors_in_a_real_process_are_one_line_without_traceback(tmp_path):
    bad = tmp_path / ".gofixleaks.toml"
    bad.write_text("enable = [\n")
    for args in (["scan", str(tmp_path / "nope")], ["scan", str(tmp_path)]):
        p = subprocess.run([sys.executable, "-m", "gofixleaks", *args], capture_output=True, text=True, cwd=tmp_path)
        assert p.returncode == 2
        assert len(p.stderr.splitlines()) == 1 and p.stderr.startswith("gofixleaks: error: ")


def test_sarif_columns_are_utf16_code_units_as_declared(cli, tmp_path):
    # 计时器 is 9 bytes of UTF-8 but 3 UTF-16 code units; 𝑡 (outside the BMP) is 4 bytes, 2 units
    src = LEAKY.replace("\tt := time.NewTicker(d)\n\t<-t.C", "\t/*𝑡*/ 计时器 := time.NewTicker(d)\n\t<-计时器.C")
    m = write_module(tmp_path / "m", {"poll.go": src})
    scan = json.loads(cli("scan", "--format", "json", cwd=m).stdout)["findings"][0]
    assert (scan["column"], scan["end_column"]) == (1 + len("\t/*𝑡*/ 计时器 := ".encode()), 1 + len("\t/*𝑡*/ 计时器 := time.NewTicker(d)".encode()))
    run = json.loads(cli("scan", "--format", "sarif", cwd=m).stdout)["runs"][0]
    assert run["columnKind"] == "utf16CodeUnits"
    (res,) = run["results"]
    utf16 = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    start, end = 1 + utf16("\t/*𝑡*/ 计时器 := "), 1 + utf16("\t/*𝑡*/ 计时器 := time.NewTicker(d)")
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 6, "startColumn": start, "endLine": 6, "endColumn": end}
    (rep,) = res["fixes"][0]["artifactChanges"][0]["replacements"]
    assert rep["deletedRegion"] == {"startLine": 6, "startColumn": end, "endLine": 6, "endColumn": end}
    assert rep["insertedContent"]["text"] == "\n\tdefer 计时器.Stop()"


def test_sarif_fix_carries_the_import_edit_it_needs(tmp_path):
    from gofixleaks import report
    from gofixleaks.edits import Fix, TextEdit
    from gofixleaks.engine import FileResult
    from gofixleaks.rule import Finding

    data = LEAKY.encode()
    path = tmp_path / "poll.go"
    path.write_bytes(data)
    at = data.index(b"\t<-t.C")
    fix = Fix("watch ctx", (TextEdit(at, at, b"\t_ = context.TODO()\n"),), imports=("context",))
    f = Finding(RULE, "warning", "poll.go", at, at + 6, 7, 1, 7, 7, "m", (fix,))
    doc = json.loads(report.sarif([FileResult("poll.go", str(path), [f])], RULES))
    reps = doc["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"]
    assert reps == [
        {"deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 14},
         "insertedContent": {"text": 'import (\n\t"context"\n\t"time"\n)'}},
        {"deletedRegion": {"startLine": 7, "startColumn": 1, "endLine": 7, "endColumn": 1},
         "insertedContent": {"text": "\t_ = context.TODO()\n"}},
    ]


def test_paths_and_messages_are_printed_verbatim_not_as_markup(cli, tmp_path):
    one_line = 'package p\n\nimport "time"\n\nfunc f() { t := time.NewTicker(1); <-t.C }\n'  # no fix: listed by fix
    m = write_module(tmp_path / "m", {"a[/]b/x[red].go": one_line})
    assert cli("scan", cwd=m).stdout.startswith("a[/]b/x[red].go:5:17: ticker-not-stopped ")
    assert "a[/]b/x[red].go:5:17: ticker-not-stopped " in cli("fix", cwd=m).stderr


def test_patch_out_into_a_missing_directory_is_a_one_line_error(cli, leaky, tmp_path):
    r = cli("fix", "--patch-out", str(tmp_path / "nope" / "p.diff"), cwd=leaky)
    assert r.code == 2
    assert r.stderr == f"gofixleaks: error: {tmp_path / 'nope' / 'p.diff'}: cannot write: No such file or directory\n"


def test_a_file_that_cannot_be_written_is_reported_and_the_others_are_written(cli, tmp_path, monkeypatch):
    from gofixleaks import atomic

    m = write_module(tmp_path / "m", {"a.go": LEAKY, "b.go": LEAKY})
    real = atomic.write_files

    def read_only_a(files, expected=None, tree=None):
        if any(path.endswith("a.go") for path in files):
            raise PermissionError(13, "Permission denied")
        real(files, expected, tree)

    monkeypatch.setattr(atomic, "write_files", read_only_a)
    r = cli("fix", "--write", cwd=m)
    assert r.code == 1
    assert "a.go: error: cannot write: Permission denied" in r.stderr
    assert ((m / "a.go").read_text(), (m / "b.go").read_text()) == (LEAKY, LEAKY_FIXED)


def test_fix_diff_outside_git_names_paths_from_the_module_root(cli, tmp_path):
    m = write_module(tmp_path / "svc", {"src/x/a.go": LEAKY})
    for cwd, path in ((tmp_path, "svc"), (m / "src", "."), (m / "src" / "x", "a.go")):
        r = cli("fix", path, cwd=cwd)
        assert r.code == 0, r.stderr
        assert r.stdout.startswith("diff --git a/src/x/a.go b/src/x/a.go\n"), (cwd, r.stdout[:80])
    patch = tmp_path / "p.diff"
    patch.write_text(r.stdout, newline="")
    subprocess.run(["git", "apply", str(patch)], cwd=m, check=True)  # from the module root, as the README says
    assert (m / "src/x/a.go").read_text() == LEAKY_FIXED
