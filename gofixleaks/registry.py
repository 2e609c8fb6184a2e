"""The rule catalogue: rules come from providers found through the ``gofixleaks.rules``
entry-point group, the way pytest and flake8 find plugins.

An entry point names an iterable of ``Rule``s (``builtin = "gofixleaks.transforms:RULES"``
is the built-in provider, declared in pyproject.toml). A third-party package adds rules by
declaring the same group in its own metadata. A checkout that is not installed has no
entry points: the built-in rules are then imported from the ``transforms`` package beside it.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import sys
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from .rule import Rule

GROUP = "gofixleaks.rules"
BUILTIN = "builtin"


class RegistryError(Exception):
    """Two providers declare the same rule name: the CLI prints it on one line and exits 2."""


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[Rule, ...]  # sorted by name, each with its provider set
    problems: tuple[str, ...] = ()  # providers that failed to load, one line each

    def get(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rules)


def _provider_label(ep: EntryPoint) -> str:
    if ep.name == BUILTIN and ep.value.startswith("gofixleaks."):
        return "gofixleaks (built-in)"
    dist = getattr(ep, "dist", None)
    return f"{dist.name} {dist.version}" if dist is not None else ep.value


def _builtin_fallback() -> tuple[Rule, ...]:
    """The built-in rules of an uninstalled checkout: ``transforms`` beside ``gofixleaks``."""
    try:
        module = importlib.import_module("gofixleaks.transforms")
    except ImportError:
        module = importlib.import_module("transforms")
    return tuple(module.RULES)


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    found: dict[str, Rule] = {}
    problems: list[str] = []
    eps = sorted(entry_points(group=GROUP), key=lambda ep: (ep.name != BUILTIN, ep.name))
    loaded: list[tuple[str, tuple[Rule, ...]]] = []
    if not any(ep.name == BUILTIN for ep in eps):
        loaded.append(("gofixleaks (built-in)", _builtin_fallback()))
    for ep in eps:
        label = _provider_label(ep)
        try:
            rules = tuple(ep.load())
            if not all(isinstance(r, Rule) for r in rules):
                raise TypeError("it must name an iterable of gofixleaks.rule.Rule")
        except Exception as e:  # a broken plugin costs its own rules, not the run
            problems.append(f"rule provider {ep.name} ({ep.value}) not loaded: {type(e).__name__}: {e}")
            continue
        loaded.append((label, rules))
    for label, rules in loaded:
        for rule in rules:
            if rule.name in found:
                raise RegistryError(
                    f"rule {rule.name!r} of {label} is already provided by {found[rule.name].provider}"
                )
            found[rule.name] = dataclasses.replace(rule, provider=label)
    return Catalogue(tuple(sorted(found.values(), key=lambda r: r.name)), tuple(problems))


def rules() -> tuple[Rule, ...]:
    return catalogue().rules


def names() -> tuple[str, ...]:
    return catalogue().names


def warn_problems() -> None:
    for problem in catalogue().problems:
        print(f"gofixleaks: warning: {problem}", file=sys.stderr)
