"""Trees without go.mod (GOPATH-era code): the import path GOPATH gave the tree is inferred
from its own imports (gomod.gopath_path), so that its packages lend one another their facts
as a module's do; with a go.mod nothing is inferred."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine, gomod
from gofixleaks.discover import discover

from .conftest import git, write_module

SAFE = ("package safe\n\nimport \"log\"\n\n// Go runs f on a goroutine, logging a panic.\nfunc Go(f func()) {\n"
        "\tgo func() {\n\t\tdefer func() {\n\t\t\tif r := recover(); r != nil {\n\t\t\t\tlog.Print(r)\n"
        "\t\t\t}\n\t\t}()\n\t\tf()\n\t}()\n}\n")
QUERY = """\
package query

import (
	"errors"
	"time"

	"github.com/acme/proj/safe"
)

var errTimeout = errors.New("timeout")

func Query(d time.Duration, ask func() string) (string, error) {
	ch := make(chan string)
	safe.Go(func() { ch <- ask() })
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(d):
		return "", errTimeout
	}
}
"""


@pytest.fixture(autouse=True)
def _fresh():
    """Each test's trees are new: no answer of another test's run is kept."""
    gomod.gopath_path.cache_clear()
    gomod.set_roots(())
    yield
    gomod.gopath_path.cache_clear()
    gomod.set_roots(())


def _tree(root: Path, files: dict[str, str]) -> Path:
    return write_module(root, files, go=None)


def _found(paths: tuple[str, ...], **cfg) -> list[tuple[str, str, int]]:
    config = config_mod.load(paths, select=("early-return-send",), jobs=1, **{"use_cache": False, **cfg})
    return [(f.rule, r.path, f.line) for r in engine.run(discover(paths), config) for f in r.findings]


def test_a_launcher_of_another_package_of_the_tree_starts_goroutines(tmp_path: Path):
    """traefik before go.mod: safe.Go is a launcher of github.com/containous/traefik/safe,
    which the tree holds at safe/."""
    t = _tree(tmp_path / "t", {"safe/safe.go": SAFE, "query/query.go": QUERY})
    assert gomod.gopath_path(str(t)) == "github.com/acme/proj"
    assert gomod.module_of(str(t / "query")) is None  # no root given holds it, nor a git work tree
    gomod.set_roots((str(t),))
    assert gomod.module_of(str(t / "query")) == (str(t), "github.com/acme/proj")
    assert [(rule, line) for rule, _, line in _found((str(t),))] == [("early-return-send", 13)]
    results = list(engine.run(discover((str(t),)), config_mod.load((str(t),), jobs=1, use_cache=False)))
    assert all(r.assumed_version for r in results)  # the Go version is still assumed: no go.mod


def test_the_git_work_tree_holds_the_tree_when_a_package_alone_is_scanned(tmp_path: Path):
    t = _tree(tmp_path / "t", {"safe/safe.go": SAFE, "query/query.go": QUERY})
    assert _found((str(t / "query"),)) == []  # the root given holds no safe/: nothing resolves
    git(t, "init", "-q")
    assert [line for _, _, line in _found((str(t / "query"),))] == [13]


def test_the_prefix_of_the_most_imports_resolved_wins(tmp_path: Path):
    """A third-party import whose last element names a directory of the tree (log/) resolves
    too, under its own prefix: the tree's own imports outnumber it."""
    t = _tree(tmp_path / "t", {
        "safe/safe.go": SAFE, "log/log.go": "package log\n",
        "query/query.go": QUERY.replace('"time"\n', '"time"\n\n\t"github.com/acme/proj/log"\n\t"github.com/other/kit/log"\n'),
        "query/query_test.go": "package query\n\nimport \"github.com/acme/proj/log\"\n",
    })
    assert gomod.gopath_path(str(t)) == "github.com/acme/proj"


def test_two_prefixes_resolving_as_many_imports_infer_nothing(tmp_path: Path):
    t = _tree(tmp_path / "t", {
        "safe/safe.go": SAFE, "log/log.go": "package log\n",
        "query/query.go": QUERY.replace('"time"\n', '"time"\n\n\t"github.com/other/kit/log"\n'),
    })
    assert gomod.gopath_path(str(t)) is None
    gomod.set_roots((str(t),))
    assert gomod.module_of(str(t / "query")) is None
    assert _found((str(t),)) == []  # as without inference


def test_vendor_testdata_and_test_only_directories_resolve_nothing(tmp_path: Path):
    importing = QUERY.replace("github.com/acme/proj/safe", "github.com/acme/proj/vendored")
    t = _tree(tmp_path / "t", {
        "vendor/github.com/acme/proj/vendored/v.go": "package vendored\n",
        "vendored/v_test.go": "package vendored\n",  # test files only: no package to import
        "testdata/safe/safe.go": SAFE,
        "query/query.go": importing.replace('"time"\n', '"time"\n\n\t"github.com/acme/proj/safe"\n'),
    })
    assert gomod.gopath_path(str(t)) is None


def test_nothing_resolving_behaves_as_before(tmp_path: Path):
    t = _tree(tmp_path / "t", {"query/query.go": QUERY})
    assert gomod.gopath_path(str(t)) is None
    gomod.set_roots((str(t),))
    assert gomod.module_of(str(t / "query")) is None
    assert _found((str(t),)) == []


def test_a_go_mod_is_never_second_guessed(tmp_path: Path):
    """The go.mod's module path stands even when the tree's imports say otherwise; a
    directory holding its own go.mod is another module, no part of a tree inferred."""
    t = write_module(tmp_path / "t", {"safe/safe.go": SAFE, "query/query.go": QUERY})
    gomod.set_roots((str(t),))
    assert gomod.module_of(str(t / "query")) == (str(t), "example.com/m")
    assert _found((str(t),)) == []  # github.com/acme/proj/safe is another module's
    outer = _tree(tmp_path / "outer", {"query/query.go": QUERY})
    write_module(outer / "safe", {"safe.go": SAFE})
    assert gomod.gopath_path(str(outer)) is None


def test_the_inferred_path_keys_the_cached_facts(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GOFIXLEAKS_CACHE_DIR", str(tmp_path / "cache"))
    t = _tree(tmp_path / "t", {"safe/safe.go": SAFE, "query/query.go": QUERY})
    assert [line for _, _, line in _found((str(t),), use_cache=True)] == [13]
    assert [line for _, _, line in _found((str(t),), use_cache=True)] == [13]
    # the tree moves to another import path: safe.Go is no longer the tree's
    (t / "other.go").write_text('package other\n\nimport _ "github.com/elsewhere/proj/safe"\n\n'
                                'import _ "github.com/elsewhere/proj/query"\n')
    gomod.gopath_path.cache_clear()
    assert gomod.gopath_path(str(t)) == "github.com/elsewhere/proj"
    assert _found((str(t),), use_cache=True) == []
