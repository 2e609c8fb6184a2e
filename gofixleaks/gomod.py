"""The nearest go.mod: its `go` directive tells rules which runtime semantics apply, its module
path which packages are the module's (their facts lend one another); without a go.mod, the
import path GOPATH gave the tree is inferred from the tree's own imports."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

_GO_DIRECTIVE = re.compile(rb"^\s*go\s+(\d+)\.(\d+)", re.M)


def parse_version(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(?:go)?(\d+)\.(\d+)(?:\.\d+)?", text.strip())
    if not m:
        raise ValueError(f"not a Go version: {text!r} (expected X.Y, such as 1.22)")
    return int(m.group(1)), int(m.group(2))


@functools.lru_cache(maxsize=4096)
def find_go_mod(directory: str) -> str | None:
    """Path of the nearest go.mod at or above ``directory``."""
    candidate = os.path.join(directory, "go.mod")
    if os.path.isfile(candidate):
        return candidate
    parent = os.path.dirname(directory)
    return None if parent == directory else find_go_mod(parent)


@functools.lru_cache(maxsize=1024)
def _directive(go_mod: str) -> tuple[int, int] | None:
    try:
        with open(go_mod, "rb") as f:
            m = _GO_DIRECTIVE.search(f.read())
    except OSError:
        return None
    return (int(m.group(1)), int(m.group(2))) if m else None


# No go.mod at all: old timer semantics (timers leak unless stopped) and new loop variables.
ASSUMED = (1, 22)
# A go.mod without a `go` directive: the go command assumes Go 1.16.
NO_DIRECTIVE = (1, 16)


@dataclass(frozen=True)
class GoVersion:
    """The Go semantics in force for a file: one meaning everywhere."""

    version: tuple[int, int]
    assumed: bool  # no go.mod above the file and no override: ASSUMED, said on stderr


def resolve(path: str, override: tuple[int, int] | None) -> GoVersion:
    """``override`` (--go-version, config), else the nearest go.mod's `go` directive (Go's
    own 1.16 when it has none), else ASSUMED."""
    if override is not None:
        return GoVersion(override, False)
    go_mod = find_go_mod(os.path.dirname(os.path.abspath(path)))
    if go_mod is None:
        return GoVersion(ASSUMED, True)
    return GoVersion(_directive(go_mod) or NO_DIRECTIVE, False)


_MODULE = re.compile(rb"^\s*module\s+\"?([^\s\"]+)", re.M)


@functools.lru_cache(maxsize=1024)
def _module_path(go_mod: str) -> str | None:
    try:
        with open(go_mod, "rb") as f:
            m = _MODULE.search(f.read())
    except OSError:
        return None
    return m.group(1).decode("utf-8", "replace") if m else None


def package_path(path: str) -> str | None:
    """The import path of the package holding the file at ``path`` (``std`` module files
    map to their standard-library path, as `go list` prints it)."""
    go_mod = find_go_mod(os.path.dirname(os.path.abspath(path)))
    if go_mod is None:
        return None
    module = _module_path(go_mod)
    if module is None:
        return None
    rel = os.path.relpath(os.path.dirname(os.path.abspath(path)), os.path.dirname(go_mod)).replace(os.sep, "/")
    if module in ("std", "cmd"):
        return rel if module == "std" else f"cmd/{rel}" if rel != "." else "cmd"
    return module if rel == "." else f"{module}/{rel}"


def module_of(directory: str) -> tuple[str, str] | None:
    """(root directory, module path) of the module holding ``directory``: its go.mod's, else
    the tree's that GOPATH held (gopath_module)."""
    go_mod = find_go_mod(os.path.abspath(directory))
    if go_mod is None:
        return gopath_module(directory)
    module = _module_path(go_mod)
    return (os.path.dirname(go_mod), module) if module is not None else None


_IMPORT_BLOCK = re.compile(rb"^import\s*\((.*?)^\)", re.M | re.S)
_IMPORT_LINE = re.compile(rb'^import\s+((?:[\w.]+\s+)?"[^"]+")', re.M)
_SPEC = re.compile(rb'(?:([\w.]+)\s+)?"([^"]+)"')


def import_specs(data: bytes) -> set[tuple[bytes, bytes]]:
    """The (alias, import path) of a Go file's import declarations, read from its bytes."""
    specs = _at_line_starts(_IMPORT_LINE, data) + _at_line_starts(_IMPORT_BLOCK, data)
    return {m for spec in specs for m in _SPEC.findall(spec)}


def _at_line_starts(pattern: re.Pattern, data: bytes) -> list[bytes]:
    """``pattern.findall(data)`` for a pattern of one group that starts ``^import`` (re.M),
    tried only where a line starts so: a search for ``^`` tries every byte, and cost more
    than reading the module's files."""
    starts = [0] if data.startswith(b"import") else []
    i = data.find(b"\nimport")
    while i >= 0:
        starts.append(i + 1)
        i = data.find(b"\nimport", i + 1)
    out, end = [], 0
    for start in starts:
        m = pattern.match(data, start) if start >= end else None
        if m is not None:
            out.append(m.group(1))
            end = m.end()
    return out


# The directories a run was given (Config.roots): where a tree without a go.mod lies when no
# git work tree holds it (gopath_module). Set by the engine for the run and its workers.
_ROOTS: tuple[str, ...] = ()


def set_roots(roots: tuple[str, ...]) -> None:
    global _ROOTS
    _ROOTS = tuple(roots)


def gopath_module(directory: str) -> tuple[str, str] | None:
    """(tree root, import path) of the GOPATH-era tree holding ``directory`` (no go.mod above
    it): the git work tree's top level, else the longest root the run was given that holds
    it, whichever first has an import path (gopath_path)."""
    directory = os.path.abspath(directory)
    candidates = [r for r in sorted(_ROOTS, key=len, reverse=True)
                  if directory == r or directory.startswith(r.rstrip(os.sep) + os.sep)]
    top = _git_top(directory)
    for root in ([top] if top is not None else []) + candidates:
        path = gopath_path(root)
        if path is not None:
            return root, path
    return None


def _git_top(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` holding ``.git`` (a work tree's top)."""
    while not os.path.exists(os.path.join(directory, ".git")):
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
    return directory


@functools.lru_cache(maxsize=64)
def gopath_path(root: str) -> str | None:
    """The import path GOPATH gave the tree at ``root`` (``$GOPATH/src/P``): the prefix P
    such that the tree's files import ``P/sub`` where ``sub`` is a directory below ``root``
    holding non-test Go files; the P of the most import paths so resolved, None when none
    is or two tie (which tree it is cannot be told). Directories of another module (a go.mod
    at or below them), vendor/, testdata/ and those Go ignores are not the tree's."""
    from .discover import walk_go_files  # discover's walk is Go's `./...`; it imports nothing of ours

    files = [p for p in walk_go_files(root) if find_go_mod(os.path.dirname(p)) is None]
    dirs = {os.path.relpath(os.path.dirname(p), root).replace(os.sep, "/") for p in files if not p.endswith("_test.go")}
    imported: set[str] = set()
    for p in files:
        try:
            with open(p, "rb") as f:
                imported |= {path.decode("utf-8", "replace") for _, path in import_specs(f.read())}
        except OSError:
            continue
    votes: dict[str, int] = {}
    for imp in imported:
        parts = imp.split("/")
        for prefix in {"/".join(parts[:i]) for i in range(1, len(parts)) if "/".join(parts[i:]) in dirs}:
            votes[prefix] = votes.get(prefix, 0) + 1
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if not ranked or len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def in_module(module: str, import_path: str) -> str | None:
    """The directory of package ``import_path`` relative to the root of ``module`` ("." for
    the root) when the module holds it (``std`` holds every path without a dot in its first
    element), else None."""
    if module == "std":
        return import_path if "." not in import_path.split("/")[0] else None
    if import_path == module:
        return "."
    return import_path[len(module) + 1 :] if import_path.startswith(module + "/") else None
