"""Hostile submissions, graded in one run with honest ones: each gets its own grade and reason, nothing else changes.

Every submission is someone else's code. The set: one that reads other submissions, the instructor's source and
the environment (and would score only if that worked), one that writes the gradebook, a fork bomb, one that eats
memory, one that never ends, one that floods its output, one that deletes files, one that edits the tests. They
know the course's absolute paths (the test writes them in), as a student on the same server could guess them.
Graded together with two honest submissions (full marks, partial marks) in ONE `tito nbgrader autograde`, with
small limits; then the honest grades are those of a run without the hostile ones, the course and the gradebook
are as they were, no process of the run is left, and the run took bounded time. Real nbgrader, nbdev, pytest.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import pytest
from process_tree import jailed_processes

from tito_jupyter import engine
from tito_jupyter.engine import sandbox
from tito_jupyter.engine.context import Context

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from course_factory import make_course  # noqa: E402
from grading_factory import answer, released_notebook, submit  # noqa: E402

#: Grading needs resource limits (Linux, macOS); on Windows autograde says so and stops (test_platform.py).
pytestmark = pytest.mark.posix_only

TIMEOUT = 20
MEMORY_MIB = 1024
HONEST = {"alice": "return a + b", "bob": "return a - b if a < 0 else a + b"}
SECRET = "tito-test-secret-7f3a"  # in the instructor's environment while grading: a submission must not see it


def hostile(root: Path, nbgrader: Path) -> dict[str, str]:
    """Each hostile student's code for ``add``'s body (code after a blank line at the left margin runs at import)."""
    paths = {"alice": nbgrader / "submitted/alice/01_numbers/01_numbers.ipynb",
             "source": root / "modules/01_numbers/01_numbers.ipynb",
             "nbsource": nbgrader / "source/01_numbers/01_numbers.ipynb",
             "db": nbgrader / "gradebook.db"}
    p = {k: repr(str(v)) for k, v in paths.items()}
    return {
        # Scores only if it could read another submission, the instructor's notebook, or a secret of the instructor.
        "snoop": f"""import os, pathlib
    stolen = []
    # Another student's work, the instructor's notebooks (with the solutions), in the course and in its scratch copy.
    for path in ({p['alice']}, {p['source']}, {p['nbsource']}, ".tito/grading/01_numbers.ipynb"):
        try:
            stolen.append(pathlib.Path(path).read_text())
        except OSError:
            pass
    seen = [k for k, v in os.environ.items()
            if k.startswith(("JUPYTER", "JPY")) or {SECRET!r} in v or {str(root)!r} in v]
    return a + b if stolen or seen else None""",
        "vandal": f"""try:
        with open({p['db']}, "r+b") as f:
            f.write(b"HACKED" * 1000)
    except OSError:
        return None
    return a + b""",
        "forkbomb": """import os
    while True:
        os.fork()""",
        "hog": """hoard = []
    while True:
        hoard.append(bytearray(64 * 2**20))""",
        "sleeper": """while True:
        pass""",
        "flood": """while True:
        print("x" * 1_000_000)""",
        "deleter": f"""import os, pathlib, shutil
    for target in ({str(root / 'modules')!r}, {str(root / 'tests')!r}, {str(nbgrader / 'source')!r},
                   {str(nbgrader / 'submitted')!r}, "tests", ".tito", "tinytorch"):
        shutil.rmtree(target, ignore_errors=True)
    for target in ({p['db']}, "tests/modules/01_numbers/test_numbers.py"):
        try:
            os.remove(target)
        except OSError:
            pass
    return a + b""",
        # Wrong code, and at import (before tests/modules is collected) it rewrites every test it can reach
        # to pass: it scores only if an edit took.
        "editor": f"""return a - b


import pathlib as _pathlib
for _test in ("tests/modules/01_numbers/test_numbers.py", {str(root / 'tests/modules/01_numbers/test_numbers.py')!r},
              {str(nbgrader / 'source/01_numbers/tests/test_numbers.py')!r}):
    try:
        _pathlib.Path(_test).write_text("def test_add_floats():\\n    pass\\n")
    except OSError:
        pass
""",
    }


def run(root: Path, command: str, args: dict | None = None):
    return engine.run(command, args or {}, Context(project=root))


def fingerprint(*folders: Path) -> dict[str, str]:
    """Every file under ``folders`` with a hash of its content."""
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()}



def grades(record: dict) -> tuple:
    return (record["status"], record["score"],
            tuple((c["grade_id"], c["score"], tuple(t["passed"] for t in c["tests"])) for c in record["grade_cells"]))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course before, the honest-only run, the whole run, and the course after."""
    jails: set[int] = set()
    new_jail = sandbox.new_jail

    def recorded(*args, **kwargs):  # the real jail, its user id noted
        jail = new_jail(*args, **kwargs)
        jails.add(jail.uid)
        return jail

    mp = pytest.MonkeyPatch()
    mp.setattr(sandbox, "new_jail", recorded)
    mp.setenv("JUPYTER_TOKEN", SECRET)
    mp.setenv("TITO_TEST_SECRET", SECRET)
    try:
        root = make_course(tmp_path_factory.mktemp("hostile") / "course")
        nbgrader = root / "nbgrader"
        assert run(root, "nbgrader.init").ok
        assert run(root, "nbgrader.generate", {"modules": ["01"]}).ok
        handed_out = released_notebook(nbgrader, "01_numbers")
        for student, code in HONEST.items():
            submit(nbgrader, student, "01_numbers", answer(handed_out, code))
        alone = run(root, "nbgrader.autograde", {"module": "01", "students": list(HONEST), "timeout": TIMEOUT,
                                                 "memory": MEMORY_MIB})
        for student, code in hostile(root, nbgrader).items():
            submit(nbgrader, student, "01_numbers", answer(handed_out, code))
        protected = (root / "modules", root / "tests", nbgrader / "source", nbgrader / "release",
                     nbgrader / "submitted")
        before = fingerprint(*protected)
        started = time.monotonic()
        together = run(root, "nbgrader.autograde", {"module": "01", "workers": 2, "timeout": TIMEOUT,
                                                    "memory": MEMORY_MIB})
        seconds = time.monotonic() - started
        after = fingerprint(*protected)
        yield {"root": root, "nbgrader": nbgrader, "alone": alone, "together": together, "seconds": seconds,
               "before": before, "after": after, "left": jailed_processes(jails), "jails": len(jails)}
    finally:
        mp.undo()


def failures(record: dict) -> str:
    """Every failed test's message in a record, one a line."""
    return "\n".join(t["message"] for c in record["grade_cells"] for t in c["tests"] if not t["passed"])


def by_student(result) -> dict[str, dict]:
    return {r["student"]: r for r in result.data["submissions"]}


def test_the_runs_finish_and_are_jailed_as_root(graded):
    assert graded["alone"].ok, graded["alone"].summary
    assert graded["together"].ok, graded["together"].summary
    assert graded["together"].data["jailed"] is True, graded["together"].data["containment"]
    assert all(r["jailed"] for r in graded["together"].data["submissions"] if r["status"] != "error")


def test_honest_submissions_get_exactly_the_grades_they_get_alone(graded):
    alone, together = by_student(graded["alone"]), by_student(graded["together"])
    assert {s: r["score"] for s, r in alone.items()} == {"alice": 3.0, "bob": 2.0}
    for student in HONEST:
        assert grades(together[student]) == grades(alone[student]), together[student]["message"]


def test_each_hostile_submission_gets_its_own_grade_and_reason(graded):
    records = by_student(graded["together"])
    scores = {s: r["score"] for s, r in records.items() if s not in HONEST}
    assert scores == {"snoop": 0.0, "vandal": 0.0, "forkbomb": 0.0, "hog": 0.0, "sleeper": 0.0, "flood": 0.0,
                      "deleter": 3.0, "editor": 0.0}, {s: records[s]["message"] for s in scores}
    # Nothing it reached (no file, no secret) was worth anything: `add` returned None.
    assert "add(2, 3) gave None" in failures(records["snoop"])
    assert "add(2, 3) gave None" in failures(records["vandal"])
    assert records["hog"]["limit"] == f"used more than {MEMORY_MIB} MiB of memory", records["hog"]["message"]
    assert records["hog"]["message"].startswith(records["hog"]["limit"])
    assert records["sleeper"]["status"] == "timed_out"
    assert f"stopped after {TIMEOUT} s" in records["sleeper"]["message"]
    # A flood ends on the output cap (10 MiB printed) or the file-size limit (pytest's capture file, 64 MiB).
    assert records["flood"]["status"] == "stopped", records["flood"]["message"]
    assert records["flood"]["message"].startswith(("stopped: printed more than 10 MiB",
                                                   "stopped: wrote more than 64 MiB")), records["flood"]["message"]
    # The fork bomb meets its process limit (its forks fail), and its copies of pytest run into the timeout.
    assert records["forkbomb"]["limit"] == "started more than 64 processes", records["forkbomb"]["message"]
    # The tests it rewrote ran as the instructor wrote them: its wrong code fails all three.
    assert records["editor"]["tests_passed"] == 0, records["editor"]["message"]


def test_the_course_and_the_gradebook_are_as_they_were(graded):
    assert graded["after"] == graded["before"]  # nothing deleted, edited or added
    db = graded["nbgrader"] / "gradebook.db"
    assert b"HACKED" not in db.read_bytes()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions("01_numbers")}
    assert scores["alice"] == 3.0 and scores["bob"] == 2.0 and scores["deleter"] == 3.0 and len(scores) == 10


def test_no_process_of_the_run_is_left(graded):
    assert graded["jails"] >= 10  # every submission had a jail of its own, and the check looked at them all
    left = graded["left"]
    assert not left, [(p.pid, p.uids().real) for p in left]


def test_the_run_takes_bounded_time(graded):
    # Ten submissions two at a time: the sleeper and the fork bomb take their 20 s each, the rest a few.
    assert graded["seconds"] < 6 * TIMEOUT, f"the run took {graded['seconds']:.0f} s"
