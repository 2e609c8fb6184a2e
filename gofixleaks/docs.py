"""`gofixleaks rules NAME`: a rule's documentation with a before/after taken from its golden
case, so the docs cannot drift from what the code does."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from .rule import Rule


def golden_root() -> Path | None:
    """golden/ beside the sources (a checkout or an editable install) or shipped in the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "golden", here.parent / "golden"):
        if candidate.is_dir():
            return candidate
    return None


def example(rule: Rule) -> tuple[str, str, str] | None:
    """(file name, before, after) of the rule's example golden case."""
    root = golden_root()
    case = root / rule.name / rule.example if root else None
    if case is None or not case.is_dir():
        return None
    golden = min(case.glob("*.go.golden"), default=None)  # a case of several files shows its first
    if golden is None:
        return None
    source = golden.with_suffix("")
    return source.name, _without_wants(source.read_text(encoding="utf-8")), _without_wants(golden.read_text(encoding="utf-8"))


_WANT = re.compile(r"[ \t]*//\s*want\s+\".*$", re.M)


def _without_wants(text: str) -> str:
    """The test expectations (`// want "..."`) are for the golden runner, not for readers."""
    return _WANT.sub("", text)


def render(rule: Rule) -> str:
    out = [f"# {rule.name}", "", rule.summary, ""]
    if rule.fixed_in_go:
        out += [f"Reported only for modules below go {rule.fixed_in_go[0]}.{rule.fixed_in_go[1]}.", ""]
    if not rule.default:
        out += ["Opt-in: not part of the default scan; run it with `--rule " + rule.name + "`, or name it in `enable` or "
                "`extend-enable` in .gofixleaks.toml.", ""]
    out.append(rule.doc.rstrip())
    if rule.options:
        out += ["", "## Options", ""]
        out += [f"- `{o.name}` (default `{o.default}`): {o.help}; `--{o.name}`, or `{o.name} = ...` under "
                f"`[rules.{rule.name}]` in .gofixleaks.toml" for o in rule.options]
    if rule.provider:
        out += ["", f"Provided by {rule.provider}."]
    ex = example(rule)
    if ex and not rule.fixes:
        name, before, _ = ex
        out += ["", f"## Example (golden/{rule.name}/{rule.example}/{name})", "", "Reported, not changed (the rule has no fix):",
                "", "```go", before.rstrip(), "```"]
    elif ex:
        name, before, after = ex
        out += ["", f"## Example (golden/{rule.name}/{rule.example}/{name})", "", "Before:", "", "```go", before.rstrip(), "```", "",
                "After:", "", "```go", after.rstrip(), "```", "", "Change:", "", "```diff"]
        out += [ln.rstrip("\n") for ln in difflib.unified_diff(before.splitlines(True), after.splitlines(True), "before", "after")]
        out.append("```")
    return "\n".join(out) + "\n"
