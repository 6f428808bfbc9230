"""Runs inside a notebook's kernel: the course's test file against the code of this very notebook.

``tito nbgrader generate`` appends one locked autograder cell per test file of a module to the nbgrader
version of its notebook::

    from tito_jupyter.engine.instructor.grading_kernel import run_test_file
    run_test_file(globals(), ["core.tensor"], "tests/test_tensor.py")

so that nbgrader's own ``autograde`` (and a student checking their work in the released assignment) grades
the module's tests too. The notebook's namespace stands in for the package module it exports to
(``tinytorch.core.tensor``), pytest runs the file in this process, and the cell's value is the number of
test functions that passed: nbgrader reads it as the cell's partial credit.

``tito nbgrader autograde`` does not use this: it exports the submission and runs the same tests with
pytest in a subprocess per submission, which is faster and survives infinite loops.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

PACKAGE = "tinytorch"


def _install_namespace(namespace: dict, targets: list[str]) -> None:
    """Make ``tinytorch.<target>`` resolve to the notebook's namespace; keep any real parent packages."""
    for target in targets:
        parts = [PACKAGE, *target.split(".")]
        for depth in range(1, len(parts)):
            name = ".".join(parts[:depth])
            if name in sys.modules:
                continue
            try:
                __import__(name)
            except ImportError:
                package = types.ModuleType(name)
                package.__path__ = []
                sys.modules[name] = package
        module = types.ModuleType(".".join(parts))
        module.__dict__.update({k: v for k, v in namespace.items() if not k.startswith("__")})
        sys.modules[module.__name__] = module
        setattr(sys.modules[".".join(parts[:-1])], parts[-1], module)


class _Collector:
    """A pytest plugin that keeps each test's outcome."""

    def __init__(self):
        self.outcomes: dict[str, bool] = {}
        self.messages: dict[str, str] = {}
        self.collect_errors: list[str] = []

    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors.append(str(report.longrepr).strip().splitlines()[-1] if report.longrepr else "")

    def pytest_runtest_logreport(self, report):
        function = report.nodeid.split("::", 1)[-1].split("[", 1)[0]
        if report.failed:
            self.outcomes[function] = False
            crash = getattr(report.longrepr, "reprcrash", None)
            self.messages.setdefault(function, getattr(crash, "message", "") or str(report.longrepr)[-300:])
        elif report.when == "call":
            self.outcomes.setdefault(function, True)


def run_test_file(namespace: dict, targets: list[str], test_file: str) -> int:
    """Run ``test_file`` against ``namespace``; print one line per test function; return how many passed."""
    import contextlib
    import io

    import pytest

    _install_namespace(namespace, targets)
    path = Path(test_file).resolve()
    collector = _Collector()
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        pytest.main(["-q", "-p", "no:cacheprovider", "--import-mode=importlib", "-o", "addopts=",
                     "-W", "ignore::DeprecationWarning", "--rootdir", str(path.parent), str(path)],
                    plugins=[collector])
    for error in collector.collect_errors:
        print(f"✗ {path.name} could not be loaded: {error}")
    for function, passed in collector.outcomes.items():
        line = f"{'✓' if passed else '✗'} {function}"
        if not passed and collector.messages.get(function):
            line += f": {collector.messages[function].splitlines()[0][:200]}"
        print(line)
    return sum(1 for passed in collector.outcomes.values() if passed)
