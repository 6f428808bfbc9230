"""``tito`` typed in a terminal is a live job of the server: real ``python -m tito_jupyter`` processes in the course,
followed through their run files (``.tito/runs/``) by a real jupyter_server.

A run shows up while it runs (origin ``terminal``), its events stream on the event bus, it ends with the result the
terminal printed; a SIGKILLed run ends ``cancelled`` (error kind ``stopped``) instead of running forever; cancel
sends SIGTERM to the run's own process only; broken run files never break the list; server jobs show once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
from course_factory import NUMBERS_EXPORT, notebook, write_notebook
from openapi_contract import validate_component
from process_tree import MARKER, assert_tree_gone, marked

from tito_jupyter.engine import runs
from tito_jupyter.server.extension import JOB_EVENT_SCHEMA_ID

#: Three inline tests that take a while each, so a run is seen while it runs (and its count moves).
SLOW_TESTS = tuple(
    ("code", f"def test_unit_slow_{i}():\n    import time\n    time.sleep(0.7)\n    assert add({i}, 1) == {i + 1}\n")
    for i in range(3))
LOOPING_TEST = ("code", "def test_unit_add():\n    while True:\n        pass\n")


def assert_fits_the_document(job: dict) -> None:
    """``job`` is a Job as openapi.json describes it."""
    validate_component(job, "Job")


def write_module(course_dir: Path, *tests: tuple[str, str]) -> None:
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", notebook(
        ("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT), *tests))


@pytest.fixture
def fast_follow():
    return {"terminal_runs_interval": 0.1}


@pytest.fixture
def tito_config(fast_follow):
    return fast_follow


@pytest.fixture
def tag():
    return uuid.uuid4().hex


@pytest.fixture
def terminal(course_dir, tag):
    """``terminal("complete", "01")`` starts ``python -m tito_jupyter ...`` in the course as a terminal would (its
    own session, no server job marker); every process it started is gone after the test."""
    started: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k != runs.JOB_MARKER}
        env.update({MARKER: tag, "PYTHONUNBUFFERED": "1"})
        proc = subprocess.Popen([sys.executable, "-m", "tito_jupyter", *args], cwd=course_dir, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=60)
    assert_tree_gone(tag, timeout=60)


async def terminal_job(api, timeout: float = 120.0) -> dict:
    """The first job with origin terminal, once the server lists it."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = await api("GET", "jobs")
        assert status == 200, body
        found = [j for j in body["jobs"] if j["origin"] == "terminal"]
        if found:
            return found[0]
        assert time.monotonic() < deadline, "the terminal run never showed up"
        await asyncio.sleep(0.1)


async def exited(proc: subprocess.Popen, timeout: float = 120.0) -> int:
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        assert time.monotonic() < deadline, "the terminal run never ended"
        await asyncio.sleep(0.1)
    return proc.returncode


async def test_a_terminal_complete_shows_live_streams_its_events_and_ends_with_its_result(
        api, course_dir, terminal, jp_serverapp):
    write_module(course_dir, *SLOW_TESTS)
    heard: list[dict] = []

    async def listen(logger, schema_id, data):
        heard.append(dict(data))

    jp_serverapp.event_logger.add_listener(schema_id=JOB_EVENT_SCHEMA_ID, listener=listen)
    proc = terminal("--json", "complete", "01")

    job = await terminal_job(api)
    assert job["state"] == "running" and job["command"] == "module.complete"
    assert job["source"] == "terminal" and job["notebook"] is None
    assert job["args"] == {"modules": ["01_numbers"]}  # the name as typed (01), shown as the course's id
    assert_fits_the_document(job)
    # It is followed while it runs: a test reports before the run has ended.
    live = await api.wait_for_event(job["id"], lambda e: e.get("event") == "test", timeout=120)
    assert live["state"] == "running"

    ended = await api.wait(job["id"], timeout=180)
    assert await exited(proc) == 0
    printed = json.loads(proc.stdout.read())
    assert ended["state"] == "succeeded" and ended["result"] == printed  # what the terminal printed, no less
    assert_fits_the_document(ended)
    outcomes = [e["outcome"] for e in ended["events"] if e["event"] == "test"]
    assert outcomes.count("passed") >= 3 and "failed" not in outcomes
    assert [j["id"] for j in (await api("GET", "jobs"))[1]["jobs"]] == [job["id"]]  # shown once

    # Its events went out on the event bus like a server job's, while it ran, then its end.
    mine = [h for h in heard if h["job_id"] == job["id"]]
    tests_heard = [h for h in mine if h["event"] and json.loads(h["event"])["event"] == "test"]
    assert tests_heard and all(h["state"] == "running" for h in tests_heard)
    assert mine[-1]["state"] == "succeeded" and mine[-1]["event"] == ""


@pytest.mark.posix_only
async def test_a_sigkilled_terminal_run_ends_stopped_not_running_forever(api, course_dir, terminal, tag):
    write_module(course_dir, LOOPING_TEST)
    proc = terminal("complete", "01", "--timeout", "600")
    job = await terminal_job(api)
    await api.wait_for_event(job["id"], lambda e: e.get("event") == "step" and e.get("step") == "test", timeout=120)
    deadline = time.monotonic() + 120
    while not any("pytest" in " ".join(p.cmdline()) for p in marked(tag) if p.pid != proc.pid):
        assert time.monotonic() < deadline, "pytest never started"
        await asyncio.sleep(0.1)

    proc.send_signal(signal.SIGKILL)
    ended = await api.wait(job["id"], timeout=30)
    assert ended["state"] == "cancelled"
    assert ended["result"]["ok"] is False and ended["result"]["error"]["kind"] == "stopped"
    assert "Stopped" in ended["result"]["summary"] and "killed" in ended["result"]["summary"]
    assert_fits_the_document(ended)


@pytest.mark.posix_only
async def test_cancel_from_the_server_stops_the_terminal_run_as_ctrl_c_would(api, course_dir, terminal, tag):
    write_module(course_dir, LOOPING_TEST)
    proc = terminal("complete", "01", "--timeout", "600")
    job = await terminal_job(api)
    await api.wait_for_event(job["id"], lambda e: e.get("event") == "step" and e.get("step") == "test", timeout=120)

    status, ended = await api("DELETE", f"jobs/{job['id']}")
    assert status == 200 and ended["state"] == "cancelled", ended
    assert ended["result"]["error"]["kind"] == "interrupted" and "SIGTERM" in ended["result"]["summary"]
    assert await exited(proc) == 128 + signal.SIGTERM
    assert_tree_gone(tag, timeout=30)  # its pytest too


def write_run(folder: Path, header: dict, *lines: bytes | dict, when: float | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{header['id']}.jsonl"
    body = json.dumps(header).encode() + b"\n"
    for line in lines:
        body += (json.dumps(line).encode() + b"\n") if isinstance(line, dict) else line
    path.write_bytes(body)
    if when is not None:
        os.utime(path, (when, when))
    return path


def header_for(run_id: str, pid: int, process_started: float | None) -> dict:
    return {"type": "run", "id": run_id, "command": "module.test", "args": {"modules": ["01"]},
            "origin": "terminal", "pid": pid, "process_started": process_started, "started": time.time()}


@pytest.mark.posix_only  # one of the broken run files is a FIFO
async def test_broken_run_files_do_not_break_the_list(api, course_dir, tmp_path):
    folder = course_dir / ".tito/runs"
    folder.mkdir(parents=True)
    (folder / "run-1-1-a1.jsonl").write_bytes(b"\xff\xfe\x00 not json at all\n" * 3)
    (folder / "run-1-1-a2.jsonl").write_bytes(b"")
    (folder / "run-1-1-a3.jsonl").write_bytes(b'{"type": "run", "id": "run-1-1-a3", "comm')  # cut short
    (folder / "run-1-1-a4.jsonl").write_text('["a", "list"]\n{"type": "result", "ok": true}\n')
    (folder / "run-1-1-a5.jsonl").write_text(json.dumps({"type": "run", "id": 5, "pid": "x"}) + "\n")
    os.mkfifo(folder / "run-1-1-a6.jsonl")  # a reader that opened it plainly would wait forever
    (folder / "run-1-1-a7.jsonl").mkdir()
    outside = write_run(tmp_path / "elsewhere", header_for("run-1-1-a8", os.getpid(), None))
    (folder / "run-1-1-a8.jsonl").symlink_to(outside)
    (folder / "notes.txt").write_text("not a run")
    nan_start = {**header_for("run-1-1-a9", 999_999_999, None)}
    (folder / "run-1-1-a9.jsonl").write_text(json.dumps(nan_start).replace(str(nan_start["started"]), "NaN") + "\n")
    # A run that ended before the server started: its rows already say what it did, it is not listed.
    write_run(folder, header_for("run-1-1-b1", 999_999_999, None), {"type": "result", "ok": True, "summary": "old"},
              when=time.time() - 3600)
    # A whole run with a garbage line, a non-event and a line of NaN among its events, then its result.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    good = write_run(folder, header_for("run-1-1-c1", int(dead.stdout), 1.0),
                     {"type": "event", "event": "step", "step": "test", "state": "running", "module": "01_numbers"},
                     b"\x00\x01 garbage \xff\n", b"{\"type\": \"event\", \"event\": \"test\", \"x\": NaN\n",
                     b"{\"type\": \"event\", \"event\": \"log\", \"x\": NaN}\n",  # Python reads it; JSON has no NaN
                     {"type": "other"}, {"type": "event", "event": "collected", "count": 2},
                     {"type": "result", "command": "module.test", "ok": False, "summary": "1 failed", "data": {},
                      "error": {"kind": "tests_failed"}, "duration": 1.0},
                     b'{"type": "event", "event": "after the end"}\n')

    deadline = time.monotonic() + 60
    while True:
        status, body = await api("GET", "jobs")
        assert status == 200, body
        states = {j["id"]: j["state"] for j in body["jobs"]}
        if states.get("run-1-1-c1") == "failed":
            break
        assert time.monotonic() < deadline, f"the whole run was never listed as ended: {states}"
        await asyncio.sleep(0.1)
    assert list(states) == ["run-1-1-c1"], states  # none of the broken ones, not the old one
    json.dumps(body, allow_nan=False)  # what the server said is strict JSON
    _, job = await api("GET", "jobs/run-1-1-c1")
    assert [e["event"] for e in job["events"]] == ["step", "collected"]
    assert job["result"]["summary"] == "1 failed" and job["origin"] == "terminal"
    assert (await api("GET", "modules"))[0] == 200  # the server still answers
    assert good.exists()


async def test_a_run_of_a_pid_given_to_another_process_is_over_and_that_process_is_left_alone(api, course_dir):
    other = subprocess.Popen(["sleep", "120"])
    try:
        real = psutil.Process(other.pid).create_time()
        write_run(course_dir / ".tito/runs", header_for("run-1-1-d1", other.pid, real - 1000))
        assert await _listed(api, "run-1-1-d1")
        ended = await api.wait("run-1-1-d1", timeout=60)
        assert ended["state"] == "cancelled" and ended["result"]["error"]["kind"] == "stopped"
        status, again = await api("DELETE", "jobs/run-1-1-d1")
        assert status == 200 and again["state"] == "cancelled"
        assert other.poll() is None, "a process that only reused the run's pid was signalled"
    finally:
        other.kill()
        other.wait()


@pytest.mark.posix_only
async def test_another_users_run_is_not_stopped_from_here(api, course_dir):
    nobody = subprocess.Popen(["sleep", "120"], user=65534, group=65534)
    try:
        write_run(course_dir / ".tito/runs",
                  header_for("run-1-1-e1", nobody.pid, psutil.Process(nobody.pid).create_time()))
        assert await _listed(api, "run-1-1-e1")
        status, body = await api("DELETE", "jobs/run-1-1-e1")
        assert status == 409 and body["reason"] == "not_stoppable" and "another user" in body["message"]
        assert nobody.poll() is None
        assert (await api("GET", "jobs/run-1-1-e1"))[1]["state"] == "running"
    finally:
        nobody.kill()
        nobody.wait()


async def _listed(api, job_id: str, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (await api("GET", f"jobs/{job_id}"))[0] == 200:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_server_job_is_listed_once_and_announces_no_run(api, course_dir):
    status, job = await api("POST", "modules/01_numbers/export", body={})
    assert status == 202 and job["origin"] == "server"
    assert (await api.wait(job["id"], timeout=120))["state"] == "succeeded"
    await asyncio.sleep(0.5)  # several looks at the runs folder
    _, body = await api("GET", "jobs")
    assert [j["id"] for j in body["jobs"]] == [job["id"]]
    assert not list((course_dir / ".tito/runs").glob("*.jsonl")) if (course_dir / ".tito/runs").exists() else True


async def test_the_server_stopping_leaves_a_terminal_run_running(api, course_dir, terminal, tito_ext):
    write_module(course_dir, LOOPING_TEST)
    proc = terminal("complete", "01", "--timeout", "600")
    job = await terminal_job(api)
    await api.wait_for_event(job["id"], lambda e: e.get("event") == "step" and e.get("step") == "test", timeout=120)
    await tito_ext.stop_extension()  # what a server shutdown calls: its own jobs are stopped, not the student's
    await asyncio.sleep(1.0)
    assert proc.poll() is None, "the server's stopping stopped a run of the student's terminal"


async def test_a_long_run_that_ended_is_read_to_its_result_not_taken_for_killed(api, course_dir, tito_ext):
    # More than one look reads, from a process that has ended: its result still counts.
    tito_ext.terminal_runs.read_limit = 16 * 1024
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    events = [{"type": "event", "event": "log", "level": "info", "message": f"line {i} " + "é" * 300}
              for i in range(300)]
    write_run(course_dir / ".tito/runs", header_for("run-1-1-f1", int(dead.stdout), 1.0), *events,
              {"type": "result", "command": "module.test", "ok": True, "summary": "all passed",
               "data": {"modules": [], "warnings": []}, "error": None, "duration": 9.0})  # the shape module.test has
    assert await _listed(api, "run-1-1-f1")
    job = await api.wait("run-1-1-f1", timeout=60)
    assert job["state"] == "succeeded" and job["result"]["summary"] == "all passed"
    assert job["event_count"] == 300
