"""Rule providers: the built-in rules come through the `gofixleaks.rules` entry point, and a
third-party package adds rules by declaring the same group. The plugin tests install a tiny
package (its code and its dist-info metadata) into a directory on PYTHONPATH, the way pip
lays out a real installation, and run gofixleaks in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gofixleaks import registry

from .conftest import LEAKY, ROOT, write_module

PLUGIN = '''\
"""A rule provider outside gofixleaks: reports every call to panic."""
from gofixleaks import analysis as a
from gofixleaks.rule import Option, Rule


def run(p):
    for call in a.of_type(p.file.root, "call_expression"):
        if a.callee(p.file, call) == (None, "panic"):
            p.report(call, f"panic called (threshold {p.option('threshold')})")


RULES = [Rule(name="no-panic", summary="panic is called", doc="## What it finds\\npanic calls", run=run,
              triggers=(b"panic(",), options=(Option("threshold", 3, "how many panics are fine", minimum=0),))]
'''


def install_plugin(site: Path, name: str, rules_module: str, entry_name: str = "nopanic") -> None:
    """Lay out ``rules_module`` as package ``name`` with an entry point in group gofixleaks.rules."""
    (site / name).mkdir(parents=True)
    (site / name / "__init__.py").write_text(rules_module)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[gofixleaks.rules]\n{entry_name} = {name}:RULES\n")


def gofixleaks(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "GOFIXLEAKS_CACHE_DIR": str(site / "cache")}
    return subprocess.run([sys.executable, "-m", "gofixleaks", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_builtin_rules_come_from_the_entry_point_group():
    cat = registry.catalogue()
    assert cat.problems == ()
    assert "ticker-not-stopped" in cat.names
    assert {r.provider for r in cat.rules} == {"gofixleaks (built-in)"}


def test_a_plugin_rule_is_listed_configured_and_run(tmp_path):
    site = tmp_path / "site"
    install_plugin(site, "nopanic", PLUGIN)
    m = write_module(tmp_path / "m", {"poll.go": LEAKY, "p.go": "package p\n\nfunc f() {\n\tpanic(1)\n}\n"})
    listing = gofixleaks(site, "rules", cwd=m)
    assert listing.returncode == 0, listing.stderr
    assert any(ln.startswith("no-panic") and ln.endswith("[nopanic 1.0]") for ln in listing.stdout.splitlines())
    doc = gofixleaks(site, "rules", "no-panic", cwd=m).stdout
    assert "`threshold` (default `3`)" in doc and "Provided by nopanic 1.0." in doc

    (m / ".gofixleaks.toml").write_text("[rules.no-panic]\nthreshold = 5\n")
    scan = gofixleaks(site, "scan", "--format", "json", cwd=m)
    found = {(f["rule"], f["path"], f["message"]) for f in json.loads(scan.stdout)["findings"]}
    assert ("no-panic", "p.go", "panic called (threshold 5)") in found
    assert any(rule == "ticker-not-stopped" for rule, _, _ in found)  # the built-in rules still run
    flagged = gofixleaks(site, "scan", "--format", "json", "--rule", "no-panic", "--threshold", "7", cwd=m)
    assert [f["message"] for f in json.loads(flagged.stdout)["findings"]] == ["panic called (threshold 7)"]


def test_a_broken_plugin_is_a_warning_and_the_other_rules_still_run(tmp_path):
    site = tmp_path / "site"
    install_plugin(site, "broken", "raise ImportError('no such thing')\n")
    m = write_module(tmp_path / "m", {"poll.go": LEAKY})
    r = gofixleaks(site, "scan", cwd=m)
    assert r.returncode == 1  # the ticker is still found
    assert "warning: rule provider nopanic (broken:RULES) not loaded: ImportError: no such thing" in r.stderr
    assert "ticker-not-stopped" in r.stdout


def test_two_providers_of_one_rule_name_is_a_one_line_error(tmp_path):
    site = tmp_path / "site"
    install_plugin(site, "clash", PLUGIN.replace('name="no-panic"', 'name="ticker-not-stopped"'))
    r = gofixleaks(site, "scan", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "gofixleaks: error: rule 'ticker-not-stopped' of clash 1.0 is already provided by gofixleaks (built-in)"
    )


def test_an_uninstalled_checkout_finds_the_builtin_rules_beside_it(tmp_path):
    """With no entry points (a checkout on PYTHONPATH, nothing installed), the built-in
    rules come from the top-level `transforms` package."""
    code = (
        "import importlib.metadata as md, sys\n"
        # as if gofixleaks were not installed: no entry points, no editable-install finder
        "md.entry_points = lambda **kw: []\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
        "import gofixleaks.registry as r\n"
        "print(len(r.rules()), r.rules()[0].provider, r.rules()[0].run.__module__.split('.')[0])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split(" ", 1) == [str(len(registry.rules())), "gofixleaks (built-in) transforms\n"]


# a plugin whose fix leaves its own finding in place: a comment above each panic
HALF_FIX = '''\
"""Reports every call to panic, and "fixes" it with a comment that changes nothing."""
from gofixleaks import analysis as a
from gofixleaks.edits import Fix, insert_before_statement
from gofixleaks.rule import Rule


def run(p):
    for call in a.of_type(p.file.root, "call_expression"):
        if a.callee(p.file, call) == (None, "panic"):
            edit = insert_before_statement(p.file, call.parent, ["// TODO: no panic"])
            p.report(call, "panic called", [Fix("comment on it", (edit,))])


RULES = [Rule(name="no-panic", summary="panic is called", doc="## What it finds\\\\npanic calls", run=run,
              triggers=(b"panic(",))]
'''


def test_a_fix_that_leaves_its_finding_is_not_applied_and_the_others_are(tmp_path):
    site = tmp_path / "site"
    install_plugin(site, "halffix", HALF_FIX)
    panics = "package p\n\nfunc f() {\n\tpanic(1)\n}\n"
    m = write_module(tmp_path / "m", {"poll.go": LEAKY, "p.go": panics})
    run = gofixleaks(site, "fix", "--write", "--unsafe-fixes", cwd=m)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "internal" not in run.stdout + run.stderr
    assert (m / "p.go").read_text() == panics  # the half repair is not kept
    assert (m / "poll.go").read_text() != LEAKY  # the built-in rules' fixes still are
