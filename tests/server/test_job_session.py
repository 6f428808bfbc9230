"""Where a server's job runs among the system's sessions (Linux): in the server's session where the server leads
one (as JupyterHub's spawner starts it), so that the job's lower priority counts against the server; in a
session of its own where the server runs in someone else's (a terminal's shell, these tests' workers).

Each job runs a probe among module 01's tests: it writes where it runs (its session, process group, autogroup,
whether it has a controlling terminal), then waits to be cancelled.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from process_tree import processes_carrying
from subprocess_jupyter import Server, isolated_jupyter_env

from tito_jupyter.server.jobs import JOB_MARKER

pytestmark = pytest.mark.linux_only  # sessions that stay shared need Linux's TIOCNOTTY (platform.head_a_tree)

PROBE = '''import json
import os
import time


def test_where_it_runs():
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK))
        terminal = True
    except OSError:
        terminal = False
    try:
        with open("/proc/self/autogroup") as f:
            autogroup = f.read().split()[0]
    except OSError:
        autogroup = None
    job = os.getppid()  # the job's tito process started this pytest
    seen = {{"pid": os.getpid(), "session": os.getsid(0), "group": os.getpgrp(), "terminal": terminal,
            "autogroup": autogroup, "job": job, "job_session": os.getsid(job), "job_group": os.getpgid(job)}}
    with open({out!r} + ".part", "w") as f:
        json.dump(seen, f)
    os.replace({out!r} + ".part", {out!r})
    time.sleep(600)  # until the job is cancelled
'''


def plant_probe(course: Path, out: Path) -> None:
    (course / "tests/modules/01_numbers/test_zz_where_it_runs.py").write_text(PROBE.format(out=str(out)))


def wait_for_file(path: Path, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"the probe never wrote {path.name}"
        time.sleep(0.05)
    return json.loads(path.read_text())


def autogroup_of(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/autogroup").read_text().split()[0]
    except OSError:
        return None


def wait_until_gone(job_id: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while processes_carrying(JOB_MARKER, job_id):
        assert time.monotonic() < deadline, "the cancelled job's processes are still running"
        time.sleep(0.1)


def test_a_job_stays_in_the_session_of_a_server_that_leads_one_without_its_terminal(course_dir, tmp_path):
    """The server leads a session with a controlling terminal (a pseudo-terminal it took, as a shell takes one):
    its job and the job's tests run in that session and autogroup, each at the head of a process group of its
    own, and neither can open the terminal. Cancelled, the job's whole tree ends and the server answers on."""
    import fcntl  # POSIX's: imported here, so that the module is collected where it is deselected
    import pty
    import termios

    out = tmp_path / "where.json"
    plant_probe(course_dir, out)
    controller, terminal = pty.openpty()

    def take_the_terminal():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    server = Server(course_dir, isolated_jupyter_env(tmp_path), tmp_path / "server.log", "/user/student/",
                    stdin=terminal, preexec_fn=take_the_terminal)
    os.close(terminal)
    try:
        server.wait_until_ready()
        tty_nr = int(Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()[4])
        assert tty_nr != 0, "the server has no controlling terminal: the test would prove nothing"
        job = server.call("POST", "tito/api/modules/01_numbers/complete", {})
        seen = wait_for_file(out)
        assert seen["session"] == seen["job_session"] == server.process.pid  # the server's session
        assert seen["job_group"] == seen["job"] and seen["group"] == seen["pid"]  # each heads its own group
        assert seen["terminal"] is False  # the terminal stays the server's
        if autogroup_of(server.process.pid) is not None:
            assert seen["autogroup"] == autogroup_of(server.process.pid)
        server.call("DELETE", f"tito/api/jobs/{job['id']}")
        wait_until_gone(job["id"])
        assert server.call("GET", f"tito/api/jobs/{job['id']}")["state"] == "cancelled"
        assert server.process.poll() is None and server.call("GET", "tito/api/version")["api"] == 1
    finally:
        server.stop()
        os.close(controller)


async def test_a_job_of_a_server_in_another_session_leads_its_own(api, course_dir, tmp_path):
    """This test's server runs in the test worker's process, which does not lead its session: the session is not
    the server's to share, and its job and the job's tests each lead a session of their own."""
    import asyncio

    out = tmp_path / "where.json"
    plant_probe(course_dir, out)
    assert os.getsid(0) != os.getpid()
    _, job = await api("POST", "modules/01_numbers/complete", body={})
    deadline = time.monotonic() + 60
    while not out.exists():
        assert time.monotonic() < deadline, "the probe never ran"
        await asyncio.sleep(0.05)
    seen = json.loads(out.read_text())
    assert seen["job_session"] == seen["job"] and seen["session"] == seen["pid"]
    assert os.getsid(0) not in (seen["job_session"], seen["session"])
    await api("DELETE", f"jobs/{job['id']}")
    done = await api.wait(job["id"])
    assert done["state"] == "cancelled"
    wait_until_gone(job["id"])
