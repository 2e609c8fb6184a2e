"""The campaign's state for people: a table per repository and an HTML report with counts per rule."""

from __future__ import annotations

import collections
import html
from dataclasses import dataclass

from .. import __version__
from .state import FIXED, PENDING, PR_FAILED, Row
from .work import ERROR, NOTHING, PUSH_REFUSED, PUSHED, VERIFY_FAILED

LABELS = {
    FIXED: "fixed", NOTHING: "nothing to fix", VERIFY_FAILED: "verify failed", PUSH_REFUSED: "push refused",
    PR_FAILED: "PR failed", ERROR: "error", PENDING: "not finished", PUSHED: "pushed, no PR yet",
}


@dataclass(frozen=True)
class RuleCount:
    rule: str
    fixes: int  # fixes applied, over every repository
    repos: int  # repositories with at least one of them
    unfixed: int  # findings left without a fix


def per_rule(rows: list[Row]) -> list[RuleCount]:
    fixes, repos, unfixed = collections.Counter(), collections.Counter(), collections.Counter()
    for r in rows:
        for rule, n in r.fixes:
            fixes[rule] += n
            repos[rule] += 1
        for rule, n in r.unfixed:
            unfixed[rule] += n
    return [RuleCount(rule, fixes[rule], repos[rule], unfixed[rule]) for rule in sorted(set(fixes) | set(unfixed))]


def summary(rows: list[Row]) -> str:
    counts = collections.Counter(LABELS.get(r.status, r.status) for r in rows)
    return f"{len(rows)} repositories: " + ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))


def _outcome(r: Row) -> str:
    return r.pr_url or r.detail


def table(rows: list[Row]) -> str:
    """One line per repository: its status, its fixes and its pull request (or what went wrong)."""
    head = ("REPOSITORY", "STATUS", "FIXES", "PULL REQUEST / DETAIL")
    lines = [(r.repo, LABELS.get(r.status, r.status), str(sum(n for _, n in r.fixes)), _outcome(r)) for r in rows]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(3)]
    out = ["  ".join(c.ljust(w) for c, w in zip(x[:3], widths)) + "  " + x[3] for x in [head, *lines]]
    return "\n".join(line.rstrip() for line in out)


def render_html(rows: list[Row]) -> str:
    e = html.escape

    def link(r: Row) -> str:
        if r.pr_url.startswith(("https://", "http://")):
            return f'<a href="{e(r.pr_url)}">#{r.pr_number}</a>' + (f" {e(r.detail)}" if r.detail else "")
        return e(r.detail)

    rule_rows = "\n".join(f"<tr><td><code>{e(c.rule)}</code></td><td>{c.fixes}</td><td>{c.repos}</td><td>{c.unfixed}</td></tr>"
                        for c in per_rule(rows))
    repo_rows = "\n".join(
        f"<tr class=\"{e(r.status)}\"><td>{e(r.repo)}</td><td>{e(LABELS.get(r.status, r.status))}</td>"
        f"<td>{sum(n for _, n in r.fixes)}</td><td>{link(r)}</td></tr>" for r in rows)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gofixleaks campaign</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 2em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }}
tr.fixed td:nth-child(2) {{ color: #070; }}
tr.verify-failed td:nth-child(2), tr.push-refused td:nth-child(2), tr.pr-failed td:nth-child(2), tr.error td:nth-child(2) {{ color: #b00; }}
</style>
</head>
<body>
<h1>gofixleaks campaign</h1>
<p>{e(summary(rows))}</p>
<h2>Per rule</h2>
<table>
<tr><th>Rule</th><th>Fixes</th><th>Repositories</th><th>Found without a fix</th></tr>
{rule_rows}
</table>
<h2>Per repository</h2>
<table>
<tr><th>Repository</th><th>Status</th><th>Fixes</th><th>Pull request / detail</th></tr>
{repo_rows}
</table>
<p><small>gofixleaks {e(__version__)}</small></p>
</body>
</html>
"""
