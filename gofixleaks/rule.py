"""The rule contract, after go/analysis: a Rule (Analyzer) runs over one file through a Pass
and reports Findings (Diagnostics), each with zero or more Fixes (SuggestedFixes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import tree_sitter

from .edits import Fix
from .source import SourceFile

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    name: str  # stable: JSON, SARIF, suppressions and config use it
    summary: str  # one line for `gofixleaks rules`
    doc: str  # what it finds, why it leaks, when it is not reported (markdown)
    run: Callable[["Pass"], None]
    triggers: tuple[bytes, ...]  # a file containing none of these cannot match
    severity: str = "warning"
    # Go version from which the runtime no longer leaks on this pattern (None: every version)
    fixed_in_go: tuple[int, int] | None = None
    example: str = "basic"  # golden case shown by `gofixleaks rules NAME`
    # Its fix needs a cancellation signal; where none is in scope, context plumbing may add
    # a ctx parameter to the enclosing function (and to its callers' calls).
    plumbable: bool = False
    # Not run on _test.go files (a test binary is short-lived: what it leaks dies with it)
    skips_tests: bool = False


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    path: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    fixes: tuple[Fix, ...] = ()
    notes: tuple[str, ...] = ()  # why no fix is offered, follow-ups

    @classmethod
    def at(cls, sf: SourceFile, node: tree_sitter.Node, rule: str, severity: str, message: str,
           fixes=(), notes=()) -> "Finding":
        """A finding spanning ``node`` of ``sf``."""
        line, col = sf.line_col(node.start_byte)
        end_line, end_col = sf.line_col(node.end_byte)
        return cls(rule, severity, sf.path, node.start_byte, node.end_byte, line, col, end_line, end_col,
                   message, tuple(fixes), tuple(notes))

    @property
    def fixable(self) -> bool:
        return bool(self.fixes)

    def to_dict(self) -> dict:
        d = {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "fixable": self.fixable,
        }
        if self.fixes:
            d["fix"] = self.fixes[0].message
        if self.notes:
            d["notes"] = list(self.notes)
        return d


@dataclass
class Pass:
    """What a rule sees of one file, and where it reports."""

    file: SourceFile
    rule: Rule
    options: dict = field(default_factory=dict)  # rule options from config (max-goroutines, ...)
    findings: list[Finding] = field(default_factory=list)

    def report(
        self,
        node: tree_sitter.Node,
        message: str,
        fixes: tuple[Fix, ...] | list[Fix] = (),
        notes: tuple[str, ...] | list[str] = (),
    ) -> None:
        self.findings.append(Finding.at(self.file, node, self.rule.name, self.rule.severity, message, fixes, notes))
