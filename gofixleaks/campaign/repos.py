"""The repositories file: one repository a line, its clone URL and its forge's OWNER/NAME."""

from __future__ import annotations

from dataclasses import dataclass


class CampaignError(Exception):
    """A usage problem with the campaign as a whole (exit 2), as one line."""


@dataclass(frozen=True)
class RepoSpec:
    url: str  # what `git clone` is given
    repo: str  # OWNER/NAME (GROUP/.../NAME on GitLab) on the forge


def read(path: str) -> list[RepoSpec]:
    """``URL OWNER/NAME`` lines; blank lines and ``#`` comments are skipped."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as e:
        raise CampaignError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise CampaignError(f"{path}: not UTF-8") from None
    specs: dict[str, RepoSpec] = {}
    for n, line in enumerate(lines, 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) != 2 or "/" not in fields[1].strip("/"):
            raise CampaignError(f"{path}:{n}: expected `CLONE_URL OWNER/NAME`, got {line.strip()!r}")
        url, repo = fields[0], fields[1].strip("/")
        if repo in specs:
            raise CampaignError(f"{path}:{n}: {repo} is listed twice")
        specs[repo] = RepoSpec(url, repo)
    if not specs:
        raise CampaignError(f"{path}: no repositories listed")
    return list(specs.values())
