"""The rule contract, after go/analysis: a Rule (Analyzer) runs over one file through a Pass
and reports Findings (Diagnostics), each with zero or more Fixes (SuggestedFixes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Union

import tree_sitter

from .edits import Fix, realigned_comment
from .facts import PackageFacts
from .source import SourceFile

SEVERITIES = ("error", "warning", "info")


OptionValue = Union[bool, int, float, str]


@dataclass(frozen=True)
class Option:
    """A typed option a rule owns. Its name is the config key (``[rules.NAME] name = value``,
    or top level for every rule that has it) and the command-line flag ``--name``; the
    flag's help and `gofixleaks rules NAME` are generated from this declaration."""

    name: str  # kebab-case
    default: OptionValue
    help: str
    minimum: int | None = None  # for numbers: the smallest value allowed

    @property
    def type(self) -> type:
        return type(self.default)

    def parse(self, value: object, where: str) -> OptionValue:
        """``value`` (from TOML or the command line) checked against the declaration;
        raises ValueError with a one-line message naming ``where``."""
        want = self.type
        ok = isinstance(value, want) and not (want is not bool and isinstance(value, bool))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ValueError(f"{where}: {self.name} must be {_TYPE_WORDS[want]}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{where}: {self.name} must be at least {self.minimum}")
        return value


_TYPE_WORDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


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
    # False for a report-only rule: it never offers a fix, and its example shows where it reports
    fixes: bool = True
    # Its fix needs a cancellation signal; where none is in scope, context plumbing may add
    # a ctx parameter to the enclosing function (and to its callers' calls).
    plumbable: bool = False
    # With plumbable: a finding plumbing was refused for (every caller would pass
    # context.TODO(), the function is exported, main, a test) is still reported, without a fix.
    # False for a rule whose finding rests on a signal in scope: without one it reports only
    # what plumbing fixes.
    reports_unplumbed: bool = True
    # With plumbable: a caller with an `*http.Request` may pass `r.Context()` for the new ctx.
    # A request's context ends when its handler returns, which stops a goroutine only that
    # handler is partner to (a send to it); a loop or worker started from a handler may be
    # meant to outlive the request, so such rules keep passing the caller's own ctx only.
    request_context: bool = False
    # With plumbable: a caller in a test (Go 1.24; no test file of its package registers a
    # Cleanup, which runs after that context ends) may pass `t.Context()`: for rules whose
    # goroutine never ends on its own (a loop), the test's end is when it should. A one-shot
    # send in a test blocks only once its receiver left, mostly after a failed assertion.
    test_context: bool = False
    # With plumbable: its fix ends a one-shot exchange when the new ctx ends (a send whose
    # receiver is the caller), so that ctx must mean "the partner is gone": a caller passes
    # its ctx only when it stops waiting for the call's channel as that ctx ends (it drops
    # the channel, or receives from it only in a select beside `<-ctx.Done()`); one that
    # still waits after (`<-exited` once it cancelled) would hang, and passes context.TODO().
    exchange: bool = False
    # Not run on _test.go files (a test binary is short-lived: what it leaks dies with it)
    skips_tests: bool = False
    options: tuple[Option, ...] = ()
    # Asks about the rest of the package (Pass.package): the engine computes the package's
    # facts for its files, and a file's cached result depends on them
    needs_package: bool = False
    # In the default scan; an opt-in rule (False) runs only when named (`--rule`, `enable`,
    # `extend-enable`), as ruff keeps its noisier rules out of the default set
    default: bool = True
    # golangci-lint linters that report the same thing: their `//nolint:<linter>` on a line
    # (a team's own decision about it, often made before this tool ran) suppresses this rule too
    linters: tuple[str, ...] = ()
    provider: str = ""  # where the rule comes from; set by the registry

    def option(self, name: str) -> Option:
        return next(o for o in self.options if o.name == name)


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
    evidence: str = ""  # what run-time evidence confirms it (`fix --evidence`), one line

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
            d["applicability"] = self.fixes[0].applicability
        if self.notes:
            d["notes"] = list(self.notes)
        if self.evidence:
            d["evidence"] = self.evidence
        return d


@dataclass
class Pass:
    """What a rule sees of one file, and where it reports."""

    file: SourceFile
    rule: Rule
    go_version: tuple[int, int]  # the Go semantics in force for the file (see gomod.resolve)
    options: Mapping[str, OptionValue] = field(default_factory=dict)  # every option of the rule
    # Context plumbing asks "what would you fix if these functions had a ctx parameter?":
    # (function name, receiver type) -> the name that parameter would have
    assumed_contexts: Mapping[tuple[str, str], str] = field(default_factory=dict)
    package: PackageFacts | None = None  # for rules that need_package; None when unknown
    findings: list[Finding] = field(default_factory=list)

    def option(self, name: str) -> OptionValue:
        """The value in force of one of the rule's own options."""
        return self.options[name] if name in self.options else self.rule.option(name).default

    def report(
        self,
        node: tree_sitter.Node,
        message: str,
        fixes: tuple[Fix, ...] | list[Fix] = (),
        notes: tuple[str, ...] | list[str] = (),
    ) -> None:
        # `fix` would never apply such a fix, silently, while `scan` called it fixable
        kept = [f for f in fixes if not f.self_overlapping]
        if len(kept) < len(fixes):
            notes = (*notes, "the fix built here has edits that overlap one another, so it cannot be applied "
                             "(a gofixleaks bug, worth reporting): make the change by hand")
        # a fix that would make gofmt move its neighbours' comments is not gofmt's layout
        realigned = [(f, realigned_comment(self.file, f)) for f in kept]
        if any(line is not None for _, line in realigned):
            kept = [f for f, line in realigned if line is None]
            line = next(line for _, line in realigned if line is not None)
            notes = (*notes, f"the fix would move the trailing comments gofmt aligns around line {line}: make the "
                             "change by hand")
        self.findings.append(Finding.at(self.file, node, self.rule.name, self.rule.severity, message, kept, notes))
