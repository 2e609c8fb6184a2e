"""A fuzz test of the edit engine, with a fixed seed and a small budget so that it runs in
CI on every push: standard-library files (some with fixes of their own, some with leaky
functions of the golden cases grafted in) are mutated (CRLF, a BOM, non-ASCII comments,
trailing blanks, a very long line, truncation, invalid UTF-8) and fixed. For every case:

- nothing raises, and no internal error is reported;
- a file that does not parse or is not UTF-8 is left exactly as it was;
- every round of the fixed point changes only the byte ranges of its edits: its output is
  the input spliced with the edits by an independent implementation, so every byte outside
  the edits is kept (in particular CRLF stays CRLF and a BOM stays), and inserted lines end
  like the file's lines;
- the result parses, and fixing it again changes nothing.

GOFIXLEAKS_FUZZ_CASES sets the number of cases (default 120), GOFIXLEAKS_FUZZ_SEED the seed."""

from __future__ import annotations

import functools
import os
import random
import subprocess
from pathlib import Path

import pytest

from gofixleaks import config as config_mod, edits, engine
from gofixleaks.discover import Target
from gofixleaks.source import parse

from . import gotools

SEED = int(os.environ.get("GOFIXLEAKS_FUZZ_SEED", "20261204"))
CASES = int(os.environ.get("GOFIXLEAKS_FUZZ_CASES", "120"))
GOLDEN = Path(__file__).resolve().parent.parent / "golden"

# standard-library files with fixes of their own at go 1.22 (from `gofixleaks scan --go-version
# 1.22` over a copy of GOROOT/src), and files that get a golden case's leaky function grafted in
WITH_FIXES = [
    "cmd/cgo/internal/test/setgid_linux.go",
    "database/sql/example_cli_test.go",
    "net/http/alpn_test.go",
    "net/http/httputil/example_test.go",
    "net/http/httputil/dump_test.go",
    "os/timeout_test.go",
    "net/rpc/server.go",
    "os/exec/exec.go",
]
HOSTS = ["strings/builder.go", "sort/sort.go", "bufio/scan.go", "container/list/list.go", "net/http/cookie.go"]
GRAFTS = ["ticker-not-stopped/basic", "time-after-in-loop/basic", "cancel-not-called/basic", "time-tick/basic",
          "early-return-send/basic", "response-body-not-closed/basic", "send-without-cancel/basic",
          "unbounded-goroutines/plumb-textbook", "timer-not-stopped/basic"]


@pytest.fixture(scope="module")
def goroot_src() -> Path:
    go = gotools.require_go()
    root = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True, env=gotools.go_env())
    return Path(root.stdout.strip()) / "src"


def graft_of(case: str) -> tuple[bytes, bytes]:
    """The import declarations and the other top-level declarations of a golden case's
    inputs: grafted into a host file, the imports go after the host's, the rest at the end."""
    imports, decls = [], []
    for path in sorted((GOLDEN / case).glob("*.go")):
        if path.name.endswith("_test.go"):
            continue
        data = path.read_bytes()
        for n in parse(data).root_node.named_children:
            text = data[n.start_byte:n.end_byte]
            if n.type == "import_declaration":
                imports.append(text)
            elif n.type != "package_clause":
                decls.append(text)
    return b"\n".join(imports), b"\n\n".join(decls)


def grafted(host: bytes, graft: tuple[bytes, bytes]) -> bytes:
    imports, decls = graft
    top = parse(host).root_node.named_children
    after = max(n.end_byte for n in top if n.type in ("package_clause", "import_declaration"))
    return host[:after] + b"\n\n" + imports + host[after:] + b"\n" + decls + b"\n"


# ---------------------------------------------------------------- mutations


def crlf(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def bom(data: bytes, rng: random.Random) -> bytes:
    return b"\xef\xbb\xbf" + data


def _line_starts(data: bytes) -> list[int]:
    return [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]


def non_ascii_comment(data: bytes, rng: random.Random) -> bytes:
    # before a top-level declaration: a comment line there never changes what the code means
    decls = [n.start_byte for n in parse(data).root_node.named_children if n.type != "package_clause"]
    at = rng.choice(decls) if decls else len(data)
    return data[:at] + "// 注释：计时器 — ünïcødé 😀\n".encode() + data[at:]


def trailing_blanks(data: bytes, rng: random.Random) -> bytes:
    # blanks at the end of comment lines only: elsewhere gofmt would have removed them
    lines = data.split(b"\n")
    return b"\n".join(ln + b"  \t " if ln.lstrip().startswith(b"//") else ln for ln in lines)


def long_line(data: bytes, rng: random.Random) -> bytes:
    decls = [n.start_byte for n in parse(data).root_node.named_children if n.type != "package_clause"]
    at = rng.choice(decls) if decls else len(data)
    return data[:at] + b"// " + b"x" * 20_000 + b"\n" + data[at:]


def truncated(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) // 4, len(data) - 1)]


def invalid_utf8(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + b"\xff\xfe" + data[at:]


KEEPING = [crlf, bom, non_ascii_comment, trailing_blanks, long_line]  # the file still parses
BREAKING = [truncated, invalid_utf8]  # it (almost always) does not


# ---------------------------------------------------------------- checks


def splice(data: bytes, round_edits: list[edits.TextEdit]) -> bytes:
    """Apply edits by hand, independently of edits.apply: sorted, non-overlapping, in bounds."""
    out, pos = [], 0
    for e in sorted(round_edits, key=lambda e: (e.start, e.end)):
        assert pos <= e.start <= e.end <= len(data), f"edit {e.start}-{e.end} out of order or bounds"
        out += [data[pos:e.start], e.new]
        pos = e.end
    return b"".join(out) + data[pos:]


def check_round(data: bytes, round_edits: list[edits.TextEdit], out: bytes) -> None:
    assert out == splice(data, round_edits), "bytes outside the edits changed"
    crlf_file = b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    for e in round_edits:
        new_lines = e.new.count(b"\n")
        if crlf_file:
            assert e.new.count(b"\r\n") == new_lines, f"an LF line inserted into a CRLF file: {e.new!r}"
            assert b"\r\r" not in e.new, f"a CR doubled (a token copied with its CR): {e.new!r}"
        elif b"\r\n" not in data:
            assert b"\r" not in e.new, f"a CR inserted into an LF file: {e.new!r}"
    if crlf_file:
        assert out.count(b"\n") == out.count(b"\r\n"), "a line of the CRLF file lost its CR (an edit ended inside a line ending)"
    if data.startswith(b"\xef\xbb\xbf"):
        assert out.startswith(b"\xef\xbb\xbf"), "the BOM was lost"


@functools.cache
def facts_of(directory: str) -> engine.PackageFacts:
    return engine.package_facts(directory, None)


def fix_once(cfg, path: str, data: bytes, rounds: list) -> engine.FileResult:
    # a package's facts once per directory, as a run computes them (not once per file)
    package = facts_of(os.path.dirname(path))
    return engine.process(Target(path, path, True), cfg, True, data=data, plan=None, package=package)


def test_the_edit_engine_on_mutated_std_files(goroot_src: Path, monkeypatch):
    rng = random.Random(SEED)
    cfg = config_mod.load((str(goroot_src),), go_version="1.22", jobs=1, use_cache=False, unsafe_fixes=True)
    sources = [(p, (goroot_src / p).read_bytes()) for p in WITH_FIXES if (goroot_src / p).exists()]
    sources += [(h, grafted((goroot_src / h).read_bytes(), graft_of(case)))
                for h in HOSTS if (goroot_src / h).exists() for case in GRAFTS]
    assert len(sources) >= 40, "the corpus went missing"
    rounds: list[tuple[bytes, list, bytes]] = []
    real_apply = edits.apply

    def recording_apply(data, round_edits):
        out = real_apply(data, round_edits)
        rounds.append((data, list(round_edits), out))
        return out

    monkeypatch.setattr(edits, "apply", recording_apply)
    changed = unparsable = 0
    for n in range(CASES):
        rel, original = rng.choice(sources)
        mutations = rng.sample(KEEPING, rng.randint(1, 3)) + ([rng.choice(BREAKING)] if rng.random() < 0.2 else [])
        for mutate in mutations:
            original = mutate(original, rng)
        rounds.clear()
        res = fix_once(cfg, str(goroot_src / rel), original, rounds)
        case = f"case {n}: {rel}, {'+'.join(m.__name__ for m in mutations)} (seed {SEED})"
        assert res.error is None or not res.error.startswith(("internal", "internal error")), f"{case}: {res.error}"
        try:
            original.decode("utf-8")
            clean = not parse(original).root_node.has_error
        except UnicodeDecodeError:
            clean = False
        if not clean:
            unparsable += 1
            assert not res.changed and not rounds, f"{case}: a file that does not parse was edited"
            continue
        for data, round_edits, out in rounds:
            check_round(data, round_edits, out)
        if not res.changed:
            continue
        changed += 1
        assert not parse(res.fixed).root_node.has_error, f"{case}: the fixed file does not parse"
        rounds.clear()
        again = fix_once(cfg, str(goroot_src / rel), res.fixed, rounds)
        assert not again.changed, f"{case}: a second run changed the file again"
    # the budget must exercise both sides
    assert changed >= CASES // 2 and unparsable >= CASES // 10, (changed, unparsable)
