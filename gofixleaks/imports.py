"""Which imports a fix may add without creating an import cycle.

Fixes only ever add standard-library imports (context, time). A cycle can only arise when
the file being fixed is itself a dependency of that import, which happens only inside the
standard library; the dependency sets below are `go list -deps context time` (Go 1.27)."""

from __future__ import annotations

from . import gomod

_CONTEXT_DEPS = frozenset(
    """internal/goarch unsafe internal/abi internal/unsafeheader internal/cpu internal/bytealg
    internal/byteorder internal/chacha8rand internal/coverage/rtcov internal/godebugs
    internal/goexperiment internal/goos internal/profilerecord internal/runtime/atomic
    internal/runtime/syscall/linux math/bits internal/strconv internal/runtime/cgroup
    internal/runtime/exithook internal/runtime/gc internal/runtime/sys internal/runtime/gc/scan
    internal/asan internal/msan internal/race internal/runtime/math internal/runtime/maps
    internal/runtime/pprof/label internal/stringslite internal/trace/tracev2 runtime
    internal/reflectlite errors sync/atomic internal/sync internal/synctest sync
    internal/oserror cmp iter slices syscall time context""".split()
)
_DEPS = {"context": _CONTEXT_DEPS, "time": _CONTEXT_DEPS - {"context"}}


def forbidden_for(path: str) -> frozenset[str]:
    """Import paths that the package of the file at ``path`` must not import."""
    pkg = gomod.package_path(path)
    if pkg is None:
        return frozenset()
    return frozenset(imp for imp, deps in _DEPS.items() if pkg in deps)
