"""The parallel run submits the biggest packages first and still yields in package order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover

LEAKY = "package {pkg}\n\nimport \"time\"\n\nfunc Poll{i}(d time.Duration) {{\n\tt := time.NewTicker(d)\n\t<-t.C\n}}\n"


def test_biggest_first_results_in_order(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GOFIXLEAKS_CACHE_DIR", str(tmp_path / "cache"))
    m = tmp_path / "m"
    (m / "a").mkdir(parents=True)
    (m / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    sizes = {"a": 2, "b": 5, "c": 60, "d": 10}  # files per package: the third is the biggest
    for pkg, n in sizes.items():
        (m / pkg).mkdir(exist_ok=True)
        for i in range(n):
            (m / pkg / f"f{i}.go").write_text(LEAKY.format(pkg=pkg, i=i))
    paths = (str(m),)

    submitted: list[str] = []

    class Recording(ThreadPoolExecutor):  # same interface, no pickling; records the order
        def submit(self, fn, args, /):
            submitted.append(Path(args[0].directory).name)
            return super().submit(fn, args)

    monkeypatch.setattr(engine, "ProcessPoolExecutor", Recording)
    parallel = list(engine.run(discover(paths), config_mod.load(paths, jobs=2, use_cache=False)))
    serial = list(engine.run(discover(paths), config_mod.load(paths, jobs=1, use_cache=False)))
    assert submitted == ["c", "d", "b", "a"]
    assert parallel == serial
    assert [Path(r.path).parent.name for r in parallel] == [p for p, n in sizes.items() for _ in range(n)]
