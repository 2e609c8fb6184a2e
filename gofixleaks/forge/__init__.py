"""Pull-request providers, and which one a remote URL points at."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .base import Forge, ForgeError, PullRequest
from .github import GitHub
from .gitlab import GitLab

PROVIDERS: dict[str, type[Forge]] = {"github": GitHub, "gitlab": GitLab}

__all__ = ["Forge", "ForgeError", "PullRequest", "PROVIDERS", "Remote", "SetupError", "parse_remote", "resolve"]


class SetupError(Exception):
    """Provider, repository, API URL or token cannot be determined: a usage error."""


@dataclass(frozen=True)
class Remote:
    host: str  # with the port for http(s) remotes, without it for ssh ones (the API is https)
    path: str  # OWNER/NAME, or GROUP/SUBGROUP/NAME on GitLab
    scheme: str  # "https", "http" or "ssh"


# git@host:owner/name.git (scp-like syntax: no scheme, a colon before the path)
_SCP = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


def parse_remote(url: str) -> Remote | None:
    """Host and repository path of an https, ssh:// or scp-like remote URL; None for a local path."""
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http", "ssh", "git+ssh", "ssh+git", "git") or not parts.hostname:
            return None
        web = parts.scheme in ("https", "http")
        host = parts.hostname + (f":{parts.port}" if web and parts.port else "")
        return _remote(host, parts.path, parts.scheme if web else "ssh")
    m = _SCP.match(url)
    if m and not os.path.isabs(url):
        return _remote(m["host"], m["path"], "ssh")
    return None


def _remote(host: str, path: str, scheme: str) -> Remote | None:
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[:-4]
    if path.count("/") < 1:
        return None
    return Remote(host.lower(), path, scheme)


def default_api_url(provider: str, remote: Remote) -> str:
    scheme = "http" if remote.scheme == "http" else "https"
    if provider == "github":
        return "https://api.github.com" if remote.host == "github.com" else f"{scheme}://{remote.host}/api/v3"
    return f"{scheme}://{remote.host}/api/v4"


def _check_transport(api_url: str, insecure: bool) -> None:
    parts = urlsplit(api_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SetupError(f"--api-url {api_url!r}: not an http(s) URL")
    if parts.scheme == "http" and not insecure and not _loopback(parts.hostname):
        raise SetupError(f"the API at {parts.scheme}://{parts.netloc} is plain http and would send the token in "
                         "clear text; use https, or --insecure on a network you trust")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve(remote_url: str, provider: str | None, repo: str | None, api_url: str | None,
            env: dict[str, str], need_token: bool, insecure: bool = False) -> Forge:
    """The forge to talk to: what was given, the rest inferred from the remote URL.
    Raises SetupError naming what is missing, or for an API reached over plain http (the
    token would travel in clear text) unless it is on this machine or ``insecure``."""
    remote = parse_remote(remote_url)
    if provider is None:
        host = remote.host if remote else ""
        provider = "github" if "github" in host else "gitlab" if "gitlab" in host else None
        if provider is None:
            raise SetupError("cannot tell the forge from the remote URL; pass --provider github|gitlab")
    repo = (repo or (remote.path if remote else "")).strip("/")
    if "/" not in repo:
        raise SetupError("cannot tell the repository from the remote URL; pass --repo OWNER/NAME")
    if provider == "github" and repo.count("/") != 1:
        raise SetupError(f"--repo {repo!r}: a GitHub repository is OWNER/NAME")
    if api_url is None:
        if remote is None:
            raise SetupError("cannot tell the API URL from the remote URL; pass --api-url")
        api_url = default_api_url(provider, remote)
    _check_transport(api_url, insecure)
    cls = PROVIDERS[provider]
    token = next((env[v] for v in cls.token_vars if env.get(v)), "")
    if need_token and not token:
        raise SetupError(f"no {provider} token: set {' or '.join(cls.token_vars)}")
    return cls(api_url, repo, token)
