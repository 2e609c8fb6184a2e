"""The README and `gofixleaks rules` cannot drift from the code: every registered rule has a
row in the catalogue table and every row is a registered rule, every option and config key
is documented, CI runs the README's own test command, and `rules NAME` shows each rule's
doc with its golden before/after, from a checkout and from a normal (non-editable) install."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gofixleaks import cli as cli_mod, config, docs, registry

from .conftest import ROOT

RULES = registry.rules()

README = (ROOT / "README.md").read_text(encoding="utf-8")
TABLE_HEADER = "| Rule | Finds | Fix | Reported for | Sample precision (std) |"


def section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert m, f"README has no '## {title}' section"
    return m.group(1)


def catalogue_rows() -> list[list[str]]:
    text = section("Rules")
    assert TABLE_HEADER in text
    lines = text[text.index(TABLE_HEADER) :].splitlines()[2:]  # skip the header and |---|
    rows = []
    for ln in lines:
        if not ln.startswith("|"):
            break
        rows.append([c.strip() for c in ln.strip().strip("|").split("|")])
    return rows


def test_every_registered_rule_has_a_row_and_every_row_is_a_rule():
    rows = catalogue_rows()
    names = [r[0].strip("`") for r in rows]
    assert sorted(names) == sorted(r.name for r in RULES)
    assert len(names) == len(set(names))
    assert all(len(r) == 5 and all(r) for r in rows), "every row fills all five columns"


def test_reported_for_matches_each_rules_version_gate():
    by_name = {r.name: r for r in RULES}
    for row in catalogue_rows():
        rule = by_name[row[0].strip("`")]
        if rule.fixed_in_go:
            assert row[3] == f"go < {rule.fixed_in_go[0]}.{rule.fixed_in_go[1]}", row
        else:
            assert row[3] == "every Go version", row


def quick_start_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", section("Quick start"), re.S).group(1)
    return [ln for ln in block.splitlines() if ln.strip()]


def test_quick_start_is_exactly_two_commands_and_ci_runs_the_second():
    install_and_run, install_and_test = quick_start_commands()
    assert install_and_run == "pip install -e . && gofixleaks fix --diff examples/leaky-service"
    assert install_and_test == "pip install -e '.[test]' && python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    assert install_and_test in ci.splitlines(), ".ci/run must run the README's test command verbatim"
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


@pytest.mark.parametrize("command", ["scan", "fix"])
def test_every_option_is_documented(command):
    params = cli_mod.main.commands[command].params
    for p in params:
        for opt in p.opts:
            if opt.startswith("--"):
                assert f"`{opt}" in README, f"{command} {opt} is not in the README"


@pytest.mark.parametrize("command", sorted(cli_mod.main.commands))
def test_every_option_is_documented_under_its_command(command):
    commands = section("Commands")
    common = commands[: commands.index("\n### ")]  # the options every command that reads Go takes
    own = re.search(rf"^### {command}\n(.*?)(?=^### |\Z)", commands, re.M | re.S)
    assert own, f"README has no '### {command}' section"
    for p in cli_mod.main.commands[command].params:
        for opt in p.opts:
            if opt.startswith("--"):
                assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", common + own.group(1)), f"{command} {opt}"


def test_every_config_key_is_documented():
    toml = re.search(r"```toml\n(.*?)```", section("Configuration"), re.S).group(1)
    keys = {ln.split("=")[0].strip() for ln in toml.splitlines() if "=" in ln}
    tables = set(re.findall(r"^\[(\w+)\.", toml, re.M))
    option_keys = set(config.option_names(registry.rules()))
    assert keys | tables == (config._ENGINE_KEYS | option_keys)


def test_readme_sections():
    for title in ("Quick start", "Commands", "Rules", "Configuration", "Suppression", "Exit codes", "JSON output"):
        section(title)
    for heading in ("### scan", "### fix", "### review", "### pr", "### rules"):
        assert f"\n{heading}\n" in README


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rules_name_prints_the_doc_and_the_golden_before_after(cli, rule):
    out = cli("rules", rule.name).stdout
    assert rule.doc.strip() in out
    name, before, after = docs.example(rule)
    if not rule.fixes:  # a report-only rule: its example is reported and left as it is
        assert before == after and "Reported, not changed" in out, "a report-only rule's example must not change"
    else:
        assert before != after, "the example case must be one that changes"
    assert f"golden/{rule.name}/{rule.example}/{name}" in out
    assert before.rstrip() in out and after.rstrip() in out


def test_rules_from_a_normal_install_show_the_golden_example(tmp_path):
    """`pip install .` (not editable) must ship gofixleaks.transforms and golden/."""
    # build from a copy: an in-tree build would write build/ into the shared checkout
    src = tmp_path / "src"
    src.mkdir()
    for part in ("pyproject.toml", "README.md", "gofixleaks", "transforms", "golden"):
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy
        copy(ROOT / part, src / part, **({"ignore": shutil.ignore_patterns("__pycache__")} if (ROOT / part).is_dir() else {}))
    target = tmp_path / "site"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert pip.returncode == 0, pip.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "gofixleaks", *args], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    where = subprocess.run(
        [sys.executable, "-c", "import gofixleaks.transforms as t, gofixleaks.docs as d; print(t.__file__); print(d.golden_root())"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    ).stdout.split()
    assert all(Path(w).is_relative_to(target) for w in where), where
    listing = run("rules")
    assert listing.returncode == 0
    assert [ln.split()[0] for ln in listing.stdout.splitlines()] == [r.name for r in RULES] + ["proven-leak"]
    one = run("rules", "ticker-not-stopped")
    assert one.returncode == 0
    assert "Before:" in one.stdout and "+\tdefer t.Stop()" in one.stdout


def test_rule_examples_leave_out_the_golden_runners_want_comments():
    for rule in RULES:
        shown = docs.render(rule)
        assert "// want" not in shown, rule.name
        assert "## Example" in shown, rule.name
