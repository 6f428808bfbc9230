"""`tito nbgrader autograde --gateway URL`: a cluster from a real Dask Gateway, the same grades, shut down after.

A real `dask-gateway-server` (its local backend: schedulers and workers are processes of this machine, as root,
so the workers jail what they grade), on loopback with a password, started by the test. tito asks it for a
cluster of two workers, grades on it, writes the gradebook in its own process, and shuts the cluster down: the
grades are those of the local run, and no scheduler or worker of the cluster is left afterwards. Real
dask-gateway (client and server), distributed, nbgrader, nbdev, pytest.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import dask
import psutil
import pytest

import dask_gateway  # noqa: F401 (in the test extra: a missing one fails here, it is not skipped)

from tito_jupyter import engine
from tito_jupyter.engine.context import Context

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from course_factory import make_course  # noqa: E402
from grading_factory import answer, released_notebook, submit  # noqa: E402

ANSWERS = {"full": "return a + b", "partial": "return a - b if a < 0 else a + b", "none": "return None"}
STUDENTS = {f"s{i}_{kind}": code for i, (kind, code) in enumerate(list(ANSWERS.items()) * 2)}
BIN = Path(sys.executable).parent
PASSWORD = "tito-gateway-test"
#: The gateway's workers grade on this machine, which needs resource limits (Linux, macOS).
pytestmark = pytest.mark.posix_only


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(root: Path, command: str, args: dict):
    return engine.run(command, args, Context(project=root))


def cluster_processes(folder: Path) -> list[psutil.Process]:
    """Live schedulers and workers the gateway started (their working folders are under ``folder``)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.cwd().startswith(str(folder)) and proc.status() != "zombie":
                found.append(proc)
        except psutil.Error:
            continue
    return found


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """A dask-gateway-server on loopback; yields (its URL, the folder its clusters run in)."""
    folder = tmp_path_factory.mktemp("gateway")
    clusters = folder / "clusters"
    clusters.mkdir()
    port = free_port()
    (folder / "dask_gateway_config.py").write_text(f"""
c.DaskGateway.address = "127.0.0.1:{free_port()}"
c.Proxy.address = "127.0.0.1:{port}"
c.DaskGateway.backend_class = "dask_gateway_server.backends.local.UnsafeLocalBackend"
c.DaskGateway.authenticator_class = "dask_gateway_server.auth.SimpleAuthenticator"
c.SimpleAuthenticator.password = {PASSWORD!r}
c.UnsafeLocalBackend.clusters_directory = {str(clusters)!r}
c.ClusterConfig.scheduler_cmd = [{str(BIN / "dask")!r}, "scheduler"]
c.ClusterConfig.worker_cmd = [{str(BIN / "dask")!r}, "worker"]
c.ClusterConfig.worker_cores = 1
c.ClusterConfig.worker_memory = "4 G"
c.ClusterConfig.idle_timeout = 600
""")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    server = subprocess.Popen([str(BIN / "dask-gateway-server"), "-f", str(folder / "dask_gateway_config.py")],
                              cwd=folder, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=open(folder / "gateway.log", "wb"))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the gateway did not start: " + (folder / "gateway.log").read_text()[-2000:])
                time.sleep(0.3)
        with dask.config.set({"gateway.auth.type": "basic", "gateway.auth.kwargs": {"password": PASSWORD}}):
            yield url, clusters
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()
        for proc in cluster_processes(clusters):
            proc.kill()


@pytest.fixture(scope="module")
def graded(gateway, tmp_path_factory):
    url, clusters = gateway
    root = make_course(tmp_path_factory.mktemp("course") / "course")
    nbgrader = root / "nbgrader"
    assert run(root, "nbgrader.init", {}).ok
    assert run(root, "nbgrader.generate", {"modules": ["01"]}).ok
    handed_out = released_notebook(nbgrader, "01_numbers")
    for student, code in STUDENTS.items():
        submit(nbgrader, student, "01_numbers", answer(handed_out, code))
    local = run(root, "nbgrader.autograde", {"module": "01", "workers": 2, "timeout": 60})
    on_gateway = run(root, "nbgrader.autograde", {"module": "01", "gateway": url, "workers": 2, "timeout": 60})
    deadline = time.monotonic() + 60
    while cluster_processes(clusters) and time.monotonic() < deadline:
        time.sleep(0.5)
    return {"local": local, "gateway": on_gateway, "left": cluster_processes(clusters), "nbgrader": nbgrader}


def test_the_gateway_run_gives_the_local_grades(graded):
    local, on_gateway = graded["local"], graded["gateway"]
    assert local.ok, local.summary
    assert on_gateway.ok, on_gateway.summary
    scores = {r["student"]: r["score"] for r in on_gateway.data["submissions"]}
    assert scores == {r["student"]: r["score"] for r in local.data["submissions"]}
    assert scores == {"s0_full": 3.0, "s1_partial": 2.0, "s2_none": 0.0, "s3_full": 3.0, "s4_partial": 2.0,
                      "s5_none": 0.0}
    assert "Dask Gateway" in on_gateway.summary and on_gateway.data["gateway"]
    # The workers run as root here, so they jailed every submission (and forked it from a warm grader).
    assert on_gateway.data["jailed"] is True, on_gateway.data["containment"]
    assert all(r["warm"] for r in on_gateway.data["submissions"])


def test_the_gradebook_holds_the_gateway_grades(graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['nbgrader']}/gradebook.db") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions("01_numbers")}
    assert scores == {r["student"]: r["score"] for r in graded["gateway"].data["submissions"]}


def test_the_cluster_is_shut_down_after_the_run(graded):
    assert not graded["left"], [(p.pid, p.cmdline()[:3]) for p in graded["left"]]


def test_a_gateway_that_does_not_answer_is_a_sentence(graded, tmp_path):
    root = graded["nbgrader"].parent
    result = run(root, "nbgrader.autograde", {"module": "01", "gateway": f"http://127.0.0.1:{free_port()}",
                                              "timeout": 60})
    assert not result.ok and result.error["kind"] == "usage_error"
    assert "did not start a cluster" in result.summary


def test_scheduler_and_gateway_together_are_refused(graded):
    root = graded["nbgrader"].parent
    result = run(root, "nbgrader.autograde", {"module": "01", "gateway": "http://127.0.0.1:1",
                                              "scheduler": "tcp://127.0.0.1:1"})
    assert not result.ok and "not both" in result.summary
