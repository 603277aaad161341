"""Every benchmark module imports: `make bench` is not part of the suite, so a rename would otherwise break it
unnoticed."""

from __future__ import annotations

import importlib
import pkgutil

import bench


def test_every_benchmark_module_imports_and_is_registered() -> None:
    names = {info.name for info in pkgutil.iter_modules(bench.__path__)} - {"__main__"}
    modules = {name: importlib.import_module(f"bench.{name}") for name in sorted(names)}
    registered = importlib.import_module("bench.__main__").BENCHES.values()
    assert all(callable(module.run) for module in registered)
    assert {module.__name__.split(".")[-1] for module in registered} <= set(modules)
