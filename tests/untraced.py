"""A child's environment without coverage.py's tracer, for the tests that measure what a tito process imports.

scripts/coverage.sh traces every Python process the tests start (pyproject's ``patch = ["subprocess"]`` hands its
configuration down in ``COVERAGE_PROCESS_CONFIG``), and the tracer imports sqlite3, argparse, dataclasses, pathlib
and more into each: a test of what tito imports would see coverage's imports instead. Such a child runs untraced;
what it runs is covered by the other tests.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The variables through which coverage.py starts in a child (the first is the older way).
COVERAGE_VARIABLES = ("COVERAGE_PROCESS_START", "COVERAGE_PROCESS_CONFIG")


def untraced(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without coverage.py's variables."""
    return {name: value for name, value in env.items() if name not in COVERAGE_VARIABLES}
