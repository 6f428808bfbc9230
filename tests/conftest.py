"""Shared fixtures: a fresh real course per test, and the jupyter_server fixtures of pytest-jupyter."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# One BLAS thread for the tests and every process they start (set before anything imports NumPy). The suite runs
# on two xdist workers on two cores: NumPy's default of a BLAS thread a core would put four busy threads on two
# cores, and a small CNN's training then took six times as long. A value set outside still wins.
for _blas_threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_blas_threads, "1")

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from course_factory import make_course  # noqa: E402

pytest_plugins = ["pytest_jupyter.jupyter_server"]

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """A two-module course (01_numbers, 02_doubling) with a checkpoint, written afresh for the test."""
    return make_course(tmp_path / "course")


@pytest.fixture
def tito_env(course_dir: Path) -> dict:
    """Environment for running the CLI as a subprocess on ``course_dir``."""
    env = dict(os.environ)
    env["TITO_PROJECT"] = str(course_dir)
    env.pop("TITO_FAULT", None)
    return env
