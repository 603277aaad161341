"""`Test`: before/after checks attached to a Component, whose results are stored with the run."""

from __future__ import annotations

import inspect
import traceback
from typing import Any


class Test:
    """Subclass it and write methods named `test_*`; each gets the arguments it names.

    Before a run, they receive the function's arguments; after it, its local variables.
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name or type(self).__name__

    def get_tests(self) -> list[str]:
        """Names of the test methods, in definition order."""
        return [n for n, _ in inspect.getmembers(type(self), inspect.isfunction) if n.startswith("test")]

    def run_tests(self, phase: str, **variables: Any) -> list[dict[str, Any]]:
        """Runs every test method; returns one result dict per method (never raises)."""
        results = []
        for method_name in self.get_tests():
            method = getattr(self, method_name)
            wanted = inspect.signature(method).parameters
            accepts_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in wanted.values())
            kwargs = variables if accepts_all else {k: v for k, v in variables.items() if k in wanted}
            result: dict[str, Any] = {
                "test": self.name,
                "name": method_name,
                "phase": phase,
                "passed": True,
                "error": None,
            }
            try:
                method(**kwargs)
            except Exception as exc:
                result["passed"] = False
                result["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            results.append(result)
        return results

    # original API name
    def runTests(self, **variables: Any) -> list[dict[str, Any]]:  # noqa: N802
        """Runs the tests as the original `runTests` did."""
        return self.run_tests("manual", **variables)


class ComponentTestError(AssertionError):
    """Raised to the caller when a before- or after-test of a component fails."""
