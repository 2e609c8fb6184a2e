"""The `go` directive of the nearest go.mod: rules use it to know which runtime semantics apply."""

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
    """(root directory, module path) of the module holding ``directory``."""
    go_mod = find_go_mod(os.path.abspath(directory))
    module = _module_path(go_mod) if go_mod is not None else None
    return (os.path.dirname(go_mod), module) if module is not None else None


def in_module(module: str, import_path: str) -> str | None:
    """The directory of package ``import_path`` relative to the root of ``module`` ("." for
    the root) when the module holds it (``std`` holds every path without a dot in its first
    element), else None."""
    if module == "std":
        return import_path if "." not in import_path.split("/")[0] else None
    if import_path == module:
        return "."
    return import_path[len(module) + 1 :] if import_path.startswith(module + "/") else None
