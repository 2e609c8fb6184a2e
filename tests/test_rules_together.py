"""All rules at once on every golden input: the rules must not fight. Overlapping fixes
meet in the engine's fixed point; the result must parse, vet clean, and be final."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover
from gofixleaks.source import parse

from . import gotools
from .test_golden import CASES, case_id, materialize

def _fix_all(path: Path):
    cfg = config_mod.load((str(path),), jobs=1, use_cache=False, unsafe_fixes=True)
    return list(engine.run(discover((str(path),)), cfg, want_fixes=True))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_all_rules_together_reach_a_valid_fixed_point(case: Path, tmp_path: Path):
    work = materialize(case, tmp_path / "m", outputs=False)
    results = _fix_all(work)
    assert [r.error for r in results if r.error and "syntax error" not in r.error] == []
    changed = [r for r in results if r.changed]
    for r in changed:
        assert not parse(r.fixed).root_node.has_error, f"{r.path}: the combined fixes do not parse"
        Path(r.abspath).write_bytes(r.fixed)
    assert [r.path for r in _fix_all(work) if r.changed] == [], "a second run changed the output again"
    if changed:
        res = gotools.run_go(["vet", "./..."], cwd=str(work))
        assert res.returncode == 0, res.stderr
