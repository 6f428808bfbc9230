"""Waiting for a child's end wakes when it ends (Linux's pidfd) and still leaves it unreaped, so its group id is
not reused before the rest of its group is stopped; where the system cannot wait that way, naps as before."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tito_jupyter.engine import processes


@pytest.mark.linux_only  # pidfd and waitid(WNOWAIT)
def test_a_child_that_ends_is_seen_at_once_and_left_unreaped():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
    try:
        assert not processes.exited(proc, wait=0.0)
        started = time.monotonic()
        assert processes.exited(proc, wait=60)  # the whole minute only if nothing woke it
        assert time.monotonic() - started < 30
        assert proc.returncode is None  # not reaped: its pid still names it (a zombie)
        assert os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_a_wait_that_runs_out_says_so():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert not processes.exited(proc, wait=0.2)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert processes.exited(proc, wait=5)  # reaped: known from Popen itself


def test_a_wait_without_end_still_wakes_when_the_child_ends():
    """`tito dev serve` waits for JupyterLab with no time limit (wait=inf): a sleep of an infinite time is not one
    the system can be asked for, and was an error that stopped JupyterLab as soon as it was serving."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
    try:
        assert processes.exited(proc, wait=float("inf"))
    finally:
        proc.wait(timeout=30)
