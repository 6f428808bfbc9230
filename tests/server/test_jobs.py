"""Jobs as real subprocesses: exports never overlap, cancel and timeout stop every process and leave the package
whole, a crashing job is reported, and the server keeps answering while a student's infinite loop runs."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import sys
import time
import urllib.request
from pathlib import Path

import psutil
from process_tree import processes_carrying
import pytest
from course_factory import NUMBERS_EXPORT, notebook, numbers_notebook, write_notebook

from tito_jupyter import engine, platform
from tito_jupyter.engine.context import Context
from tito_jupyter.server.jobs import JOB_MARKER

LOOPING_TEST = "def test_unit_add():\n    while True:\n        pass\n"


def make_looping(course_dir: Path) -> None:
    """Module 01's inline test never ends (a student's infinite loop)."""
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", notebook(
        ("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT),
        ("code", LOOPING_TEST)))


def processes_of(job_id: str) -> list[psutil.Process]:
    return processes_carrying(JOB_MARKER, job_id)


async def wait_for_pytest(job_id: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(p.cmdline()[1:3] == ["-m", "pytest"] for p in processes_of(job_id)):
        assert time.monotonic() < deadline, "the job's pytest never started"
        await asyncio.sleep(0.1)


def assert_package_whole(course_dir: Path) -> None:
    assert not list(course_dir.rglob("*.tito-tmp")), "a temporary file was left behind"
    for path in (course_dir / "tinytorch").rglob("*.py"):
        compile(path.read_text(), str(path), "exec")  # no half-written file


async def test_simultaneous_exports_never_overlap_and_leave_a_consistent_package(api, course_dir, tito_ext):
    tito_ext.jobs.max_running = 4  # let them really run at the same time
    bodies = [{"command": "module.export", "args": args} for args in (
        {"all": True, "force": True}, {"modules": ["01"]}, {"modules": ["02", "01"]}, {"all": True},
        {"modules": ["02"], "force": True}, {"all": True, "force": True}, {"modules": ["1"]}, {"all": True})]
    accepted = await asyncio.gather(*(api("POST", "jobs", body=body) for body in bodies))
    assert all(status == 202 for status, _ in accepted)
    done = [await api.wait(job["id"]) for _, job in accepted]
    assert [job["state"] for job in done] == ["succeeded"] * len(bodies), [j["result"] for j in done]
    # A forced export always works under the project's export lock: their time spans must not overlap. (An
    # unforced one that finds every module up to date writes nothing and takes no lock: it looks before it would.)
    locked = [job for job, body in zip(done, bodies) if body["args"].get("force")]
    spans = sorted((min(e["time"] for e in exports), max(e["time"] for e in exports))
                   for job in locked if (exports := [e for e in job["events"] if e.get("step") == "export"]))
    assert len(spans) == len(locked) == 3
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert start >= end, "two exports overlapped"
    assert_package_whole(course_dir)
    _, check = await api("POST", "jobs", body={"command": "module.export", "args": {"all": True, "check": True}})
    assert (await api.wait(check["id"]))["result"]["ok"], "the package is not what the notebooks say"


async def test_cancel_stops_the_tests_and_leaves_no_partial_files(api, course_dir):
    make_looping(course_dir)
    _, job = await api("POST", "modules/01_numbers/complete", body={"timeout": 300})
    await wait_for_pytest(job["id"])
    # What a writer of the job that had to be killed (SIGKILL) would leave: the server sweeps it after the stop.
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    killed_write = course_dir / f".tito/.progress.json.{gone.pid}-00.tito-tmp"
    killed_write.write_text("{half")
    status, ended = await api("DELETE", f"jobs/{job['id']}")
    assert status == 200 and ended["state"] == "cancelled"
    assert ended["result"]["ok"] is False and ended["result"]["error"]["kind"] == "cancelled"
    assert "Cancelled" in ended["result"]["summary"]
    assert processes_of(job["id"]) == [], "a process of the cancelled job is still running"
    assert_package_whole(course_dir)
    progress = json.loads((course_dir / ".tito/progress.json").read_text())
    assert not progress["modules"]["01_numbers"].get("completed_at")
    assert (await api("DELETE", f"jobs/{job['id']}"))[1]["state"] == "cancelled"  # again: no change


async def test_cancel_at_any_moment_of_an_export_leaves_old_or_new_files(api, course_dir):
    notebook_path = course_dir / "modules/01_numbers/01_numbers.ipynb"
    for i, delay in enumerate((0.0, 0.05, 0.15, 0.3, 0.5, 0.8)):
        source = NUMBERS_EXPORT.replace("Add two numbers.", f"Add two numbers (version {i}).")
        write_notebook(notebook_path, numbers_notebook(source))
        _, job = await api("POST", "jobs", body={"command": "module.export", "args": {"all": True}})
        await asyncio.sleep(delay)
        _, ended = await api("DELETE", f"jobs/{job['id']}")
        assert ended["state"] in ("cancelled", "succeeded")
        assert processes_of(job["id"]) == []
        assert_package_whole(course_dir)
        numbers = course_dir / "tinytorch/core/numbers.py"
        if numbers.exists():
            assert "Add two numbers (version" in numbers.read_text()
    _, job = await api("POST", "jobs", body={"command": "module.export", "args": {"all": True}})
    assert (await api.wait(job["id"]))["state"] == "succeeded"
    assert "(version 5)" in (course_dir / "tinytorch/core/numbers.py").read_text()


class TestOneJobAtATime:
    @pytest.fixture
    def tito_config(self):
        return {"max_running_jobs": 1}

    async def test_a_queued_job_waits_and_can_be_cancelled_before_it_starts(self, api, course_dir):
        make_looping(course_dir)
        _, looping = await api("POST", "modules/01_numbers/complete", body={})
        await wait_for_pytest(looping["id"])
        status, waiting = await api("POST", "modules/02_doubling/export", body={})
        assert status == 202 and waiting["state"] == "queued"
        await asyncio.sleep(0.3)
        assert (await api("GET", f"jobs/{waiting['id']}"))[1]["state"] == "queued"
        _, ended = await api("DELETE", f"jobs/{waiting['id']}")
        assert ended["state"] == "cancelled" and ended["started"] is None
        _, ended = await api("DELETE", f"jobs/{looping['id']}")
        assert ended["state"] == "cancelled"
        _, after = await api("POST", "modules/02_doubling/validate", body={})  # the queue moves on
        assert (await api.wait(after["id"]))["state"] in ("succeeded", "failed")


class TestJobTimeout:
    @pytest.fixture
    def tito_config(self):
        return {"job_timeout": 3.0}

    async def test_an_infinite_loop_ends_timed_out_and_the_server_keeps_answering(self, api, course_dir):
        make_looping(course_dir)
        started = time.monotonic()
        _, job = await api("POST", "modules/01_numbers/complete", body={})
        await wait_for_pytest(job["id"])
        latencies = []
        for _ in range(20):  # while the loop burns a core, status requests still answer at once
            t0 = time.perf_counter()
            status, _ = await api("GET", "modules")
            latencies.append(time.perf_counter() - t0)
            assert status == 200
        assert statistics.median(latencies) < 0.25, latencies
        done = await api.wait(job["id"], timeout=30)
        assert done["state"] == "timed_out"
        assert time.monotonic() - started < 15
        assert done["result"]["ok"] is False and done["result"]["error"]["kind"] == "timed_out"
        assert "Timed out" in done["result"]["summary"] and "infinite loop" in done["result"]["summary"]
        assert processes_of(job["id"]) == []
        assert_package_whole(course_dir)
        assert (await api("GET", "version"))[0] == 200
        _, after = await api("POST", "modules/02_doubling/export", body={})
        after = await api.wait(after["id"])
        # The server still runs jobs: the next one starts and ends (on a loaded machine even an export may pass the
        # 3 s this test allows a job, so its end may be a time-out too).
        assert after["state"] in ("succeeded", "failed", "timed_out") and after["events"], after


async def test_the_engine_timeout_of_a_test_run_is_a_clear_failure(api, course_dir):
    make_looping(course_dir)
    _, job = await api("POST", "modules/01_numbers/complete", body={"timeout": 1.5})
    done = await api.wait(job["id"], timeout=30)
    assert done["state"] == "failed"
    assert "timed out after 2 s" in done["result"]["summary"] and "infinite loop" in done["result"]["summary"]
    assert processes_of(job["id"]) == []


async def test_a_job_that_dies_is_reported_and_the_next_export_repairs(api, course_dir, monkeypatch):
    monkeypatch.setenv("TITO_FAULT", "export.write")  # the job process kills itself half way through a write
    _, job = await api("POST", "modules/01_numbers/export", body={})
    done = await api.wait(job["id"])
    assert done["state"] == "failed" and done["result"]["error"]["kind"] == "internal"
    assert "stopped without a result (exit code -9)" in done["result"]["summary"]
    assert not (course_dir / "tinytorch/core/numbers.py").exists()  # the old (absent) file, not half of the new
    monkeypatch.delenv("TITO_FAULT")
    _, job = await api("POST", "modules/01_numbers/export", body={})
    assert (await api.wait(job["id"]))["state"] == "succeeded"
    assert_package_whole(course_dir)


async def test_stopping_the_server_stops_its_jobs(api, course_dir, tito_ext):
    make_looping(course_dir)
    _, job = await api("POST", "modules/01_numbers/complete", body={})
    await wait_for_pytest(job["id"])
    await tito_ext.stop_extension()
    assert tito_ext.jobs.get(job["id"]).state == "cancelled"
    assert processes_of(job["id"]) == []


def test_kernels_learn_the_server_address(tito_ext, jp_serverapp, monkeypatch):
    monkeypatch.delenv("TITO_SERVER_URL", raising=False)
    monkeypatch.delenv("TITO_SERVER_TOKEN", raising=False)
    assert tito_ext.kernel_url() == f"http://127.0.0.1:{jp_serverapp.port}/a%40b/"
    tito_ext.publish_for_kernels()
    assert os.environ["TITO_SERVER_URL"] == tito_ext.kernel_url()
    assert os.environ["TITO_SERVER_TOKEN"] == jp_serverapp.identity_provider.token


@pytest.mark.parametrize("raw_timeout", ["NaN", "Infinity", "1e400", "1" + "0" * 400, "0", "-1", "86401", '"5"'])
async def test_a_timeout_must_be_a_finite_positive_number_of_seconds(api, course_dir, raw_timeout):
    # Python's JSON reader takes NaN and Infinity: the request checks must still refuse them.
    for path, body in (("jobs", '{"command": "module.test", "args": {"modules": ["01"], "timeout": %s}}'),
                       ("modules/01_numbers/complete", '{"timeout": %s}'),
                       ("checkpoints/c01/test", '{"timeout": %s}')):
        status, answer = await api("POST", path, raw_body=body % raw_timeout)
        assert status == 400, (path, raw_timeout, answer)
        assert answer["reason"] == "invalid_argument" and "argument 'timeout' must be a number" in answer["message"]
    _, jobs = await api("GET", "jobs")
    assert jobs["jobs"] == [] and not (course_dir / ".tito/progress.json").exists()


@pytest.mark.posix_only  # it runs autograde, which needs resource limits (Linux, macOS)
async def test_a_job_hands_list_arguments_to_the_engine_as_lists(api, course_dir, monkeypatch):
    # A real command whose option takes a list (--student ... for nbgrader autograde), on a real nbgrader course.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    for command, args in (("nbgrader.init", {}), ("nbgrader.generate", {"modules": ["01"]})):
        assert engine.run(command, args, Context(project=course_dir)).ok
    students = ["alice", "bob o'brien", "Zoë"]
    status, job = await api("POST", "jobs", body={"command": "nbgrader.autograde",
                                                  "args": {"module": "01", "students": students}})
    assert status == 202 and job["args"]["students"] == students, job
    done = await api.wait(job["id"], timeout=120)
    # Nobody has submitted: the engine names the students it was given, one by one.
    assert done["result"]["error"]["kind"] == "usage_error", done["result"]
    assert done["result"]["summary"].startswith(
        f"01_numbers has no submissions in {course_dir / 'nbgrader/submitted'} from alice, bob o'brien, Zoë.")


@pytest.mark.posix_only
def test_a_sigkilled_server_leaves_no_job_and_no_test_behind(course_dir, tmp_path):
    """The server itself dies by SIGKILL (no shutdown hook runs) while a job's pytest loops: the job (the CLI)
    dies with the server, and the CLI's pytest dies with the CLI (parent-death signal and the guard)."""
    from lab.lab_server import start_lab, stop_lab

    make_looping(course_dir)
    server = start_lab(course_dir, tmp_path / "home", [], {})
    try:
        request = urllib.request.Request(
            server.url + "tito/api/modules/01_numbers/complete", data=json.dumps({"timeout": 600}).encode(),
            method="POST", headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            job = json.loads(response.read())
        # Once pytest has collected, the job prints nothing more until the loop ends (never): a job that
        # only stopped when its next write failed would live on.
        deadline = time.monotonic() + 120
        while not any(e.get("event") == "collected" for e in server.api(f"tito/api/jobs/{job['id']}")["events"]):
            assert time.monotonic() < deadline, f"the job's pytest never started: {server.log()[-2000:]}"
            time.sleep(0.1)
        assert any(p.cmdline()[1:3] == ["-m", "pytest"] for p in processes_of(job["id"]))
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        deadline = time.monotonic() + 20
        while (left := processes_of(job["id"])) and time.monotonic() < deadline:
            time.sleep(0.1)
        names = [" ".join(p.cmdline())[:100] for p in left]
        for proc in left:
            proc.kill()
        assert not left, f"the job outlived its server: {names}"
    finally:
        stop_lab(server)


async def test_a_job_and_the_tests_it_runs_yield_the_cpu_to_the_server(api, course_dir, tito_ext):
    """Two jobs of busy tests must not take the server's turns on the cores: they run `job_niceness` lower."""
    assert tito_ext.job_niceness == 10
    make_looping(course_dir)
    _, job = await api("POST", "modules/01_numbers/complete", body={"timeout": 300})
    try:
        await wait_for_pytest(job["id"])
        server = psutil.Process().nice()
        niceness = {p.pid: p.nice() for p in processes_of(job["id"])}
        assert len(niceness) >= 2, niceness  # the job's tito and its pytest, at least
        below = getattr(psutil, "BELOW_NORMAL_PRIORITY_CLASS", None)  # Windows: priority classes, not nice values
        assert set(niceness.values()) == {below if below is not None else min(19, server + 10)}, (server, niceness)
    finally:
        await api("DELETE", f"jobs/{job['id']}")
    assert processes_of(job["id"]) == []


@pytest.mark.linux_only  # the idle policy (SCHED_IDLE) is Linux's; elsewhere the niceness above is the way
async def test_a_job_and_the_tests_it_runs_take_a_core_only_when_the_server_leaves_it_free(api, course_dir, tito_ext):
    """Where the kernel weighs sessions apart (autogroups), niceness does not hold between the server and a job and
    its pytest, which each lead a session: every process of a job then runs under the idle policy, checked on the
    real processes. Elsewhere (a cgroup of its own, as on CI's runners) they keep the normal policy and the niceness
    (an idle policy there would let a busy kernel starve them)."""
    assert tito_ext.job_idle_scheduling == "auto"
    expected = os.SCHED_IDLE if platform.sessions_weighed_apart() else os.SCHED_OTHER
    make_looping(course_dir)
    _, job = await api("POST", "modules/01_numbers/complete", body={"timeout": 300})
    try:
        await wait_for_pytest(job["id"])
        policies = {" ".join(p.cmdline()[1:3]): os.sched_getscheduler(p.pid) for p in processes_of(job["id"])}
        assert "-m pytest" in policies and "-m tito_jupyter" in policies, policies
        assert set(policies.values()) == {expected}, (expected, policies)
        assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the server itself keeps its normal turns
    finally:
        await api("DELETE", f"jobs/{job['id']}")
    assert processes_of(job["id"]) == []


async def test_a_long_poll_answers_as_soon_as_the_job_has_news_or_ends(api, course_dir):
    make_looping(course_dir)
    _, job = await api("POST", "modules/01_numbers/complete", body={"timeout": 300})
    await wait_for_pytest(job["id"])
    # pytest's collection is news that may come well after its process starts (a loaded machine): wait for it first
    seen = await api.wait_for_event(job["id"], lambda e: e["event"] == "collected", timeout=120)
    count = seen["event_count"]
    for _ in range(100):  # the looping test has started: let the events of its start arrive, then it is quiet
        await asyncio.sleep(0.3)
        _, seen = await api("GET", f"jobs/{job['id']}", params={"since": str(count)})
        if seen["event_count"] == count:
            break
        count = seen["event_count"]

    async def cancel_soon():
        await asyncio.sleep(1.0)
        await api("DELETE", f"jobs/{job['id']}")

    canceller = asyncio.ensure_future(cancel_soon())
    started = time.monotonic()
    status, held = await api("GET", f"jobs/{job['id']}", params={"since": str(count), "wait": "30"})
    waited = time.monotonic() - started
    await canceller
    assert status == 200
    assert held["state"] == "cancelled" or held["events"], held  # it answered with news, not empty-handed
    assert 0.5 < waited < 25, waited  # held until the news (the cancel, a second on), not to the end of the wait
    started = time.monotonic()
    status, ended = await api("GET", f"jobs/{job['id']}", params={"since": str(held["event_count"]), "wait": "30"})
    assert status == 200 and ended["state"] == "cancelled" and time.monotonic() - started < 5  # ended: at once


@pytest.mark.parametrize("wait", ["-1", "31", "1.5", "lots", "999"])
async def test_a_long_poll_waits_whole_seconds_up_to_thirty(api, course_dir, wait):
    _, job = await api("POST", "modules/01_numbers/export", body={})
    status, body = await api("GET", f"jobs/{job['id']}", params={"wait": wait})
    assert status == 400 and body["reason"] == "invalid_wait" and "0 to 30" in body["message"]
