"""`gofixleaks evidence` and `fix --evidence DUMP|URL` on a dump of examples/leaky-service as
another machine would write it (built under /build/, so files are found by their trailing
path): ranking, the threshold, which finding covers which site, the output formats, a live
URL (a server on 127.0.0.1 in the test) and the errors. Dumps the Go runtime writes itself
are read in test_evidence_go.py and test_evidence_live.py."""

from __future__ import annotations

import http.server
import shutil
import json
import threading
from pathlib import Path

import pytest

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "leaky-service"


def goroutine(gid: int, state: str, frames: list[tuple[str, str, int]], creator: tuple[str, str, int, int] | None) -> str:
    out = [f"goroutine {gid} [{state}]:"]
    for function, path, line in frames:
        out += [f"{function}(...)", f"\t{path}:{line} +0x1d"]
    if creator:
        function, path, line, parent = creator
        out += [f"created by {function} in goroutine {parent}", f"\t{path}:{line} +0x9a"]
    return "\n".join(out) + "\n"


B = "/build/leaky-service"
REFRESH = ("example.com/leaky-service.(*Cache).Refresh", f"{B}/cache.go", 31, 35)
START = ("example.com/leaky-service.(*Cache).StartRefresh", f"{B}/cache.go", 51, 36)
DUMP = "\n".join(
    [
        goroutine(1, "IO wait", [("internal/poll.runtime_pollWait", "/usr/local/go/src/runtime/netpoll.go", 351), ("main.main", f"{B}/cmd/leaky/main.go", 52)], None),
        goroutine(40, "chan send (leaked)", [("example.com/leaky-service.(*Cache).Refresh.func1", f"{B}/cache.go", 38)], REFRESH),
        goroutine(41, "chan send (leaked)", [("example.com/leaky-service.(*Cache).Refresh.func1", f"{B}/cache.go", 38)], REFRESH),
        goroutine(50, "chan receive, 7 minutes", [("example.com/leaky-service.(*Cache).StartRefresh.func1", f"{B}/cache.go", 52)], START),
        goroutine(51, "chan receive, 9 minutes", [("example.com/leaky-service.(*Cache).StartRefresh.func1", f"{B}/cache.go", 52)], START),
        goroutine(52, "chan receive", [("example.com/leaky-service.(*Cache).StartRefresh.func1", f"{B}/cache.go", 52)], START),
        goroutine(
            60,
            "select",
            [("net/http.(*persistConn).writeLoop", "/usr/local/go/src/net/http/transport.go", 2833)],
            ("net/http.(*Transport).dialConn", "/usr/local/go/src/net/http/transport.go", 2124, 22),
        ),
    ]
)


@pytest.fixture
def dump_file(tmp_path) -> Path:
    p = tmp_path / "goroutines.txt"
    p.write_text(DUMP)
    return p


def test_text_ranks_sites_and_names_the_findings(cli, dump_file):
    r = cli("evidence", str(dump_file), cwd=EXAMPLE)
    assert r.code == 1  # a proven leak
    lines = r.stdout.splitlines()
    assert lines[0] == f"{dump_file}: traceback, 7 goroutine(s), 7 blocked at 4 site(s)"
    assert "1000 or more goroutines" in lines[1] and "--threshold" in lines[1]
    assert lines[2] == "2 goroutine(s) in chan send (leaked) at cache.go:38 in leaky-service.(*Cache).Refresh.func1"
    assert lines[3] == "    started by leaky-service.(*Cache).Refresh at cache.go:31"
    assert lines[4].startswith("    covered by early-return-send at cache.go:30: ")
    assert lines[5] == "3 goroutine(s) in chan receive, for 9 min at cache.go:52 in leaky-service.(*Cache).StartRefresh.func1"
    assert lines[7].startswith("    covered by loop-without-exit at cache.go:52: ")
    assert lines[8].startswith("1 goroutine(s) in IO wait at cmd/leaky/main.go:52 in main.main")
    assert lines[9] == "    no finding covers it"
    assert lines[10] == "1 goroutine(s) in select at $GOROOT/src/net/http/transport.go:2833 in http.(*persistConn).writeLoop (not in the scanned code)"
    assert r.stderr == "gofixleaks: 1 suspected leak site(s) of 4; 1 covered by a finding\n"


def test_a_dump_of_another_build_claims_no_finding(cli, tmp_path):
    # the code at cache.go:38 and :31 is Refresh's; a dump that names other functions there
    # was taken of another build, whose lines the findings of this one do not describe
    other = tmp_path / "other.txt"
    other.write_text(DUMP.replace("(*Cache).Refresh", "(*Cache).Reload"))
    r = cli("evidence", str(other), cwd=EXAMPLE)
    lines = r.stdout.splitlines()
    assert lines[2] == "2 goroutine(s) in chan send (leaked) at cache.go:38 in leaky-service.(*Cache).Reload.func1"
    assert lines[4] == "    no finding covers it", r.stdout
    assert r.stderr == "gofixleaks: 1 suspected leak site(s) of 4; 0 covered by a finding\n"


def test_the_threshold_decides_what_is_suspected(cli, dump_file, tmp_path):
    unproven = tmp_path / "unproven.txt"
    unproven.write_text(DUMP.replace(" (leaked)", ""))
    assert cli("evidence", str(unproven), cwd=EXAMPLE).code == 0
    r = cli("evidence", str(unproven), "--threshold", "3", cwd=EXAMPLE)
    assert r.code == 1 and "3 or more goroutines" in r.stdout
    assert r.stderr.startswith("gofixleaks: 1 suspected leak site(s) of 4")
    assert cli("evidence", str(unproven), "--threshold", "0", cwd=EXAMPLE).code == 2


def test_json_has_exactly_the_documented_shape(cli, dump_file):
    r = cli("evidence", str(dump_file), "--format", "json", cwd=EXAMPLE)
    doc = json.loads(r.stdout)
    assert set(doc) == {"version", "sites"} and doc["version"] == 1
    keys = {"path", "line", "function", "state", "count", "wait_minutes", "created_by", "findings", "stack"}
    assert all(set(s) == keys for s in doc["sites"])
    first, second, third, fourth = doc["sites"]
    assert {k: first[k] for k in keys - {"findings", "stack"}} == {
        "path": "cache.go",
        "line": 38,
        "function": "example.com/leaky-service.(*Cache).Refresh.func1",
        "state": "chan send (leaked)",
        "count": 2,
        "wait_minutes": 0,
        "created_by": {"path": "cache.go", "line": 31, "function": "example.com/leaky-service.(*Cache).Refresh"},
    }
    (finding,) = first["findings"]
    assert finding["rule"] == "early-return-send" and finding["line"] == 30
    assert finding["evidence"] == "2 goroutine(s) in chan send (leaked) at cache.go:38 in leaky-service.(*Cache).Refresh.func1"
    assert second["wait_minutes"] == 9 and second["findings"][0]["rule"] == "loop-without-exit"
    assert "evidence" not in second["findings"][0]  # 3 goroutines, under the threshold: not a confirmation
    assert third["path"] == "cmd/leaky/main.go" and third["created_by"] is None and third["findings"] == []
    assert fourth["path"] == "/usr/local/go/src/net/http/transport.go"
    # the whole stack, innermost first, each file named as "path" names the blocked one's
    assert first["stack"] == [{"path": "cache.go", "line": 38, "function": "example.com/leaky-service.(*Cache).Refresh.func1"}]
    assert third["stack"] == [
        {"path": "/usr/local/go/src/runtime/netpoll.go", "line": 351, "function": "internal/poll.runtime_pollWait"},
        {"path": "cmd/leaky/main.go", "line": 52, "function": "main.main"},
    ]


def test_sarif(cli, dump_file):
    doc = json.loads(cli("evidence", str(dump_file), "--format", "sarif", cwd=EXAMPLE).stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["leaked-goroutines", "many-blocked-goroutines", "blocked-goroutines"]
    first = run["results"][0]
    assert (first["ruleId"], first["level"]) == ("leaked-goroutines", "error")
    assert first["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "cache.go"}, "region": {"startLine": 38}}
    assert [r["physicalLocation"]["region"]["startLine"] for r in first["relatedLocations"]] == [31, 30]
    assert [r["level"] for r in run["results"]] == ["error", "note", "note", "note"]
    (stack,) = run["results"][2]["stacks"]  # main.main's, in IO wait under the runtime's poller
    assert [(f["location"]["physicalLocation"]["artifactLocation"]["uri"], f["location"]["physicalLocation"]["region"]["startLine"],
             f["location"]["logicalLocations"][0]["fullyQualifiedName"]) for f in stack["frames"]] == [
        ("/usr/local/go/src/runtime/netpoll.go", 351, "internal/poll.runtime_pollWait"), ("cmd/leaky/main.go", 52, "main.main")]


def test_a_finding_covers_sites_of_its_own_function_only(cli, tmp_path):
    dump = tmp_path / "poll.txt"
    dump.write_text(
        goroutine(9, "select (leaked)", [("example.com/leaky-service.(*Poller).Run", f"{B}/poller.go", 19)], None)
        + "\n"
        + goroutine(10, "select (leaked)", [("example.com/leaky-service.(*Poller).Watch", f"{B}/poller.go", 34)], None)
    )
    doc = json.loads(cli("evidence", str(dump), "--format", "json", cwd=EXAMPLE).stdout)
    assert [[f["rule"] for f in s["findings"]] for s in doc["sites"]] == [["ticker-not-stopped"], ["time-after-in-loop"]]


def test_without_a_creator_the_goroutines_body_counts_as_its_launchers(cli, tmp_path):
    """A debug=1 profile names no creator: the blocked send inside `go func() {...}()` is
    still covered by the finding in the function that runs the `go` statement."""
    profile = tmp_path / "goroutine-debug1.txt"
    profile.write_text(
        "goroutine profile: total 3\n"
        "3 @ 0x47d90a 0x41421c 0x413e17 0x4decfe 0x483641\n"
        f"#\t0x4decfd\texample.com/leaky-service.(*Cache).Refresh.func1+0x1d\t{B}/cache.go:38\n\n"
    )
    doc = json.loads(cli("evidence", str(profile), "--format", "json", cwd=EXAMPLE).stdout)
    (site,) = doc["sites"]
    assert (site["state"], site["created_by"], site["count"]) == (None, None, 3)
    assert [f["rule"] for f in site["findings"]] == ["early-return-send"]


def test_ambiguous_file_names_are_not_guessed(cli, tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "main.go").write_text("package main\n\nfunc main() {}\n")
    dump = tmp_path / "d.txt"
    dump.write_text(goroutine(5, "chan send (leaked)", [("main.f", "/elsewhere/main.go", 3)], None))
    doc = json.loads(cli("evidence", str(dump), str(tmp_path), "--format", "json").stdout)
    assert doc["sites"][0]["path"] == "/elsewhere/main.go"  # two scanned main.go: neither is claimed
    dump.write_text(goroutine(5, "chan send (leaked)", [("main.f", "/elsewhere/b/main.go", 3)], None))
    doc = json.loads(cli("evidence", str(dump), str(tmp_path), "--format", "json").stdout)
    assert doc["sites"][0]["path"] == str(Path("b") / "main.go") or doc["sites"][0]["path"].endswith("b/main.go")


class _Pprof(http.server.BaseHTTPRequestHandler):
    """A /debug/pprof/ without the goroutineleak profile (as before Go 1.26)."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/debug/pprof/goroutine?debug=2":
            body, code = DUMP.encode(), 200
        elif self.path.startswith("/debug/pprof/heap"):
            body, code = b"boom", 500
        else:
            body, code = b"404 page not found", 404
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pprof)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_a_url_and_the_pprof_index_fallback(cli, server):
    r = cli("evidence", f"{server}/debug/pprof/", "--format", "json", cwd=EXAMPLE)
    assert r.code == 1
    assert json.loads(r.stdout)["sites"][0]["count"] == 2
    r = cli("evidence", f"{server}/debug/pprof/", cwd=EXAMPLE)
    assert r.stdout.startswith(f"{server}/debug/pprof/goroutine?debug=2: traceback, 7 goroutine(s)")


@pytest.mark.parametrize(
    "source, message",
    [
        ("{server}/debug/pprof/heap", "{server}/debug/pprof/heap: HTTP 500"),
        ("{server}/debug/pprof/goroutineleak?debug=2", "{server}/debug/pprof/goroutineleak?debug=2: HTTP 404"),
        ("http://127.0.0.1:1/debug/pprof/goroutine", "http://127.0.0.1:1/debug/pprof/goroutine: cannot fetch: "),
        ("missing.txt", "missing.txt: cannot read: No such file or directory"),
        ("go.mod", "go.mod: no goroutine dump found"),
    ],
)
def test_errors_are_one_line_and_exit_2(cli, server, source, message):
    r = cli("evidence", source.format(server=server), cwd=EXAMPLE)
    assert r.code == 2 and r.stdout == ""
    assert r.stderr.startswith("gofixleaks: error: " + message.format(server=server))
    assert r.stderr.count("\n") == 1


def test_fix_marks_confirmed_findings(cli, dump_file):
    r = cli("fix", "--evidence", str(dump_file), "--threshold", "3", cwd=EXAMPLE)
    assert r.code == 0
    lines = r.stderr.splitlines()
    assert lines[0] == f"gofixleaks: evidence from {dump_file}: traceback: 2 site(s) to account for"
    assert lines[1].startswith("  confirmed: cache.go:30 early-return-send (fixed): 2 goroutine(s) in chan send (leaked)")
    assert lines[2].startswith("  confirmed: cache.go:52 loop-without-exit (fixed): 3 goroutine(s) in chan receive")
    assert not any(ln.startswith("  no finding covers") for ln in lines)  # the other sites are under the threshold


def test_fix_says_when_a_confirmed_finding_has_a_review_fix_left_out(cli, dump_file, tmp_path):
    module = Path(shutil.copytree(EXAMPLE, tmp_path / "m"))
    r = cli("fix", "--evidence", str(dump_file), "--threshold", "3", "--write", cwd=module)
    lines = r.stderr.splitlines()
    assert lines[1].startswith("  confirmed: cache.go:30 early-return-send (fixed): ")
    assert lines[2].startswith("  confirmed: cache.go:52 loop-without-exit (a review fix, left out: --unsafe-fixes applies it): ")


def test_fix_puts_the_confirmed_files_first(cli, tmp_path):
    dump = tmp_path / "warm.txt"
    dump.write_text(
        goroutine(
            70,
            "sleep (leaked)",
            [("time.Sleep", "/usr/local/go/src/runtime/time.go", 363), ("example.com/leaky-service.(*Cache).warm", f"{B}/warmer.go", 15)],
            ("example.com/leaky-service.(*Cache).StartWarming", f"{B}/warmer.go", 21, 1),
        )
    )
    plain = cli("fix", cwd=EXAMPLE)
    assert plain.stdout.startswith("diff --git a/examples/leaky-service/cache.go ")
    r = cli("fix", "--evidence", str(dump), cwd=EXAMPLE)
    assert r.stdout.startswith("diff --git a/examples/leaky-service/warmer.go ")
    assert sorted(r.stdout.split("diff --git ")) == sorted(plain.stdout.split("diff --git "))  # the same patch, reordered
    assert "  confirmed: warmer.go:12 unbounded-goroutines (fixed): 1 goroutine(s) in sleep (leaked)" in r.stderr


def test_fix_names_proven_leaks_no_rule_reported(cli, tmp_path):
    module = tmp_path / "m"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (module / "w.go").write_text("package m\n\nfunc Start(ch chan int) {\n\tgo func() {\n\t\tfor range ch {\n\t\t}\n\t}()\n}\n")
    dump = tmp_path / "d.txt"
    dump.write_text(goroutine(7, "chan receive (leaked)", [("example.com/m.Start.func1", "/x/m/w.go", 5)], ("example.com/m.Start", "/x/m/w.go", 4, 1)))
    r = cli("fix", "--evidence", str(dump), cwd=module)
    assert r.code == 0 and r.stdout == ""
    assert "  no finding covers: 1 goroutine(s) in chan receive (leaked) at w.go:5 in m.Start.func1" in r.stderr.splitlines()
