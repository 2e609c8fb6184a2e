"""A set of accepted fixes and how it is described: the commit message shared by `review`
and `pr` (subject, one line per fix, Generated-by trailer)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from . import __version__
from .textsafe import printable


@dataclass(frozen=True)
class ChangeItem:
    rule: str
    path: str  # repository-relative, forward slashes
    line: int
    reason: str  # why it leaked (the finding's message)


def packages(items: list[ChangeItem]) -> list[str]:
    """The Go package directories touched, for the subject line ("the root package" for the
    repository's top directory: a bare "." reads as a typo in a subject)."""
    return sorted({posixpath.dirname(i.path) or "the root package" for i in items})


def subject(items: list[ChangeItem], rule: str | None = None) -> str:
    """``rule``: the one rule a commit is limited to (`review --commit-per-rule`)."""
    pkgs = packages(items)
    where = ", ".join(pkgs) if len(pkgs) <= 3 else f"{len(pkgs)} packages"
    return printable(f"fix: stop goroutine leaks in {where} (gofixleaks{': ' + rule if rule else ''})")


def commit_message(items: list[ChangeItem], rule: str | None = None) -> str:
    """The subject, one line per fix (its reason quotes the code: escaped) and the trailer."""
    body = [printable(f"- {i.rule}: {i.path}:{i.line}: {i.reason}")
            for i in sorted(items, key=lambda i: (i.path, i.line, i.rule))]
    return "\n".join([subject(items, rule), "", *body, "", f"Generated-by: gofixleaks {__version__}"]) + "\n"
