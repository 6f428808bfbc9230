"""The guard's own loop (:func:`tito_jupyter.platform.guard_main`), run in the test's process.

tito starts the guard as ``python -I -S platform.py --tito-process-guard`` (tests/engine/test_platform.py and the
signal tests check that, from outside). Here the same function reads a real pipe put on this process's stdin and
kills real processes, so what it does with each line is seen line by line: the trees it was told of and not told
are done, the jailed users, and nothing for a line it does not understand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from tito_jupyter import platform

pytestmark = pytest.mark.posix_only

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def wait_gone(proc: subprocess.Popen, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return proc.poll() is not None


def run_guard(lines: list[str], system) -> None:
    """``guard_main(system)`` in this process, its stdin a pipe that gets ``lines`` and then closes, as when
    tito exits; stdin and the signal handlers it changes are put back."""
    read_end, write_end = os.pipe()
    saved_stdin = os.dup(0)
    saved_handlers = {name: signal.getsignal(getattr(signal, name)) for name in ("SIGINT", "SIGHUP")}
    os.dup2(read_end, 0)
    os.close(read_end)

    def tito() -> None:  # tito's side of the pipe: a few lines in small writes, then its exit
        for line in lines:
            os.write(write_end, line.encode())
            time.sleep(0.01)
        os.close(write_end)

    writer = threading.Thread(target=tito)
    writer.start()
    try:
        platform.guard_main(system)
    finally:
        writer.join(timeout=60)
        os.dup2(saved_stdin, 0)
        os.close(saved_stdin)
        for name, handler in saved_handlers.items():
            signal.signal(getattr(signal, name), handler)


def test_when_tito_exits_the_guard_kills_the_trees_it_still_holds_and_spares_the_rest():
    held = subprocess.Popen(SLEEPER, start_new_session=True)
    told_done = subprocess.Popen(SLEEPER, start_new_session=True)
    garbled = subprocess.Popen(SLEEPER, start_new_session=True)
    try:
        # A line may come in two writes; a tree whose end was told is not held; a garbled line names nothing.
        run_guard([f"+{held.pid}", "\n", f"+{told_done.pid}\n-{told_done.pid}\n",
                   f"+{garbled.pid}/..\n", f"*{garbled.pid}\n", "+\n", f"+{garbled.pid} x\n"], platform.SYSTEM)
        assert wait_gone(held), "the tree the guard held was not killed"
        assert held.returncode == -signal.SIGKILL
        assert told_done.poll() is None and garbled.poll() is None
    finally:
        for proc in (held, told_done, garbled):
            proc.kill()
            proc.wait()


@pytest.mark.linux_only
def test_the_guard_kills_every_process_of_a_jailed_user_it_holds_and_none_of_one_it_was_told_is_done():
    assert os.geteuid() == 0, "this test runs as root, as CI does (only root starts processes as another user)"
    held_uid, done_uid = 1_999_999_001, 1_999_999_002
    for uid in (held_uid, done_uid):  # nobody else runs as these made-up users
        assert not [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]
    # Each in a session of its own, as a jailed run's leftovers are: only the user's id finds them.
    held = subprocess.Popen(SLEEPER, user=held_uid, group=held_uid, start_new_session=True)
    spared = subprocess.Popen(SLEEPER, user=done_uid, group=done_uid, start_new_session=True)
    try:
        run_guard([f"+u{held_uid}\n", f"+u{done_uid}\n", f"-u{done_uid}\n"], platform.SYSTEM)
        assert wait_gone(held), "the jailed user's process outlived the guard"
        assert spared.poll() is None
    finally:
        for proc in (held, spared):
            proc.kill()
            proc.wait()


@pytest.mark.linux_only
def test_killing_a_jailed_users_processes_runs_no_exit_hook_in_the_fork(monkeypatch):
    """``kill_user`` forks (from a process with threads, as the server's and the CLI's are) and signals as the user.
    The fork must end without running an exit hook: coverage.py patches ``os._exit`` to save its data, and in
    such a fork that waited forever on a lock another thread held. Here the hook would hang; the kill still
    returns, and the user's process is gone."""
    assert os.geteuid() == 0, "this test runs as root, as CI does (only root starts processes as another user)"
    uid = 1_999_999_003
    victim = subprocess.Popen(SLEEPER, user=uid, group=uid, start_new_session=True)

    def hanging_exit(code):  # what an exit hook that waits on a lock held by a thread gone in the fork does
        time.sleep(600)

    monkeypatch.setattr(os, "_exit", hanging_exit)
    try:
        done = threading.Thread(target=platform.kill_user, args=(uid,), daemon=True)
        done.start()
        done.join(30)
        assert not done.is_alive(), "kill_user hung: its fork ran the exit hook"
        assert wait_gone(victim), "the user's process outlived kill_user"
    finally:
        monkeypatch.undo()
        if victim.poll() is None:
            victim.kill()
        victim.wait()
