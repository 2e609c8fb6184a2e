"""The built-in rule provider: one module per leak kind, each defining ``RULE``.

Adding a rule means adding a module here (and its cases under golden/<rule>/). The engine
finds this package through the ``gofixleaks.rules`` entry point ``builtin`` (see
gofixleaks/registry.py); other packages provide rules the same way.
"""

from __future__ import annotations

import importlib
import pkgutil

from gofixleaks.rule import Rule


def _load() -> tuple[Rule, ...]:
    rules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule):
            rules.append(rule)
    return tuple(sorted(rules, key=lambda r: r.name))


RULES: tuple[Rule, ...] = _load()
