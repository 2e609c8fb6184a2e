"""`review` in-process: the hunk model (one unit per fix), the prompt driven through
prompt_toolkit's pipe input, editing, applying onto a changed work tree, saved decisions,
and the git plumbing in vcs.py."""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from gofixleaks import changeset, config as config_mod, diff as diff_mod, atomic, edits, engine, review, vcs
from gofixleaks.discover import discover
from gofixleaks.engine import AppliedFix, FileResult
from gofixleaks.rule import Finding
from gofixleaks.source import SourceFile

from .conftest import git, git_repo, write_module

TWO_CLOSE = """\
package p

import "time"

func Two(d time.Duration) {
	a := time.NewTicker(d)
	b := time.NewTicker(d)
	<-a.C
	<-b.C
}
"""

FIRST = """\
package p

import "time"

func First(d time.Duration) {
	t1 := time.NewTicker(d)
	<-t1.C
}

func Second(d time.Duration) {
	t2 := time.NewTicker(d)
	<-t2.C
}
"""

OTHER = """\
package q

import "time"

func Third(d time.Duration) {
	t3 := time.NewTicker(d)
	<-t3.C
}
"""


def fixed_results(root: Path) -> list[FileResult]:
    cfg = config_mod.load((str(root),), select=("ticker-not-stopped",), jobs=1, use_cache=False)
    return [r for r in engine.run(discover((str(root),)), cfg, want_fixes=True) if r.changed]


def file_reviews(root: Path) -> list[review.FileReview]:
    out = []
    for r in fixed_results(root):
        path = os.path.relpath(r.abspath, root).replace(os.sep, "/")
        out.append(review.FileReview(path, r.abspath, r.original, r.original, review.build_units(path, r)))
    return out


def apply_units(fr: review.FileReview, units: list[review.Unit]) -> bytes:
    return diff_mod.apply_hunks(fr.base, [h for u in units for h in u.current])


def with_stop(src: str, *names: str, indent: str = "\t") -> str:
    for n in names:
        src = src.replace(f"{indent}{n} := time.NewTicker(d)\n", f"{indent}{n} := time.NewTicker(d)\n{indent}defer {n}.Stop()\n")
    return src


# ---------------------------------------------------------------- units


def test_close_fixes_are_separate_units_and_any_subset_applies(tmp_path):
    write_module(tmp_path, {"two.go": TWO_CLOSE})
    [fr] = file_reviews(tmp_path)
    assert [[f.line for f in u.fixes] for u in fr.units] == [[6], [7]]
    assert [len(u.hunks) for u in fr.units] == [1, 1]
    a, b = fr.units
    assert apply_units(fr, [a]).decode() == with_stop(TWO_CLOSE, "a")
    assert apply_units(fr, [b]).decode() == with_stop(TWO_CLOSE, "b")
    assert apply_units(fr, [a, b]).decode() == with_stop(TWO_CLOSE, "a", "b")
    # the hunks split the one line between the two changes instead of sharing it
    assert a.hunks[0].source_start + a.hunks[0].source_length <= b.hunks[0].source_start


def _finding(sf: SourceFile, rule: str, after: bytes, new: bytes, imports: tuple[str, ...] = ()) -> Finding:
    at = sf.data.index(after) + len(after)
    line = sf.line_col(at)[0]
    fix = edits.Fix(f"insert {new!r}", (edits.TextEdit(at, at, new),), imports)
    return Finding(rule, "warning", "p.go", at, at, line, 1, line, 1, f"{rule} at {line}", (fix,))


def test_a_fix_and_the_import_it_needs_are_one_unit():
    filler = b"".join(b"// line %d\n" % i for i in range(8))  # keeps the import's hunk apart
    funcs = b'func A() {\n\tfmt.Println("a")\n}\n\nfunc B() {\n\tfmt.Println("b")\n}\n'
    original = b'package p\n\nimport "fmt"\n\n' + filler + funcs
    sf = SourceFile("p.go", original)
    fa = _finding(sf, "rule-a", b'"a")\n', b"\tvar mu sync.Mutex\n\t_ = &mu\n", ("sync",))
    fb = _finding(sf, "rule-b", b'"b")\n', b'\tfmt.Println("b2")\n')
    imp = edits.import_edit(sf, ("sync",))
    fixed = edits.apply(original, [*fa.fixes[0].edits, *fb.fixes[0].edits, imp])
    applied = [AppliedFix(f.rule, f.line, f.message, f.fixes[0].message, start=f.start) for f in (fa, fb)]
    res = FileResult("p.go", "/x/p.go", [fa, fb], None, original, fixed, applied)
    fr = review.FileReview("p.go", "/x/p.go", original, original, review.build_units("p.go", res))
    ua, ub = fr.units
    assert [f.rule for f in ua.fixes] == ["rule-a"] and len(ua.hunks) == 2
    assert [f.rule for f in ub.fixes] == ["rule-b"] and len(ub.hunks) == 1
    assert apply_units(fr, [ua]) == edits.apply(original, [*fa.fixes[0].edits, imp])
    assert apply_units(fr, [ub]) == edits.apply(original, list(fb.fixes[0].edits))
    assert apply_units(fr, [ua, ub]) == fixed


def test_a_fix_the_engine_did_not_apply_is_not_listed():
    # --verify drops fixes that break the build: their findings stay, their changes do not
    original = b'package p\n\nfunc A() {\n\tprintln("a")\n\tprintln("b")\n}\n'
    sf = SourceFile("p.go", original)
    fa = _finding(sf, "rule-a", b'"a")\n', b"\tprintln(1)\n")
    fb = _finding(sf, "rule-b", b'"b")\n', b"\tprintln(2)\n")
    fixed = edits.apply(original, list(fa.fixes[0].edits))
    res = FileResult("p.go", "/x/p.go", [fa, fb], None, original, fixed, [AppliedFix("rule-a", 4, fa.message, "", start=fa.start)])
    [unit] = review.build_units("p.go", res)
    assert [f.rule for f in unit.fixes] == ["rule-a"]


def test_a_dropped_fix_is_told_apart_from_an_applied_one_with_the_same_message():
    # two findings of one rule can share a message (two tickers named t): match by offset
    original = b'package p\n\nfunc A() {\n\tprintln("a")\n\tprintln("b")\n}\n'
    sf = SourceFile("p.go", original)
    fa = _finding(sf, "rule-a", b'println("a")\n\tprintln(', b"1, ")  # would change line 5
    fb = _finding(sf, "rule-a", b'"a")\n', b"\tprintln(2)\n")  # inserts right above line 5
    fb = Finding(fb.rule, fb.severity, fb.path, fb.start, fb.end, fb.line, 1, fb.line, 1, fa.message, fb.fixes)
    fixed = edits.apply(original, list(fb.fixes[0].edits))  # --verify dropped fa's fix
    res = FileResult("p.go", "/x/p.go", [fa, fb], None, original, fixed, [AppliedFix("rule-a", fb.line, fa.message, "", start=fb.start)])
    assert not review.entangled(res)
    [unit] = review.build_units("p.go", res)
    assert [f.line for f in unit.fixes] == [fb.line]
    assert apply_units(review.FileReview("p.go", "/x/p.go", original, original, [unit]), [unit]) == fixed


def test_a_fix_no_finding_offered_keeps_the_file_in_one_unit():
    # a fix of a later round (or of context plumbing) exists only because of another fix
    original = b'package p\n\nfunc A() {\n\tprintln("a")\n}\n\n\n\n\n\n\n\nfunc B() {\n\tprintln("b")\n}\n'
    sf = SourceFile("p.go", original)
    fa = _finding(sf, "rule-a", b'"a")\n', b"\tprintln(1)\n")
    fixed = edits.apply(original, [*fa.fixes[0].edits, *_finding(sf, "x", b'"b")\n', b"\tprintln(2)\n").fixes[0].edits])
    later = AppliedFix("rule-b", 14, "appeared after rule-a's fix", "", start=fa.start + 20)
    res = FileResult("p.go", "/x/p.go", [fa], None, original, fixed, [AppliedFix("rule-a", 4, fa.message, "", start=fa.start), later])
    assert review.entangled(res)
    [unit] = review.build_units("p.go", res, link="mod")
    assert [f.rule for f in unit.fixes] == ["rule-a", "rule-b"] and len(unit.hunks) == 2 and unit.link == "mod"


def test_linked_units_are_one_question(two_files):
    two_files[0].units[1].link = two_files[1].units[0].link = "mod"
    qs = review.questions(two_files)
    assert [[u.fixes[0].line for _, u in q] for q in qs] == [[6], [11, 6]]
    assert session(two_files, "yn")[0]
    assert decisions(two_files) == ["y", "n", "n"]


def test_keys_do_not_depend_on_line_numbers(tmp_path):
    write_module(tmp_path / "a", {"p.go": FIRST})
    write_module(tmp_path / "b", {"p.go": "// a comment that shifts every line\n" + FIRST})
    [fa], [fb] = file_reviews(tmp_path / "a"), file_reviews(tmp_path / "b")
    assert [u.key for u in fa.units] == [u.key for u in fb.units]
    assert len({u.key for u in fa.units}) == 2


def test_twin_fixes_get_distinct_keys_and_keep_their_answers(tmp_path):
    twins = FIRST.replace("t1", "t").replace("t2", "t")
    write_module(tmp_path, {"p.go": twins})
    [fr] = file_reviews(tmp_path)
    a, b = fr.units
    assert a.fingerprint == b.fingerprint and a.key != b.key
    a.decision, b.decision = "n", "y"
    review.State(str(tmp_path), "h").save([fr])
    [again] = file_reviews(tmp_path)
    st = review.State(str(tmp_path), "h")
    assert st.load() is None
    assert review.command.restore([again], st, Console(file=io.StringIO())) == [again]
    assert [u.decision for u in again.units] == ["n", "y"]


# ---------------------------------------------------------------- the prompt


def session(files, keys: str, editor=None, saves: list | None = None):
    """Run a walk answering with ``keys``; returns (walk's result, console text)."""
    out = io.StringIO()
    with create_pipe_input() as inp:
        inp.send_text(keys + "\x04")  # then end of input (q): a test never waits for a key
        s = review.Session(
            files, Console(file=out, width=100, no_color=True), review.Prompter(inp, DummyOutput()),
            os.path.dirname(files[0].abspath),  # stands in for the git dir: the edit file goes there
            save=(lambda: saves.append(1)) if saves is not None else (lambda: None),
            editor=editor or (lambda path: pytest.fail("no editor expected")),
        )
        complete = s.walk()
    return complete, out.getvalue()


def decisions(files) -> list:
    return [u.decision for fr in files for u in fr.units]


@pytest.fixture
def two_files(tmp_path):
    write_module(tmp_path, {"p/first.go": FIRST, "q/other.go": OTHER})
    return file_reviews(tmp_path)


def test_yes_no_and_going_back_to_change_a_decision(two_files):
    saves = []
    complete, out = session(two_files, "ynkyn", saves=saves)
    assert complete
    assert decisions(two_files) == ["y", "y", "n"]
    assert len(saves) == 4  # saved after every answer but k
    assert "(2/3) Apply this fix" not in out  # the prompt goes to prompt_toolkit, not the console
    assert out.count("ticker t2 from time.NewTicker is never stopped") == 2  # shown again after k


def test_accept_and_reject_the_rest_of_a_file(two_files):
    assert session(two_files, "ad")[0]
    assert decisions(two_files) == ["y", "y", "n"]
    for fr in two_files:
        for u in fr.units:
            u.decision = None
    assert session(two_files, "dy")[0]
    assert decisions(two_files) == ["n", "n", "y"]


def test_enter_never_applies_a_new_fix_and_other_keys_are_ignored(two_files):
    # Enter on a new fix asks again; after k it takes the earlier answer (here: n)
    complete, out = session(two_files, "\rx\ryk\rn\r\rq")
    assert complete is False
    assert decisions(two_files) == ["y", "n", None]
    assert out.count("Enter does not answer a new fix: press y or n (? for help).") == 4


def test_quit_keeps_the_decisions_made(two_files):
    assert session(two_files, "nq")[0] is False
    assert decisions(two_files) == ["n", None, None]


def test_help_and_no_previous_fix(two_files):
    _, out = session(two_files, "?kq")
    assert "a - apply this fix and all later fixes in this file" in out
    assert "No previous fix." in out


def test_ctrl_c_interrupts(two_files):
    with pytest.raises(KeyboardInterrupt):
        session(two_files, "y\x03")
    assert decisions(two_files) == ["y", None, None]


# ---------------------------------------------------------------- editing


def _editor(replace: tuple[str, str] | None = None, text: str | None = None):
    calls = []

    def edit(path: str) -> int:
        with open(path, encoding="utf-8") as f:
            content = f.read()
        calls.append(content)
        new = text if text is not None else content.replace(*replace)
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        return 0

    edit.calls = calls
    return edit


def test_an_edited_hunk_is_validated_and_accepted(two_files, tmp_path):
    ed = _editor(("+\tdefer t1.Stop()\n", "+\tdefer t1.Stop() // stopped by hand\n"))
    complete, out = session(two_files, "enq", editor=ed)
    first = two_files[0]
    assert first.units[0].decision == "y" and first.units[0].edited is not None
    assert ed.calls[0].startswith("# Manual hunk edit mode")
    assert '@@ -4,5 +4,6 @@ import "time"\n \n func First(d time.Duration) {\n' in ed.calls[0]
    assert apply_units(first, [first.units[0]]).decode() == FIRST.replace(
        "\tt1 := time.NewTicker(d)\n", "\tt1 := time.NewTicker(d)\n\tdefer t1.Stop() // stopped by hand\n"
    )


def test_an_edit_that_no_longer_applies_can_be_edited_again_or_dropped(two_files):
    # changing a context line makes the hunk not apply: say so, ask; "n" keeps the hunk
    ed = _editor((" func First(d time.Duration) {", " func Primero(d time.Duration) {"))
    _, out = session(two_files, "enq", editor=ed)
    assert "Your edited hunk cannot be used: it does not apply" in out
    u = two_files[0].units[0]
    assert u.edited is None and u.decision is None
    assert len(ed.calls) == 1
    # "y" opens the editor again with what was written, so the person can repair it
    ed = _editor((" func Primero(d time.Duration) {", " func First(d time.Duration) {"))
    bad_then_good = [(" func First(d time.Duration) {", " func Primero(d time.Duration) {"), None]

    def editor(path):
        step = bad_then_good.pop(0)
        return (_editor(step) if step else ed)(path)

    _, out = session(two_files, "ey" + "q", editor=editor)
    assert u.decision == "y" and u.edited is not None
    assert "func Primero" in ed.calls[0]


def test_an_edit_that_breaks_the_syntax_is_refused(two_files):
    ed = _editor(("+\tdefer t1.Stop()\n", "+\tdefer t1.Stop(\n"))
    _, out = session(two_files, "en" + "q", editor=ed)
    assert "the file would no longer parse as Go" in out
    assert two_files[0].units[0].decision is None


def test_deleting_every_line_aborts_the_edit(two_files):
    _, out = session(two_files, "eq", editor=_editor(text="# nothing left\n"))
    assert "Edit aborted" in out and two_files[0].units[0].edited is None


def test_an_editor_that_cannot_run(two_files):
    def missing(path):
        raise FileNotFoundError(2, "No such file or directory", "no-such-editor")

    _, out = session(two_files, "eq", editor=missing)
    assert "Cannot run the editor" in out and two_files[0].units[0].decision is None
    assert not os.path.exists(os.path.join(os.path.dirname(two_files[0].abspath), review.EDIT_FILE))


def test_parse_edited_recounts_the_header():
    text = "@@ -1,3 +1,3 @@\n a\n-b\n+B\n+B2\n c\n# a comment\n\n"
    [h] = review.parse_edited("f.go", text)
    assert (h.source_start, h.source_length, h.target_start, h.target_length) == (1, 4, 1, 5)
    assert diff_mod.apply_hunks(b"a\nb\nc\n\nd\n", [h]) == b"a\nB\nB2\nc\n\nd\n"
    with pytest.raises(ValueError, match="not context"):
        review.parse_edited("f.go", "@@ -1,1 +1,1 @@\nxyz\n")


# ---------------------------------------------------------------- applying


def test_a_dirty_file_gets_the_fixes_that_still_apply_and_commits_none_of_its_changes(two_files):
    fr = two_files[0]
    # the person added a line at the top (the hunks move) and rewrote Second's body
    fr.disk = ("// work in progress\n" + FIRST.replace("\t<-t2.C\n", "\tselect {}\n").replace(
        "\tt2 := time.NewTicker(d)\n", "\tt2 := time.NewTicker(2 * d)\n")).encode()
    skipped = []
    placed, disk = review.plan(fr, fr.units, skipped.append)
    kept = [p.unit for p in placed]
    assert kept == fr.units[:1]
    assert len(skipped) == 1 and "no longer applies to the file as it is on disk" in skipped[0]
    assert apply_units(fr, kept).decode() == with_stop(FIRST, "t1")  # what is committed
    assert disk.decode() == with_stop(fr.disk.decode(), "t1")


def test_crlf_and_non_ascii_bytes_are_kept(tmp_path):
    src = FIRST.replace("func First", "// 第一个: waits once\nfunc First").replace("\n", "\r\n")
    write_module(tmp_path, {"p.go": src.encode()})
    [fr] = file_reviews(tmp_path)
    want = with_stop(src.replace("\r\n", "\n"), "t1").replace("\n", "\r\n")
    assert apply_units(fr, fr.units[:1]).decode() == want


def test_a_failed_commit_puts_every_file_back(accepted, monkeypatch):
    root, files = accepted

    def broken(*args, **kwargs):
        raise vcs.VcsError("HEAD moved while committing")

    monkeypatch.setattr(vcs, "commit_files", broken)
    with pytest.raises(vcs.VcsError):
        review.finish(vcs.open_repo(str(root)), files, False, True, Console(file=io.StringIO()))
    assert (root / "p/first.go").read_text() == FIRST and (root / "q/other.go").read_text() == OTHER
    assert git(root, "status", "--porcelain") == ""


def test_one_commit_per_rule_keeps_linked_units_together(two_files):
    first, other = two_files
    first.units[1].fixes = [dataclasses.replace(fx, rule="rule-b") for fx in first.units[1].fixes]
    first.units[1].link = other.units[0].link = "mod"  # other.go's ticker fix goes with it
    for fr in two_files:
        for u in fr.units:
            u.decision = "y"
    out = review.outcome(two_files, per_rule=True, report=pytest.fail)
    assert [(rule, sorted(files), [i.line for i in items]) for rule, files, items in out.commits] == [
        ("ticker-not-stopped", ["p/first.go"], [6]),
        ("rule-b", ["p/first.go", "q/other.go"], [11, 6]),
    ]
    assert out.commits[0][1]["p/first.go"].decode() == with_stop(FIRST, "t1")
    assert out.commits[1][1]["p/first.go"].decode() == with_stop(FIRST, "t1", "t2")
    assert out.commits[1][1]["q/other.go"].decode() == with_stop(OTHER, "t3")


# ---------------------------------------------------------------- saved decisions


def test_saved_decisions_are_keyed_by_head_and_content(two_files, tmp_path):
    two_files[0].units[0].decision = "n"
    two_files[1].units[0].decision = "y"
    review.State(str(tmp_path), "head1").save(two_files)
    st = review.State(str(tmp_path), "head1")
    assert st.load() is None
    key0 = two_files[0].units[0].key
    assert st.decisions_for(two_files[0].path, two_files[0].disk) == {key0: {"decision": "n", "edited": None}}
    assert st.decisions_for(two_files[0].path, two_files[0].disk + b"// changed\n") is None
    assert "HEAD moved" in review.State(str(tmp_path), "head2").load()


# ---------------------------------------------------------------- git


def test_commit_files_commits_exactly_those_files(tmp_path):
    repo_dir = write_module(git_repo(tmp_path), {"a.go": "package a\n", "b.go": "package a\n"})
    (repo_dir / "a.go").chmod(0o755)  # its mode is kept
    git(repo_dir, "add", ".")
    git(repo_dir, "commit", "-qm", "init")
    (repo_dir / "b.go").write_text("package a // staged\n")
    git(repo_dir, "add", "b.go")
    (repo_dir / "a.go").write_text("package a // fixed\n")
    repo = vcs.open_repo(str(repo_dir))
    assert vcs.uncommitted(repo) == {"a.go": " M", "b.go": "M "}
    sha = vcs.commit_files(repo, {"a.go": b"package a // fixed\n"}, "fix: a\n\nbody\n")
    assert git(repo_dir, "show", "--name-only", "--format=%B", sha) == "fix: a\n\nbody\n\n\na.go\n"
    assert git(repo_dir, "show", "HEAD:b.go") == "package a\n"
    assert git(repo_dir, "ls-tree", "HEAD", "a.go").split()[0] == "100755"
    assert vcs.uncommitted(repo) == {"b.go": "M "}  # still staged, not committed


def test_write_files_is_all_or_nothing(tmp_path):
    a = tmp_path / "a.go"
    a.write_bytes(b"old\n")
    with pytest.raises(OSError):
        atomic.write_files({str(a): b"new\n", str(tmp_path / "missing" / "b.go"): b"x\n"})
    assert a.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.go"]  # no temporary files left


def test_write_files_puts_back_what_it_already_replaced(tmp_path):
    # the failure comes after a.go is renamed into place: a.go must get its old content back
    a, b, c = tmp_path / "a.go", tmp_path / "b.go", tmp_path / "c.go"
    a.write_bytes(b"old\n")
    b.mkdir()  # every temporary file is written, but b.go cannot be replaced
    with pytest.raises(OSError):
        atomic.write_files({str(a): b"new\n", str(c): b"created\n", str(b): b"x\n"})
    assert a.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.go", "b.go"]  # c.go removed again, no temporary files


def test_a_git_failure_is_a_vcs_error_with_gits_own_line(tmp_path):
    # GitPython opens the repository and reads HEAD without running git; git itself then
    # refuses the index. The CLI reports a VcsError (exit 2), not a traceback.
    repo_dir = write_module(git_repo(tmp_path), {"a.go": "package a\n"})
    git(repo_dir, "add", ".")
    git(repo_dir, "commit", "-qm", "init")
    (repo_dir / ".git" / "index").write_bytes(b"garbage\n")
    repo = vcs.open_repo(str(repo_dir))
    vcs.head_sha(repo)
    with pytest.raises(vcs.VcsError, match=r"^git status: fatal: .*index"):
        vcs.uncommitted(repo)


def test_commit_files_refuses_when_head_moved_meanwhile(tmp_path, monkeypatch):
    repo_dir = write_module(git_repo(tmp_path), {"a.go": "package a\n"})
    git(repo_dir, "add", ".")
    git(repo_dir, "commit", "-qm", "init")
    repo = vcs.open_repo(str(repo_dir))
    create = vcs.Commit.create_from_tree

    def and_someone_commits(*args, **kwargs):
        made = create(*args, **kwargs)
        git(repo_dir, "commit", "-q", "--allow-empty", "-m", "meanwhile")
        return made

    monkeypatch.setattr(vcs.Commit, "create_from_tree", and_someone_commits)
    with pytest.raises(vcs.VcsError, match=r"^HEAD moved while committing; nothing was committed \(git update-ref: fatal: .*HEAD"):
        vcs.commit_files(repo, {"a.go": b"package a // fixed\n"}, "fix: a\n")
    assert git(repo_dir, "log", "-1", "--format=%s") == "meanwhile\n"


def test_not_a_work_tree(tmp_path):
    with pytest.raises(vcs.VcsError, match="not inside a git work tree"):
        vcs.open_repo(str(tmp_path))


def test_per_rule_subject():
    items = [changeset.ChangeItem("timer-not-stopped", "p/a.go", 3, "why")]
    assert changeset.subject(items, "timer-not-stopped") == "fix: stop goroutine leaks in p (gofixleaks: timer-not-stopped)"
    assert changeset.subject(items) == "fix: stop goroutine leaks in p (gofixleaks)"


# ---------------------------------------------------------------- the command


def test_review_outside_a_work_tree_is_an_error(cli, tmp_path):
    write_module(tmp_path, {"p.go": FIRST})
    r = cli("review", cwd=tmp_path)
    assert r.code == 2 and "is not inside a git work tree" in r.stderr


def test_review_refuses_without_a_terminal(cli, tmp_path):
    write_module(git_repo(tmp_path), {"p.go": FIRST})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "init")
    r = cli("review", cwd=tmp_path)
    assert r.code == 2 and "stdin is not a terminal" in r.stderr and "fix --write" in r.stderr


# ---------------------------------------------------------------- the tree moves while review waits


@pytest.fixture
def accepted(tmp_path):
    """A repository with both files committed and every fix of them accepted, as review
    holds them when the person has answered everything."""
    root = write_module(git_repo(tmp_path), {"p/first.go": FIRST, "q/other.go": OTHER})
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    files = file_reviews(root)
    for fr in files:
        for u in fr.units:
            u.decision = "y"
    return root, files


def run_review(root, keys: str) -> tuple[int, str]:
    """The whole command in-process on ``root``, answering with ``keys``; (exit code, output)."""
    cfg = config_mod.load((str(root),), select=("ticker-not-stopped",), jobs=1, use_cache=False)
    targets = discover((str(root),))
    results = list(engine.run(targets, cfg, want_fixes=True))
    out = io.StringIO()
    with create_pipe_input() as inp:
        inp.send_text(keys)
        code = review.run(vcs.open_repo(str(root)), cfg, targets, results, review.Options(),
                          Console(file=out, width=200), review.Prompter(inp, DummyOutput()))
    return code, out.getvalue()


def finish_now(root, files) -> str:
    out = io.StringIO()
    review.finish(vcs.open_repo(str(root)), files, False, True, Console(file=out, width=200))
    return out.getvalue()


MINE = "// meanwhile: a line of the person's own\n" + FIRST


def test_a_commit_made_while_review_waits_is_kept(accepted):
    root, files = accepted
    (root / "p/first.go").write_text(MINE)
    git(root, "commit", "-qam", "meanwhile")
    meanwhile = git(root, "rev-parse", "HEAD")
    finish_now(root, files)
    assert git(root, "rev-parse", "HEAD~1") == meanwhile
    assert git(root, "show", "HEAD:p/first.go") == with_stop(MINE, "t1", "t2")
    assert (root / "p/first.go").read_text() == with_stop(MINE, "t1", "t2")
    assert git(root, "show", "HEAD:q/other.go") == with_stop(OTHER, "t3")
    assert git(root, "status", "--porcelain") == ""


def test_an_edit_made_while_review_waits_is_kept_uncommitted(accepted):
    root, files = accepted
    (root / "p/first.go").write_text(MINE)
    finish_now(root, files)
    assert (root / "p/first.go").read_text() == with_stop(MINE, "t1", "t2")
    assert git(root, "show", "HEAD:p/first.go") == with_stop(FIRST, "t1", "t2")
    assert git(root, "status", "--porcelain") == " M p/first.go\n"


def test_a_staged_edit_made_while_review_waits_stays_staged_and_on_disk(accepted):
    root, files = accepted
    (root / "p/first.go").write_text(MINE)
    git(root, "add", "p/first.go")
    finish_now(root, files)
    assert (root / "p/first.go").read_text() == with_stop(MINE, "t1", "t2")
    assert git(root, "show", ":p/first.go") == MINE  # the index as the person left it
    assert git(root, "show", "HEAD:p/first.go") == with_stop(FIRST, "t1", "t2")


def test_a_fix_that_no_longer_applies_after_a_commit_is_skipped_with_its_partner(accepted):
    root, files = accepted
    first, other = files
    first.units[0].link = other.units[0].link = "mod"  # t1's fix goes with t3's (as plumbing would)
    changed = FIRST.replace("\tt1 := time.NewTicker(d)\n", "\tt1 := time.NewTicker(2 * d)\n")
    (root / "p/first.go").write_text(changed)
    git(root, "commit", "-qam", "meanwhile")
    out = finish_now(root, files)
    assert git(root, "show", "HEAD:p/first.go") == with_stop(changed, "t2")
    assert git(root, "show", "HEAD~1:q/other.go") == git(root, "show", "HEAD:q/other.go") == OTHER
    assert "p/first.go: skipped ticker-not-stopped at line 6: it no longer applies to the file as committed now" in out
    assert "q/other.go: skipped ticker-not-stopped at line 6: it goes with a fix that was skipped" in out


def test_a_file_changed_while_being_written_stops_everything_and_keeps_the_answers(accepted, monkeypatch):
    root, _ = accepted
    head = git(root, "rev-parse", "HEAD")
    real = review.apply._read_now

    def and_then_an_edit(repo_, fr):
        now = real(repo_, fr)
        if fr.path == "q/other.go":
            (root / "q/other.go").write_text(OTHER + "// saved just now\n")
        return now

    monkeypatch.setattr(review.apply, "_read_now", and_then_an_edit)
    code, out = run_review(root, "aa")
    assert code == 1
    assert "q/other.go: changed since it was read; not rewritten. Nothing was written or committed" in out
    assert git(root, "rev-parse", "HEAD") == head
    assert (root / "p/first.go").read_text() == FIRST
    assert (root / "q/other.go").read_text() == OTHER + "// saved just now\n"
    assert (root / ".git" / review.STATE_FILE).exists()  # --resume takes the answers up again


def test_a_tracked_link_out_of_the_tree_is_skipped_not_fatal(tmp_path):
    outside = write_module(tmp_path / "outside", {"ext.go": OTHER.replace("Third", "Ext")}, go=None)
    root = git_repo(write_module(tmp_path / "repo", {"p/first.go": FIRST}))
    (root / "p/ext.go").symlink_to(outside / "ext.go")
    (root / "p/inner.go").symlink_to("first.go")  # to a file reviewed anyway: left out
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    code, out = run_review(root, "a")
    assert code == 0
    assert "p/ext.go: not touched: it is a symbolic link (review changes regular files only)" in out
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["p/first.go"]
    assert git(root, "show", "HEAD:p/first.go") == with_stop(FIRST, "t1", "t2")
    assert (root / "p/ext.go").is_symlink() and (root / "p/inner.go").is_symlink()
    assert (outside / "ext.go").read_text() == OTHER.replace("Third", "Ext")
