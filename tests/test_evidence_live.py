"""The live demo, end to end: examples/leaky-service/cmd/leaky serves net/http/pprof on
127.0.0.1; requests make it leak; `gofixleaks evidence URL` ranks the leaks and names the
findings that cover them; `fix --evidence URL --write` fixes a copy of the example; the
rebuilt service, driven the same way, leaks no more."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from . import gotools
from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "leaky-service"
REQUESTS = 20
REFRESH = "example.com/leaky-service.(*Cache).Refresh.func1"
WATCH = "example.com/leaky-service.(*Cache).StartRefresh.func1"


@contextmanager
def service(module: Path):
    """The demo built from ``module`` and running on a free loopback port: yields its URL."""
    binary = module / "leaky-bin"
    build = gotools.run_go(["build", "-o", str(binary), "./cmd/leaky"], cwd=str(module))
    assert build.returncode == 0, build.stderr
    proc = subprocess.Popen([str(binary)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=gotools.go_env())
    try:
        line = proc.stdout.readline().decode()
        assert line.startswith("listening on http://127.0.0.1:"), line + proc.stderr.read().decode()
        yield line.split()[-1]
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def drive(url: str) -> None:
    for _ in range(REQUESTS):
        for path in ("/refresh", "/watch"):
            try:
                urllib.request.urlopen(url + path, timeout=10).read()
            except urllib.error.HTTPError as e:  # /refresh answers 504 when it gives up: that is the leak
                assert e.code == 504
    time.sleep(0.1)  # the abandoned loaders reach their send


def sites(cli, url: str, module: Path) -> dict[str, dict]:
    r = cli("evidence", url, "--format", "json", cwd=module)
    assert r.code in (0, 1), r.stderr
    return {s["function"]: s for s in json.loads(r.stdout)["sites"]}


def test_live_service_evidence_fix_and_leak_gone(cli, tmp_path):
    gotools.require_go()
    module = Path(shutil.copytree(EXAMPLE, tmp_path / "leaky-service"))
    with service(module) as url:
        drive(url)
        plain = urllib.request.urlopen(f"{url}/debug/pprof/goroutine?debug=2", timeout=30).read()
        leak = urllib.request.urlopen(f"{url}/debug/pprof/goroutineleak?debug=2", timeout=30).read()
        (tmp_path / "goroutine.txt").write_bytes(plain)
        before = sites(cli, f"{url}/debug/pprof/", module)
        assert before[REFRESH]["count"] == REQUESTS and before[REFRESH]["state"] == "chan send (leaked)"
        assert [f["rule"] for f in before[REFRESH]["findings"]] == ["early-return-send"]
        assert before[REFRESH]["created_by"]["path"] == "cache.go"
        assert before[WATCH]["count"] == REQUESTS and before[WATCH]["state"] == "chan receive"
        assert [f["rule"] for f in before[WATCH]["findings"]] == ["loop-without-exit"]
        # the plain goroutine dump shows the same sites without the leak detector's verdict
        from_file = sites(cli, str(tmp_path / "goroutine.txt"), module)
        assert from_file[REFRESH]["count"] == REQUESTS and from_file[REFRESH]["state"] == "chan send"
        assert b"(leaked)" in leak
        # the ticker loop's fix (a select on ctx.Done()) is a `review` fix: --unsafe-fixes takes it
        fixed = cli("fix", "--evidence", url + "/debug/pprof/", "--threshold", str(REQUESTS), "--write", "--unsafe-fixes", cwd=module)
        assert fixed.code == 0, fixed.stderr
        assert "  confirmed: cache.go:30 early-return-send (fixed): " in fixed.stderr
        assert "  confirmed: cache.go:52 loop-without-exit (fixed): " in fixed.stderr
    assert "done := make(chan error, 1)" in (module / "cache.go").read_text()
    with service(module) as url:
        drive(url)
        after = sites(cli, f"{url}/debug/pprof/", module)
    assert REFRESH not in after and WATCH not in after, after.keys()
