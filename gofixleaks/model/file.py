"""What the model sees of one file: its syntax and its package's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from ..facts import PackageFacts
from ..source import SourceFile

if TYPE_CHECKING:
    from ..rule import Pass
    from .index import PackageIndex


@dataclass(frozen=True)
class View:
    sf: SourceFile
    facts: PackageFacts | None  # None: the package is not known (the file alone)
    package: str  # the file's package clause
    # functions context plumbing would give a ctx parameter (Pass.assumed_contexts)
    assumed: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def index(self) -> "PackageIndex | None":
        return self.facts.model if self.facts is not None else None


def view(p: "Pass") -> View:
    return View(p.file, p.package, p.file.package_name, p.assumed_contexts)
