"""The warm parent's side of the warm grader (:func:`.warm_grader.serve` and the child it forks), spoken to over
its pipes line by line, as :class:`.warm_grader.WarmGrader` speaks to it.

tests/instructor/test_warm_grader.py grades through ``WarmGrader``, which starts the parent with a clean
environment. Here the test starts it with the same command line and its own environment, and checks each answer
of the protocol: what it preloads and what it leaves to the submission, each request's fork with exactly the
request's environment, folder, path and limits, the exit code, what a child leaves behind, a request it cannot
carry out, and its end when the input ends. No jail here: tests/engine/test_sandbox.py covers the jail.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tito_jupyter.engine import jail_launcher
from tito_jupyter.engine.instructor import warm_grader

pytestmark = pytest.mark.linux_only  # fork, as warm graders are used only where it exists

BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
        "from tito_jupyter.engine.instructor.warm_grader import serve; serve(sys.argv[2:])")
#: What the submission's tests check of the process they run in.
TESTS = """
import os, resource, subprocess, sys
from pathlib import Path


def test_the_process_is_the_requests():
    ours = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_") and k != "FAIL"}  # pytest's own
    assert ours == {"PATH": "/usr/bin:/bin", "ONLY": "this"}
    assert Path.cwd() == Path(__file__).parent and sys.path[0] == str(Path(__file__).parent)
    assert resource.getrlimit(resource.RLIMIT_FSIZE) == (4 * 2**20, 4 * 2**20)
    assert "numpy" in sys.modules  # imported once by the parent, not by these tests: the fork starts warm


def test_a_process_left_behind():
    left = subprocess.Popen(["sleep", "600"])
    Path("left.pid").write_text(str(left.pid))


def test_fails_when_asked():
    assert not os.environ.get("FAIL")
"""


class WarmParent:
    """The warm parent, started as WarmGrader starts it, and its JSON lines."""

    def __init__(self, *preload: str):
        modules = list(dict.fromkeys([*warm_grader.WARM_MODULES, *preload]))  # as WarmGrader lists them
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", BOOT, warm_grader._HERE, *modules],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines = warm_grader._Lines(self.proc.stdout.fileno())

    def answer(self) -> dict:
        line = self.lines.next(300.0)  # a loaded machine may take long to import NumPy and pytest
        assert line is not None, "the warm parent did not answer"
        return line

    def ask(self, request: dict) -> tuple[int, int]:
        """Send one request; the forked child's pid and its exit code."""
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        self.proc.stdin.flush()
        pid = self.answer()["pid"]
        return pid, self.answer()["exit"]


@pytest.fixture
def parent():
    # tito_jupyter is found (argv[1] is put on the path) but it is not an installed package: never preloaded.
    warm = WarmParent("json", "sys", "tito_jupyter", "no_such_module_anywhere")
    try:
        yield warm
    finally:
        if warm.proc.poll() is None:
            warm.proc.kill()
        warm.proc.wait()
        warm.proc.stdout.close()


def request(work: Path, output: Path, **env: str) -> dict:
    import resource  # POSIX only: imported here, so the file is still collected (and deselected) on Windows

    return {"argv": ["-q", "-p", "no:cacheprovider", str(work / "test_process.py")], "cwd": str(work),
            "env": {"PATH": "/usr/bin:/bin", "ONLY": "this", **env}, "path": [str(work)], "output": str(output),
            "rlimits": [[resource.RLIMIT_FSIZE, [4 * 2**20, 4 * 2**20]]], "jail": None}


def test_the_warm_parent_preloads_installed_packages_and_leaves_the_rest_to_the_submission(parent):
    ready = parent.answer()["ready"]
    assert set(ready) == {"numpy", "pytest", "tito_jupyter.engine.jail_launcher", "json", "sys"}


def test_each_request_runs_in_a_fork_with_its_own_environment_and_the_parent_ends_with_its_input(parent, tmp_path):
    parent.answer()  # ready
    work = tmp_path / "work"
    work.mkdir()
    (work / "test_process.py").write_text(TESTS)
    output = tmp_path / "out.log"
    output.touch()
    pid, code = parent.ask(request(work, output))
    log = output.read_text()
    assert code == 0 and "3 passed" in log, log
    assert pid != parent.proc.pid
    left = int((work / "left.pid").read_text())
    deadline = time.monotonic() + 30  # what the child left in its session is killed before its end is told
    while psutil.pid_exists(left) and psutil.Process(left).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "a process the child left behind is still running"
        time.sleep(0.05)

    output.write_text("")
    assert parent.ask(request(work, output, FAIL="1"))[1] == 1  # the next request: a failing test, its code
    assert "1 failed, 2 passed" in output.read_text()

    # A request it cannot carry out (its output file is missing) ends the child with the launch-failed code,
    # and the parent goes on with the next.
    assert parent.ask(request(work, tmp_path / "missing" / "out.log"))[1] == jail_launcher.LAUNCH_FAILED
    output.write_text("")
    assert parent.ask(request(work, output))[1] == 0

    parent.proc.stdin.close()  # as WarmGrader.close: the end of its input ends it
    assert parent.proc.wait(timeout=60) == 0
