"""`.gofixleaks.toml` (found upward from the first path) merged with CLI options into one Config."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass

from . import gomod

CONFIG_NAME = ".gofixleaks.toml"
DEFAULT_MAX_GOROUTINES = 10


class ConfigError(Exception):
    """Bad configuration or options: the CLI prints it on one line and exits 2."""


@dataclass(frozen=True)
class Config:
    rules: tuple[str, ...]  # the active rules, in catalogue order
    excludes: tuple[str, ...] = ()
    go_version: tuple[int, int] | None = None  # override for every file
    max_goroutines: int = DEFAULT_MAX_GOROUTINES
    jobs: int = 0  # 0: one per core
    source: str | None = None  # the config file read, if any
    plumb_exported: bool = False
    cache: bool = True  # read and write the per-file result cache (never part of a result)
    plumbing: object = None  # plumbing.Plan of the module phase: contexts to thread through

    def key(self) -> str:
        """What of the config changes a file's result (part of the cache key)."""
        return repr((self.rules, self.go_version, self.max_goroutines, self.plumb_exported, self.plumbing))


_KEYS = {"enable", "disable", "exclude", "go-version", "max-goroutines", "plumb-exported"}


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


def load(
    paths: tuple[str, ...] = (".",),
    select: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    go_version: str | None = None,
    max_goroutines: int | None = None,
    jobs: int = 0,
    plumb_exported: bool = False,
    config_path: str | None = None,
    use_cache: bool = True,
) -> Config:
    from .transforms import RULES

    known = [r.name for r in RULES]
    path = config_path or find_config(paths[0] if paths else ".")
    data: dict = {}
    if path:
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except OSError as e:
            raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: invalid TOML: {e}") from None
        unknown = set(data) - _KEYS
        if unknown:
            raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_KEYS))})")

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
    check_rules(enable, str(path))
    check_rules(disable, str(path))
    check_rules(select, "--rule")
    active = [n for n in known if (not enable or n in enable) and n not in disable]
    if select:
        active = [n for n in known if n in select]

    file_excludes = strings("exclude", "globs")

    version_text = go_version or data.get("go-version")
    version = None
    if version_text is not None:
        try:
            version = gomod.parse_version(str(version_text))
        except ValueError as e:
            raise ConfigError(f"{'--go-version' if go_version else path}: {e}") from None

    limit = max_goroutines if max_goroutines is not None else data.get("max-goroutines", DEFAULT_MAX_GOROUTINES)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ConfigError(f"{'--max-goroutines' if max_goroutines is not None else path}: max-goroutines must be a positive integer")
    file_plumb = data.get("plumb-exported", False)
    if not isinstance(file_plumb, bool):  # bool("no") is True: never guess
        raise ConfigError(f"{path}: plumb-exported must be true or false")
    plumb = plumb_exported or file_plumb
    if jobs < 0:
        raise ConfigError("--jobs must be 0 (one per core) or more")
    return Config(
        rules=tuple(active),
        excludes=tuple(file_excludes) + tuple(excludes),
        go_version=version,
        max_goroutines=limit,
        jobs=jobs,
        source=path,
        plumb_exported=plumb,
        cache=use_cache,
    )
