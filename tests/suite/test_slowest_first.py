"""The README's test command starts the slowest files first, so no file of minutes is left to run alone at the end.

A small throwaway suite with tests/conftest.py's ordering hook, run by real pytest-xdist with scripts/test.sh's own
options: two files marked ``@pytest.mark.slow`` and one unmarked file with more tests. Each test notes, when it
starts, which file it is in and on which worker. xdist's default order (most tests first) starts the unmarked file
first; the suite's order starts each worker on one of the two slow files.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CONFTEST = f'''
import importlib.util
import os

spec = importlib.util.spec_from_file_location("suite_conftest", {str(REPO / "tests/conftest.py")!r})
suite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(suite)
for hook in ("pytest_configure", "pytest_collection_modifyitems"):  # the suite's own hooks, whatever they are
    if hasattr(suite, hook):
        globals()[hook] = getattr(suite, hook)


def pytest_runtest_setup(item):
    with open(os.environ["STARTED_LOG"], "a") as log:  # one short append a test: whole lines, in start order
        log.write(os.environ.get("PYTEST_XDIST_WORKER", "-") + " " + item.nodeid.split("::")[0] + "\\n")
'''

FILES = {
    "test_many_quick.py": "".join(f"def test_quick_{n}():\n    pass\n\n\n" for n in range(6)),
    "test_long.py": "import pytest\n\npytestmark = pytest.mark.slow(300)\n\n\ndef test_long():\n    pass\n",
    "test_longer.py": ("import pytest\n\npytestmark = pytest.mark.slow(seconds=500)\n\n\n"
                       "def test_longer():\n    pass\n\n\ndef test_longer_too():\n    pass\n"),
}


def _test_sh_options() -> list[str]:
    """The options scripts/test.sh gives pytest, as written there (the worker count aside)."""
    line = next(line for line in (REPO / "scripts/test.sh").read_text().splitlines()
                if line.startswith("python -m pytest"))
    words = shlex.split(line.replace('"$workers"', "2").replace('"$@"', ""))
    return words[3:]


def _started(tmp_path: Path, options: list[str]) -> list[str]:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(CONFTEST)
    for name, text in FILES.items():
        (suite / name).write_text(text)
    log = tmp_path / "started.log"
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly",
                           "--rootdir", str(suite), "-c", "/dev/null", *options, str(suite)],
                          cwd=suite, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "STARTED_LOG": str(log)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"\b9 passed\b", done.stdout), done.stdout[-2000:]
    return log.read_text().splitlines()


def test_the_test_command_hands_out_files_in_the_suites_order():
    options = _test_sh_options()
    assert options[:2] == ["-q", "-n"] and "--no-loadscope-reorder" in options, options
    assert options[options.index("--dist") + 1] == "loadfile", options


def test_the_slow_files_start_first_one_on_each_worker(tmp_path):
    started = [line.split() for line in _started(tmp_path, _test_sh_options())]
    first_on = {}
    for worker, name in started:
        first_on.setdefault(worker, name)
    # Each worker runs what it was handed in order; when one starts before the other it may reach the quick
    # file before the other worker has begun, so the order to check is each worker's own.
    assert sorted(first_on.values()) == ["test_long.py", "test_longer.py"], started


def test_the_collected_order_is_longest_first_and_keeps_each_files_order(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(CONFTEST)
    for name, text in FILES.items():
        (suite / name).write_text(text)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
                           "--rootdir", str(suite), "-c", "/dev/null", str(suite)],
                          cwd=suite, capture_output=True, text=True, timeout=300)
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    assert ids == ["test_longer.py::test_longer", "test_longer.py::test_longer_too", "test_long.py::test_long",
                   *(f"test_many_quick.py::test_quick_{n}" for n in range(6))], done.stdout
