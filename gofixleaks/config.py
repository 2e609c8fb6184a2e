"""`.gofixleaks.toml` (found upward from the first path) merged with CLI options into one Config.

Engine-level keys sit at the top level. Rule options are declared by the rules themselves
(``Rule.options``): they are set per rule in a ``[rules.NAME]`` table, or at the top level
for every rule that has an option of that name; a command-line flag ``--NAME`` wins over both.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from typing import Mapping

from . import gomod, registry
from .model.index import Launcher
from .rule import OptionValue, Rule

CONFIG_NAME = ".gofixleaks.toml"


class ConfigError(Exception):
    """Bad configuration or options: the CLI prints it on one line and exits 2."""


# rule name -> (option name, value) for every option of every active rule
RuleOptions = tuple[tuple[str, tuple[tuple[str, OptionValue], ...]], ...]


@dataclass(frozen=True)
class Config:
    rules: tuple[str, ...]  # the active rules, in catalogue order
    excludes: tuple[str, ...] = ()
    go_version: tuple[int, int] | None = None  # override for every file
    jobs: int = 0  # 0: one per core
    source: str | None = None  # the config file read, if any
    plumb_exported: bool = False
    cache: bool = True  # read and write the per-file result cache (never part of a result)
    unsafe_fixes: bool = False  # apply `review` fixes too, not only `safe` ones
    options: RuleOptions = ()
    # functions of other modules that run a func argument on a goroutine ("path/pkg.Go",
    # "path/pkg.Type.Method"): the goroutine model treats their func arguments as goroutines
    launchers: tuple[str, ...] = ()
    # the directories given, absolute: where a tree without go.mod lies when no git work tree
    # holds it (gomod.gopath_module; a file given names no tree); the module inferred keys
    # the facts (engine._digest_key), so they are no part of key()
    roots: tuple[str, ...] = ()

    def options_for(self, rule: str) -> dict[str, OptionValue]:
        return dict(next((opts for name, opts in self.options if name == rule), ()))

    def key(self) -> str:
        """What of the config changes a file's result (part of the cache key)."""
        return repr((self.rules, self.go_version, self.plumb_exported, self.unsafe_fixes, self.options, self.launchers))


_ENGINE_KEYS = {"enable", "disable", "exclude", "extend-enable", "go-version", "launchers", "plumb-exported", "rules"}


def find_config(start: str) -> str | None:
    d = os.path.abspath(start)
    if os.path.isfile(d):
        d = os.path.dirname(d)
    while True:
        candidate = os.path.join(d, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _read(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 (byte {e.start}); TOML files are UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None


def option_names(rules: tuple[Rule, ...]) -> dict[str, list[Rule]]:
    """Every rule option name, with the rules that declare it."""
    out: dict[str, list[Rule]] = {}
    for r in rules:
        for o in r.options:
            out.setdefault(o.name, []).append(r)
    return out


def load(
    paths: tuple[str, ...] = (".",),
    select: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    go_version: str | None = None,
    *,
    jobs: int = 0,
    plumb_exported: bool = False,
    config_path: str | None = None,
    use_cache: bool = True,
    unsafe_fixes: bool = False,
    option_flags: Mapping[str, OptionValue] | None = None,
) -> Config:
    """``option_flags``: rule options given on the command line (name -> value), which win
    over the file for every rule declaring that option."""
    catalogue = registry.rules()
    known = [r.name for r in catalogue]
    by_option = option_names(catalogue)
    path = config_path or find_config(paths[0] if paths else ".")
    data = _read(path) if path else {}
    unknown = set(data) - _ENGINE_KEYS - set(by_option)
    if unknown:
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_ENGINE_KEYS | set(by_option)))})")

    def strings(key: str, what: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of {what}")
        return value

    def check_rules(given, where: str) -> None:
        for n in given:
            if n not in known:
                raise ConfigError(f"{where}: unknown rule {n!r} (see `gofixleaks rules`)")

    enable, disable = strings("enable", "rule names"), strings("disable", "rule names")
    extend = strings("extend-enable", "rule names")
    for given in (enable, disable, extend):
        check_rules(given, str(path))
    check_rules(select, "--rule")
    # no `enable`: the default rules, plus the opt-in ones `extend-enable` names
    active = [r.name for r in catalogue if (r.name in enable if enable else r.default or r.name in extend) and r.name not in disable]
    if select:
        active = [n for n in known if n in select]

    file_excludes = strings("exclude", "globs")

    version = None
    if go_version is not None or "go-version" in data:
        where = "--go-version" if go_version is not None else str(path)
        text = go_version if go_version is not None else data["go-version"]
        if not isinstance(text, str):  # 1.30 in TOML is the float 1.3: never guess
            raise ConfigError(f'{where}: go-version must be a string such as "1.22" (quoted)')
        try:
            version = gomod.parse_version(text)
        except ValueError as e:
            raise ConfigError(f"{where}: {e}") from None

    file_plumb = data.get("plumb-exported", False)
    if not isinstance(file_plumb, bool):  # bool("no") is True: never guess
        raise ConfigError(f"{path}: plumb-exported must be true or false")
    if jobs < 0:
        raise ConfigError("--jobs must be 0 (one per core) or more")
    launchers = strings("launchers", "launchers (\"import/path.Func\" or \"import/path.Type.Method\")")
    for entry in launchers:
        try:
            Launcher.parse(entry)
        except ValueError as e:
            raise ConfigError(f"{path}: {e}") from None
    options = _rule_options(catalogue, active, data, path, option_flags or {})
    return Config(
        rules=tuple(active),
        excludes=tuple(file_excludes) + tuple(excludes),
        go_version=version,
        jobs=jobs,
        source=path,
        plumb_exported=plumb_exported or file_plumb,
        cache=use_cache,
        unsafe_fixes=unsafe_fixes,
        options=options,
        launchers=tuple(launchers),
        roots=tuple(sorted({os.path.abspath(p) for p in paths if os.path.isdir(p)})),
    )


def _rule_options(catalogue, active, data: dict, path, flags: Mapping[str, OptionValue]) -> RuleOptions:
    """Each active rule's options in force: flag, else its [rules.NAME] table, else the top
    level, else the declared default."""
    tables = data.get("rules", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: rules must be a table of per-rule tables ([rules.NAME])")
    for name, table in tables.items():
        rule = next((r for r in catalogue if r.name == name), None)
        if rule is None:
            raise ConfigError(f"{path}: [rules.{name}]: unknown rule {name!r} (see `gofixleaks rules`)")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: rules.{name} must be a table")
        for key in table:
            if key not in {o.name for o in rule.options}:
                declared = ", ".join(o.name for o in rule.options) or "none"
                raise ConfigError(f"{path}: [rules.{name}]: unknown option {key!r} (its options: {declared})")
    out = []
    for rule in catalogue:  # inactive rules too: a bad value is an error whether or not it is used
        values = []
        for o in rule.options:
            try:
                if o.name in flags:
                    value = o.parse(flags[o.name], f"--{o.name}")
                elif o.name in tables.get(rule.name, {}):
                    value = o.parse(tables[rule.name][o.name], f"{path}: [rules.{rule.name}]")
                elif o.name in data:
                    value = o.parse(data[o.name], str(path))
                else:
                    value = o.default
            except ValueError as e:
                raise ConfigError(str(e)) from None
            values.append((o.name, value))
        if rule.name in active:
            out.append((rule.name, tuple(values)))
    return tuple(out)
