"""`.gofixleaks.toml` found upward, merged with the command line; bad config is a one-line
error with exit code 2. Suppression comments (implemented in engine.py) are tested here too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gofixleaks import config, registry

from .conftest import LEAKY, write_module

ALL = registry.names()
DEFAULT = tuple(r.name for r in registry.rules() if r.default)
UG = "unbounded-goroutines"
RULE = "ticker-not-stopped"
OPT_IN = "unbounded-fan-out"


def test_defaults_without_a_file(tmp_path):
    cfg = config.load((str(tmp_path),))
    assert (cfg.rules, cfg.excludes, cfg.go_version, cfg.options_for(UG), cfg.plumb_exported, cfg.source) == (
        DEFAULT, (), None, {"max-goroutines": 10, "fire-and-forget": False}, False, None
    )


def test_an_opt_in_rule_runs_only_when_named(tmp_path):
    """unbounded-fan-out is out of the default set (4% precision on the corpus); `--rule`,
    `enable` and `extend-enable` (the defaults plus it) turn it on, `disable` wins."""
    assert OPT_IN in ALL and OPT_IN not in DEFAULT and RULE in DEFAULT
    assert config.load((str(tmp_path),), select=(OPT_IN,)).rules == (OPT_IN,)
    toml = tmp_path / ".gofixleaks.toml"
    toml.write_text(f'enable = ["{OPT_IN}", "{RULE}"]\n')
    assert set(config.load((str(tmp_path),)).rules) == {OPT_IN, RULE}
    toml.write_text(f'extend-enable = ["{OPT_IN}"]\n')
    assert set(config.load((str(tmp_path),)).rules) == set(DEFAULT) | {OPT_IN}
    toml.write_text(f'extend-enable = ["{OPT_IN}"]\ndisable = ["{OPT_IN}"]\n')
    assert config.load((str(tmp_path),)).rules == DEFAULT
    toml.write_text('extend-enable = ["no-such-rule"]\n')
    with pytest.raises(config.ConfigError, match="unknown rule 'no-such-rule'"):
        config.load((str(tmp_path),))


def test_the_file_is_found_upward_and_every_key_is_read(tmp_path):
    (tmp_path / ".gofixleaks.toml").write_text(
        f'enable = ["{RULE}", "{ALL[0]}"]\ndisable = ["{ALL[0]}"]\nexclude = ["gen/**"]\n'
        'go-version = "1.21"\nmax-goroutines = 4\nplumb-exported = true\n'
    )
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    cfg = config.load((str(deep),))
    assert cfg.source == str(tmp_path / ".gofixleaks.toml")
    assert cfg.rules == ((RULE,) if ALL[0] != RULE else ())
    assert (cfg.excludes, cfg.go_version, cfg.plumb_exported) == (("gen/**",), (1, 21), True)


def test_command_line_options_win(tmp_path):
    (tmp_path / ".gofixleaks.toml").write_text('exclude = ["x"]\ngo-version = "1.21"\nmax-goroutines = 4\ndisable = ["%s"]\n' % RULE)
    cfg = config.load((str(tmp_path),), select=(RULE, UG), excludes=("y",), go_version="1.23", option_flags={"max-goroutines": 7})
    assert (cfg.rules, cfg.excludes, cfg.go_version, cfg.options_for(UG)["max-goroutines"]) == ((RULE, UG), ("x", "y"), (1, 23), 7)


def test_an_explicit_config_file_replaces_the_search(tmp_path):
    (tmp_path / ".gofixleaks.toml").write_text("max-goroutines = 4\n")
    other = tmp_path / "other.toml"
    other.write_text("max-goroutines = 9\n")
    assert config.load((str(tmp_path),), config_path=str(other)).options_for(UG)["max-goroutines"] == 9


def test_rule_options_come_from_the_rule_table_the_top_level_and_the_flag_in_that_order(tmp_path):
    (tmp_path / ".gofixleaks.toml").write_text("max-goroutines = 4\n")
    assert config.load((str(tmp_path),)).options_for(UG) == {"max-goroutines": 4, "fire-and-forget": False}
    (tmp_path / ".gofixleaks.toml").write_text(f"max-goroutines = 4\n[rules.{UG}]\nmax-goroutines = 20\n")
    assert config.load((str(tmp_path),)).options_for(UG)["max-goroutines"] == 20
    flagged = config.load((str(tmp_path),), option_flags={"max-goroutines": 3})
    assert flagged.options_for(UG)["max-goroutines"] == 3
    assert config.load((str(tmp_path),)).key() != flagged.key()  # the cache tells them apart


def test_a_rule_option_flag_reaches_the_fix(cli, tmp_path):
    src = "package p\n\nfunc h(int) {}\n\nfunc Serve(jobs chan int) {\n\tfor j := range jobs {\n\t\tgo h(j)\n\t}\n}\n"
    m = write_module(tmp_path / "m", {"s.go": src})
    assert "make(chan struct{}, 10)" in cli("fix", "--rule", UG, cwd=m).stdout
    assert "make(chan struct{}, 3)" in cli("fix", "--rule", UG, "--max-goroutines", "3", cwd=m).stdout
    (m / ".gofixleaks.toml").write_text(f"[rules.{UG}]\nmax-goroutines = 5\n")
    assert "make(chan struct{}, 5)" in cli("fix", "--rule", UG, cwd=m).stdout


@pytest.mark.parametrize(
    "text, message",
    [
        ("enable = [\n", "invalid TOML"),
        ("colour = true\n", "unknown key 'colour'"),
        ('enable = ["no-such-rule"]\n', "unknown rule 'no-such-rule'"),
        ('disable = "ticker-not-stopped"\n', "disable must be a list of rule names"),
        ("exclude = [1]\n", "exclude must be a list of globs"),
        ('go-version = "one"\n', "not a Go version: 'one' (expected X.Y, such as 1.22)"),
        ("max-goroutines = 0\n", "max-goroutines must be at least 1"),
        ("max-goroutines = true\n", "max-goroutines must be an integer"),
        ('[rules.unbounded-goroutines]\nmax-goroutines = "ten"\n', "[rules.unbounded-goroutines]: max-goroutines must be an integer"),
        ("[rules.unbounded-goroutines]\nsize = 3\n", "[rules.unbounded-goroutines]: unknown option 'size' (its options: max-goroutines, fire-and-forget)"),
        ("[rules.no-such-rule]\nx = 1\n", "unknown rule 'no-such-rule'"),
        ("go-version = 1.30\n", 'go-version must be a string such as "1.22" (quoted)'),
        ('plumb-exported = "yes"\n', "plumb-exported must be true or false"),
    ],
)
def test_a_bad_config_is_a_one_line_error_with_exit_2(cli, tmp_path, text, message):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY})
    (m / ".gofixleaks.toml").write_text(text)
    for command in ("scan", "fix"):
        r = cli(command, cwd=m)
        assert r.code == 2
        assert r.stdout == ""
        assert len(r.stderr.splitlines()) == 1
        assert r.stderr.startswith(f"gofixleaks: error: {m / '.gofixleaks.toml'}: ")
        assert message in r.stderr


def test_a_config_that_is_not_utf8_is_a_one_line_error(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY})
    (m / ".gofixleaks.toml").write_bytes(b"# \xe9t\xe9 (latin-1)\nexclude = []\n")
    r = cli("scan", cwd=m)
    assert (r.code, r.stdout, len(r.stderr.splitlines())) == (2, "", 1)
    assert "not UTF-8 (byte 2)" in r.stderr


def test_an_unreadable_config_file_is_exit_2(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY})
    r = cli("scan", "--config", str(tmp_path / "missing.toml"), cwd=m)
    assert r.code == 2
    assert "cannot read" in r.stderr


def test_config_turns_rules_off_and_excludes_files_end_to_end(cli, tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY, "gen/poll.go": LEAKY})
    assert cli("scan", cwd=m).code == 1
    (m / ".gofixleaks.toml").write_text(f'disable = ["{RULE}"]\n')
    assert cli("scan", cwd=m).code == 0
    (m / ".gofixleaks.toml").write_text('exclude = ["gen"]\n')
    paths = [f["path"] for f in json.loads(cli("scan", "--format", "json", cwd=m).stdout)["findings"]]
    assert paths == ["poll.go"]
    (m / ".gofixleaks.toml").write_text('go-version = "1.23"\n')  # tickers are collected from 1.23 on
    assert cli("scan", cwd=m).code == 0


# suppression


def scan_lines(cli, module: Path) -> list[int]:
    return [f["line"] for f in json.loads(cli("scan", "--format", "json", cwd=module).stdout)["findings"]]


@pytest.mark.parametrize(
    "comment_line, code_suffix, suppressed",
    [
        (f"\t//gofixleaks:ignore {RULE} lives as long as the process\n", "", True),
        ("", f" //gofixleaks:ignore {RULE} lives as long as the process", True),
        (f"\t// gofixleaks:ignore other-rule,{RULE} reason\n", "", True),
        ("", " //nolint:gofixleaks", True),
        ("\t//nolint\n", "", True),
        ("", " //nolint:errcheck", False),
        ("\t//gofixleaks:ignore timer-not-stopped a different rule\n", "", False),
    ],
)
def test_suppression_comments(cli, tmp_path, comment_line, code_suffix, suppressed):
    src = LEAKY.replace("\tt := time.NewTicker(d)\n", f"{comment_line}\tt := time.NewTicker(d){code_suffix}\n")
    m = write_module(tmp_path / "m", {"poll.go": src})
    expected_line = 7 if comment_line else 6
    assert scan_lines(cli, m) == ([] if suppressed else [expected_line])


def test_a_suppression_two_lines_above_does_not_count(cli, tmp_path):
    src = LEAKY.replace("\tt := time.NewTicker(d)\n", f"\t//gofixleaks:ignore {RULE} too far\n\n\tt := time.NewTicker(d)\n")
    m = write_module(tmp_path / "m", {"poll.go": src})
    assert scan_lines(cli, m) == [8]


@pytest.mark.parametrize("directive, suppressed", [
    (" //nolint:bodyclose,noctx", True),  # the linter that reports the same unclosed body
    (" //nolint:noctx", False),
])
def test_a_nolint_for_the_linter_that_reports_the_same_thing_suppresses(cli, tmp_path, directive, suppressed):
    src = ('package m\n\nimport "net/http"\n\nfunc Get(u string) int {\n'
           f'\tresp, err := http.Get(u){directive}\n\tif err != nil {{\n\t\treturn 0\n\t}}\n\treturn resp.StatusCode\n}}\n')
    m = write_module(tmp_path / "m", {"get.go": src})
    assert scan_lines(cli, m) == ([] if suppressed else [6])


@pytest.mark.parametrize("directive, suppressed", [
    (" //nolint:govet", True),  # govet runs lostcancel, which reports the same dropped cancel
    (" //nolint:errcheck", False),
])
def test_a_nolint_for_govet_suppresses_cancel_not_called(cli, tmp_path, directive, suppressed):
    src = ('package m\n\nimport (\n\t"context"\n\t"time"\n)\n\nfunc Bounded(f func(context.Context)) {\n'
           f'\tctx, _ := context.WithTimeout(context.Background(), time.Minute){directive}\n\tf(ctx)\n}}\n')
    m = write_module(tmp_path / "m", {"bounded.go": src})
    assert scan_lines(cli, m) == ([] if suppressed else [9])
