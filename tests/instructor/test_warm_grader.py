"""Warm graders: one parent that imported NumPy and pytest once, a fork per submission, nothing carried over.

A submission that tries to poison the warm parent (it monkeypatches NumPy and pytest, plants modules in
``sys.modules``, leaves a thread and an ``atexit`` hook, tries to kill its parent) is graded first, by the same
warm parent that then grades two honest submissions (``--workers 1``): they get exactly the grades they get
alone. The warm grader is used (every record says so), the run stays jailed, and no process is left. Then the
grader on its own, without a jail (as for an instructor who is not root): a clean environment, the limits, a
timeout that leaves the parent able to grade the next. Real nbgrader, nbdev, pytest, NumPy, fork.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
import pytest
from process_tree import jailed_processes

from tito_jupyter import engine
from tito_jupyter.engine import processes, sandbox
from tito_jupyter.engine.context import Context
from tito_jupyter.engine.instructor import warm_grader

REPO = Path(__file__).resolve().parents[2]
#: The warm grader forks a warm parent: Linux only (platform.WARM_FORK_HERE; off on macOS and Windows).
pytestmark = pytest.mark.linux_only
sys.path.insert(0, str(REPO / "tests"))

from course_factory import make_course  # noqa: E402
from grading_factory import answer, released_notebook, submit  # noqa: E402

HONEST = {"alice": "return a + b", "bob": "return a - b if a < 0 else a + b"}
# Correct code, and at import it poisons everything a warm process could carry to the next submission.
POISON = """return a + b


import atexit as _atexit, builtins as _builtins, os as _os, signal as _signal, sys as _sys, threading as _threading
import types as _types
import numpy as _np
import pytest as _pytest
_np.allclose = lambda *a, **k: False
_np.add = None
_pytest.approx = lambda *a, **k: object()
_builtins.abs = lambda x: -1
_fake = _types.ModuleType("tinytorch.core.numbers")
_fake.add = lambda a, b: None
for _name in ("tinytorch.core.numbers", "numbers_poison"):
    _sys.modules[_name] = _fake
_sys.path.insert(0, "/tmp/poison")
def _again():
    import time
    while True:
        _np.allclose = lambda *a, **k: False
        _sys.modules["tinytorch.core.numbers"] = _fake
        time.sleep(0.01)
_threading.Thread(target=_again, daemon=False).start()
_atexit.register(lambda: _os.kill(_os.getppid(), _signal.SIGKILL))
try:
    _os.kill(_os.getppid(), _signal.SIGKILL)
except OSError:
    pass
"""
NUMPY_TEST = ("import numpy as np\nfrom tinytorch.core.numbers import add\n\n\n"
              "def test_add_arrays():\n    assert np.allclose(add(np.ones(3), np.ones(3)), 2.0)\n\n\n"
              "def test_abs_of_sum():\n    assert abs(add(-2, -3)) == 5\n")


def run(root: Path, command: str, args: dict | None = None):
    return engine.run(command, args or {}, Context(project=root))


def grades(record: dict) -> tuple:
    return (record["status"], record["score"],
            tuple((c["grade_id"], c["score"], tuple(t["passed"] for t in c["tests"])) for c in record["grade_cells"]))


def by_student(result) -> dict[str, dict]:
    return {r["student"]: r for r in result.data["submissions"]}



@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("warm") / "course")
    (root / "tests/modules/01_numbers/test_with_numpy.py").write_text(NUMPY_TEST)
    nbgrader = root / "nbgrader"
    assert run(root, "nbgrader.init").ok
    assert run(root, "nbgrader.generate", {"modules": ["01"]}).ok
    handed_out = released_notebook(nbgrader, "01_numbers")
    for student, code in HONEST.items():
        submit(nbgrader, student, "01_numbers", answer(handed_out, code))
    alone = run(root, "nbgrader.autograde", {"module": "01", "students": list(HONEST), "timeout": 60, "workers": 1})
    submit(nbgrader, "aaron", "01_numbers", answer(handed_out, POISON))  # first in the order of grading
    started = []
    original = warm_grader.WarmGrader.__init__

    def counted(self, *args, **kwargs):  # the real thing, counted: how many warm parents the run started
        original(self, *args, **kwargs)
        started.append(self.proc.pid)

    jails: set[int] = set()
    new_jail = sandbox.new_jail

    def recorded(*args, **kwargs):  # the real jail, its user id noted
        jail = new_jail(*args, **kwargs)
        jails.add(jail.uid)
        return jail

    mp = pytest.MonkeyPatch()
    mp.setattr(warm_grader.WarmGrader, "__init__", counted)
    mp.setattr(sandbox, "new_jail", recorded)
    try:
        together = run(root, "nbgrader.autograde", {"module": "01", "timeout": 60, "workers": 1})
    finally:
        mp.undo()
    assert jails, "the run made no jail"
    return {"alone": alone, "together": together, "started": started, "left": jailed_processes(jails)}


def test_the_run_is_warm_and_jailed(graded):
    together = graded["together"]
    assert together.ok, together.summary
    assert graded["alone"].ok, graded["alone"].summary
    assert [r["warm"] for r in together.data["submissions"]] == [True] * 3, together.summary
    assert together.data["jailed"] is True and all(r["jailed"] for r in together.data["submissions"])
    assert len(graded["started"]) == 1  # one warm parent graded the poisoner, then the honest two
    assert not psutil.pid_exists(graded["started"][0]) or psutil.Process(graded["started"][0]).status() == "zombie"


def test_honest_submissions_after_a_poisoner_get_exactly_their_grades_alone(graded):
    alone, together = by_student(graded["alone"]), by_student(graded["together"])
    assert {s: r["score"] for s, r in alone.items()} == {"alice": 5.0, "bob": 2.0}, alone
    for student in HONEST:
        assert grades(together[student]) == grades(alone[student]), together[student]["message"]


def test_the_poisoner_is_graded_on_its_own_poison(graded):
    record = by_student(graded["together"])["aaron"]
    messages = "\n".join(t["message"] for c in record["grade_cells"] for t in c["tests"])
    # Its own process saw its patches: the planted module's add (None), np.allclose and abs lie to it, and to it
    # alone; its thread, its atexit hook and its kill of the parent changed nothing else.
    assert (record["status"], record["score"], record["tests_passed"]) == ("graded", 0.0, 0), record["message"]
    assert "add(2, 3) gave None" in messages


def test_no_process_of_the_run_is_left(graded):
    assert not graded["left"], [(p.pid, p.uids().real) for p in graded["left"]]


# -- the warm grader on its own, without a jail ---------------------------------------------------------------


def pytest_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def test_without_a_jail_a_child_gets_the_clean_environment_and_its_limits_and_a_timeout_spares_the_parent(tmp_path):
    (tmp_path / "test_env.py").write_text(
        "import os, resource, sys\n\n\n"
        "def test_env():\n"
        "    assert 'TITO_TEST_SECRET' not in os.environ and os.environ['ONLY'] == 'this'\n"
        "    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] == 8 * 2**20\n"
        "    assert 'poisoned' not in sys.modules\n"
        "    sys.modules['poisoned'] = sys\n\n\n"
        "def test_forever():\n"
        "    if os.environ.get('LOOP'):\n"
        "        while True:\n"
        "            pass\n")
    os.environ["TITO_TEST_SECRET"] = "s3cret"
    grader = warm_grader.WarmGrader(("numpy",))
    try:
        assert "numpy" in grader.preloaded
        limits = processes.Limits(cpu_seconds=60, file_bytes=8 * 2**20, output_bytes=2**20)
        env = {"PATH": "/usr/bin:/bin", "ONLY": "this"}
        for loop, timeout in (("1", 3.0), ("", 60.0), ("", 60.0)):
            with open(tmp_path / "out.log", "wb") as output:
                finished = grader.run(pytest_cmd(str(tmp_path / "test_env.py")), cwd=tmp_path,
                                      env={**env, **({"LOOP": loop} if loop else {})}, timeout=timeout,
                                      output=output, limits=limits)
            log = (tmp_path / "out.log").read_text()
            if loop:
                assert finished.timed_out and finished.stopped_by == "timeout"
            else:
                assert (finished.exit_code, finished.timed_out) == (0, False), log
                assert "2 passed" in log
            assert grader.alive()
    finally:
        del os.environ["TITO_TEST_SECRET"]
        grader.close()
    assert not grader.alive()
