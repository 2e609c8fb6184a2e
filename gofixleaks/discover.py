"""Which files to read: Go's own `./...` skips, .gitignore inside a work tree, --exclude globs."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat
import subprocess
from dataclasses import dataclass

from .textsafe import is_printable, printable

# Go's rule for generated files: this line anywhere before the package clause.
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\r?$", re.M)
_PACKAGE = re.compile(rb"^package\s", re.M)


@dataclass(frozen=True)
class Target:
    path: str  # absolute
    display: str  # as the user sees it
    explicit: bool  # named on the command line: always read
    problem: str | None = None  # why it is not read: reported as the file's error


class DiscoveryError(Exception):
    pass


def is_generated(data: bytes) -> bool:
    pkg = _PACKAGE.search(data)
    head = data[: pkg.start()] if pkg else data
    return _GENERATED.search(head) is not None


def _skipped_dir(name: str) -> bool:
    return name in ("vendor", "testdata") or name.startswith(("_", "."))


@functools.lru_cache(maxsize=256)
def _glob(glob: str) -> re.Pattern:
    """A path glob as gitignore and shells read it: `*` and `?` stop at `/`, `**` does not."""
    out = []
    for part in re.split(r"(\*\*/?|\*|\?|\[[^]]*\])", glob):
        if part.startswith("**"):
            out.append("(?:.*/)?" if part.endswith("/") else ".*")
        elif part == "*":
            out.append("[^/]*")
        elif part == "?":
            out.append("[^/]")
        elif part.startswith("[") and part.endswith("]") and len(part) > 2:
            out.append(fnmatch.translate(part)[4:-3])  # fnmatch's own character class
        else:
            out.append(re.escape(part))
    return re.compile("".join(out) + r"\Z")


def _excluded(rel: str, excludes: tuple[str, ...]) -> bool:
    """Whether a glob matches the file or a directory above it (everything below a matched
    directory goes with it), by path from the directory given or by name at any depth."""
    parts = rel.split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)] + parts
    return any(_glob(glob.rstrip("/")).match(c) for glob in excludes for c in candidates)


# git's word for a directory it could not list (it goes on without it, exit 0)
_GIT_UNREADABLE = re.compile(r"^warning: could not open directory '(.*?)/?': (.*)$", re.M)


def _git_files(directory: str) -> tuple[list[str], list[tuple[str, str]]] | None:
    """Files git knows below ``directory`` (tracked, and untracked but not ignored) and the
    directories it could not read, with why; None outside a work tree."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=directory,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    files = {os.path.join(directory, p) for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p}
    unreadable = [(os.path.join(directory, d), why)
                  for d, why in _GIT_UNREADABLE.findall(proc.stderr.decode("utf-8", "surrogateescape"))]
    return sorted(files), unreadable


def _walk(directory: str) -> tuple[list[str], list[tuple[str, str]]]:
    out: list[str] = []
    unreadable: list[tuple[str, str]] = []

    def note(e: OSError) -> None:
        unreadable.append((e.filename, e.strerror or str(e)))

    for root, dirs, files in os.walk(directory, onerror=note):
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(d))
        out += [os.path.join(root, f) for f in sorted(files)]
    return out, unreadable


def walk_go_files(directory: str) -> list[str]:
    """Every Go file below ``directory`` that a package holds (Go's ``./...`` skips)."""
    return [p for p in _walk(directory)[0] if not _skipped(os.path.relpath(p, directory).replace(os.sep, "/"), ())]


def package_files(directory: str) -> list[Target]:
    """The Go files directly in ``directory`` (one package's), with go/build's name skips."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    paths = (os.path.join(directory, n) for n in names if n.endswith(".go") and not n.startswith(("_", ".")))
    return [Target(p, display_path(p), False) for p in paths if os.path.isfile(p)]


def display_path(path: str) -> str:
    """``path`` relative to the current directory when it lies below it, else absolute."""
    cwd = os.getcwd()
    if path.startswith(cwd + os.sep):  # the common case, without relpath's cost per file
        return path[len(cwd) + 1 :]
    directory, name = os.path.split(path)
    return os.path.join(_display_dir(directory, cwd), name)


@functools.lru_cache(maxsize=1024)
def _display_dir(directory: str, cwd: str) -> str:
    """(relpath's cost once per directory: a warm run lists the files of every package)"""
    rel = os.path.relpath(directory, cwd)
    return directory if rel.startswith("..") else "" if rel == "." else rel


def _skipped(rel: str, excludes: tuple[str, ...]) -> bool:
    """Whether a walk leaves out the file at ``rel`` (a /-separated path below the walk's root)."""
    *dirs, name = rel.split("/")
    # go/build ignores _x.go and .x.go as it does _dir/ and .dir/: they are no package's files
    if not name.endswith(".go") or name.startswith(("_", ".")):
        return True
    return any(_skipped_dir(d) for d in dirs) or _excluded(rel, excludes)


def discover(paths: tuple[str, ...], excludes: tuple[str, ...] = (), force_exclude: bool = False) -> list[Target]:
    """Go files under ``paths``; raises DiscoveryError for a path that does not exist. A file
    named in ``paths`` is always read, unless ``force_exclude`` (pre-commit names every staged
    file): then the walk's skips, ``excludes`` (by its path from the current directory) and
    the generated-file check apply to it too."""
    targets: dict[str, Target] = {}
    for given in paths or (".",):
        if not os.path.exists(given):
            raise DiscoveryError(f"{given}: no such file or directory")
        absolute = os.path.abspath(given)
        if not os.path.isdir(absolute):
            shown = display_path(absolute)
            rel = shown if not os.path.isabs(shown) else os.path.basename(shown)
            if not (force_exclude and _skipped(rel.replace(os.sep, "/"), excludes)):
                target = _target(absolute, not force_exclude)
                if target is not None:
                    targets.setdefault(absolute, target)
            continue
        files, unreadable = _git_files(absolute) or _walk(absolute)
        prefix = absolute.rstrip(os.sep) + os.sep

        def relative(f: str) -> str:
            return (f[len(prefix) :] if f.startswith(prefix) else os.path.relpath(f, absolute)).replace(os.sep, "/")

        for f in files:
            rel = relative(f)
            if _skipped(rel, excludes):
                continue
            target = _target(f, False)
            if target is not None:
                targets.setdefault(f, target)
        for d, why in unreadable:
            rel = relative(d)
            if rel != "." and (any(_skipped_dir(part) for part in rel.split("/")) or _excluded(rel, excludes)):
                continue
            targets.setdefault(d, Target(d, printable(display_path(d)), False, f"cannot read directory: {why}; its files are skipped"))
    return sorted(_without_links_to_targets(targets.values()), key=lambda t: t.display)


def _without_links_to_targets(targets) -> list[Target]:
    """A symbolic link to a file that is read anyway is left out: one file, one result
    (and one write)."""
    targets = list(targets)
    links = {t.path for t in targets if not t.explicit and os.path.islink(t.path)}
    if not links:
        return targets
    real = {os.path.realpath(t.path) for t in targets if t.path not in links}
    return [t for t in targets if t.path not in links or os.path.realpath(t.path) not in real]


def _target(path: str, explicit: bool) -> Target | None:
    """Only regular files are read (links followed): a FIFO would block the read and a
    device never end it. A name that is not UTF-8 or holds a control character (a newline,
    an escape) can be neither printed nor put in a patch: the file is skipped and shown
    with the name escaped. None: the file is gone (deleted, but still tracked by git)."""
    display = display_path(path)
    if not is_printable(display):
        return Target(path, printable(display), explicit, "its name is not UTF-8 or holds control characters; skipped")
    try:
        st = os.stat(path)
    except FileNotFoundError as e:
        # a link to nothing is the user's to mend; a deleted tracked file just is not there
        return Target(path, display, explicit, f"cannot read: {e.strerror}") if os.path.islink(path) else None
    except OSError as e:
        return Target(path, display, explicit, f"cannot read: {e.strerror or e}")
    problem = None if stat.S_ISREG(st.st_mode) else "not a regular file; skipped"
    return Target(path, display, explicit, problem)
