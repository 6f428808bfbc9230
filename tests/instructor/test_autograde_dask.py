"""`tito nbgrader autograde --scheduler ADDRESS`: the same grades on a real Dask cluster, a killed worker costs nothing.

A real `dask scheduler` and two `dask worker` processes (one thread each, no nanny: a killed worker stays dead)
on this machine, on loopback. The workers get packed submissions and return records; the gradebook is written
by the test's own process. Real nbgrader, nbdev, pytest, and the jail on the workers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import distributed  # noqa: E402 (in the test extra: a missing one fails here, it is not skipped)

from tito_jupyter import engine  # noqa: E402
from tito_jupyter.engine.context import Context  # noqa: E402
from tito_jupyter.engine.results import EventSink  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from course_factory import make_course  # noqa: E402
from grading_factory import answer, released_notebook, submit  # noqa: E402

#: Grading needs resource limits (Linux, macOS); the workers are killed by signal.
pytestmark = pytest.mark.posix_only

#: Answers with full, partial and no marks; each sleeps a little in `add`, so a worker is busy when it is killed.
ANSWERS = {
    "full": "import time\n    time.sleep(0.5)\n    return a + b",
    "partial": "import time\n    time.sleep(0.5)\n    return a - b if a < 0 else a + b",
    "none": "import time\n    time.sleep(0.5)\n    return None",
}
STUDENTS = {f"s{i:02d}_{kind}": code for i, (kind, code) in
            enumerate((kind, code) for _ in range(3) for kind, code in ANSWERS.items())}
BIN = Path(sys.executable).parent


def run(root: Path, command: str, args: dict, events: list | None = None):
    sink = EventSink(events.append) if events is not None else EventSink()
    return engine.run(command, args, Context(project=root, events=sink))


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers, as processes of their own; yields (address, {worker name: process})."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                              env=env, cwd=folder, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=open(folder / "scheduler.log", "wb"))]
    try:
        wait_for(lambda: scheduler_file.is_file() and scheduler_file.stat().st_size > 0, 60, "the scheduler start")
        address = json.loads(scheduler_file.read_text())["address"]
        workers = {}
        for name in ("w1", "w2"):
            workers[name] = subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny", "--name", name,
                 "--no-dashboard", "--host", "127.0.0.1"], env=env, cwd=folder, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=open(folder / f"{name}.log", "wb"))
            procs.append(workers[name])
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("course") / "course")
    nbgrader = root / "nbgrader"
    assert run(root, "nbgrader.init", {}).ok
    assert run(root, "nbgrader.generate", {"modules": ["01"]}).ok
    handed_out = released_notebook(nbgrader, "01_numbers")
    for student, code in STUDENTS.items():
        submit(nbgrader, student, "01_numbers", answer(handed_out, code))
    local = run(root, "nbgrader.autograde", {"module": "01", "workers": 2, "timeout": 60})
    assert local.ok, local.summary
    return root, nbgrader, grades_of(local)


def grades_of(result) -> dict:
    return {r["student"]: (r["status"], r["score"], tuple(c["score"] for c in r["grade_cells"]))
            for r in result.data["submissions"]}


def gradebook_scores(nbgrader: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{nbgrader}/gradebook.db") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions("01_numbers")}


def test_the_local_run_grades_full_partial_and_none(course):
    *_, local = course
    assert {student: score for student, (_, score, _) in local.items()} == {
        s: {"full": 3.0, "partial": 2.0, "none": 0.0}[s.split("_", 1)[1]] for s in STUDENTS}


def test_a_dask_cluster_gives_the_same_grades_with_progress(course, cluster):
    root, nbgrader, local = course
    address, _ = cluster
    events: list[dict] = []
    result = run(root, "nbgrader.autograde", {"module": "01", "scheduler": address, "timeout": 60}, events)
    assert result.ok, result.summary
    assert grades_of(result) == local
    assert result.data["scheduler"] == address and f"on the Dask cluster at {address}" in result.summary
    assert all(r["jailed"] for r in result.data["submissions"])  # the workers jail what they grade, too
    assert gradebook_scores(nbgrader) == {s: score for s, (_, score, _) in local.items()}
    progress = [(e["done"], e["total"]) for e in events if e["event"] == "progress"]
    assert progress == [(i, len(STUDENTS)) for i in range(len(STUDENTS) + 1)]
    assert sorted(e["student"] for e in events if e["event"] == "graded") == sorted(STUDENTS)


def test_a_worker_killed_mid_run_costs_no_submission(course, cluster):
    root, nbgrader, local = course
    address, workers = cluster
    victim = workers["w1"]
    killed: dict = {}
    events: list[dict] = []

    def on_event(event: dict) -> None:
        events.append(event)
        if event["event"] == "graded" and not killed:
            with distributed.Client(address, timeout="30s", set_as_default=False) as client:
                busy = {info["name"]: len(client.processing().get(addr, ()))
                        for addr, info in client.scheduler_info()["workers"].items()}
            os.kill(victim.pid, signal.SIGKILL)  # mid-run: it has a submission (sleeping in `add`) right now
            killed.update(busy=busy, at=len([e for e in events if e["event"] == "graded"]))

    result = engine.run("nbgrader.autograde", {"module": "01", "scheduler": address, "timeout": 60},
                        Context(project=root, events=EventSink(on_event)))
    assert victim.wait(timeout=30) == -signal.SIGKILL
    assert killed["busy"].get("w1", 0) >= 1, f"w1 had nothing to do when it was killed: {killed}"
    assert killed["at"] < len(STUDENTS)
    assert result.ok, result.summary
    assert grades_of(result) == local  # every submission graded, and as it is graded on this machine
    graded = [e["student"] for e in events if e["event"] == "graded"]
    assert sorted(graded) == sorted(STUDENTS)  # once each
    assert gradebook_scores(nbgrader) == {s: score for s, (_, score, _) in local.items()}
    # The killed worker could not remove its scratch folder; the next grading on this machine did.
    assert not list(Path(tempfile.gettempdir()).glob(f"tito-grade-{victim.pid}-*"))


def test_no_scheduler_at_the_address_is_a_clear_usage_error(course):
    root, *_ = course
    started = time.monotonic()
    result = run(root, "nbgrader.autograde", {"module": "01", "scheduler": "tcp://127.0.0.1:9"})
    assert not result.ok and result.exit_code == 2
    assert "No Dask scheduler answered at tcp://127.0.0.1:9" in result.summary
    assert time.monotonic() - started < 60
