"""Shared fixtures (a fresh real course per test, the jupyter_server fixtures of pytest-jupyter), and the order in
which the suite starts its files: the slowest first (see ``pytest_collection_modifyitems``)."""

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


@pytest.fixture(autouse=True, scope="session")
def _tito_cache_of_the_run(tmp_path_factory):
    """What tito keeps per user (the remembered `tito --help`) goes under the run's temporary folder, never into the
    real home folder, for the tests and every tito they start."""
    patch = pytest.MonkeyPatch()
    patch.setenv("TITO_CACHE_DIR", str(tmp_path_factory.mktemp("tito-cache")))
    yield
    patch.undo()


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


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow(seconds): the file takes about this long on two shared cores; the suite starts it early")
    # A suite started with Ctrl-C ignored (a background job of a script, nohup) would pass the ignore on to every
    # process the tests start, and the tests of what Ctrl-C does would fail for it: they test tito, not the launcher.
    # A handler (unlike an ignore) is not inherited: the processes the tests start begin with Ctrl-C's default.
    import signal

    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _slowness(item) -> float:
    marker = item.get_closest_marker("slow")
    return float(marker.args[0] if marker.args else marker.kwargs["seconds"]) if marker else 0.0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """The slowest files first, the rest in the order collected.

    scripts/test.sh runs `-n 2 --dist loadfile --no-loadscope-reorder`: each worker takes the next file in this
    order when it runs out of work. A file of minutes started last would run alone at the end while the other
    core idles (xdist's own order, by number of tests, puts the few-test slow files last), so the files marked
    ``@pytest.mark.slow(seconds)`` go first, longest first, and the many short files fill in around them.
    """
    def file_of(item) -> str:
        return item.nodeid.split("::", 1)[0]  # the unit --dist loadfile hands to a worker

    slowest: dict[str, float] = {}
    for item in items:
        slowest[file_of(item)] = max(slowest.get(file_of(item), 0.0), _slowness(item))
    items.sort(key=lambda item: -slowest[file_of(item)])  # a stable sort: each file's tests keep their order
