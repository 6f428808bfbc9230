"""The process runner: children stream, time out, and never outlive the process that started them.

Every test uses real processes and real signals. A "tree" is a child that starts a grandchild (a sleeping
Python) and then loops forever; each process of it carries a marker in its environment, so the test can find
whatever is left of it with psutil, wherever it was reparented.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import psutil
from process_tree import MARKER, kill_all, marked
import pytest

from tito_jupyter.engine import processes

#: The POSIX way of processes (groups, signals); tests/engine/test_platform.py runs the portable one.
pytestmark = pytest.mark.posix_only

REPO = Path(__file__).resolve().parents[2]
#: A child that starts a grandchild in its own process group, says so, and loops forever.
TREE = textwrap.dedent("""
    import subprocess, sys
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print("tree running", flush=True)
    while True:
        pass
""")




def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def wait_until_gone(tag: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while (left := marked(tag)) and time.monotonic() < deadline:
        time.sleep(0.1)
    names = [" ".join(p.cmdline())[:80] for p in left if p.is_running()]
    for proc in left:  # the test must not leave them either
        try:
            proc.kill()
        except psutil.Error:
            pass
    assert not left, f"still running {timeout:.0f} s later: {names}"


def start_parent(tmp_path: Path, tag: str, setup: str = "") -> subprocess.Popen:
    """A Python process that runs TREE through processes.run, as tito's engine does."""
    script = tmp_path / "parent.py"
    script.write_text("import sys\nfrom tito_jupyter.engine import processes\n" + setup + "\n"
                      f"processes.run([sys.executable, '-c', {TREE!r}], on_line=print)\n")
    env = {**os.environ, MARKER: tag, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.DEVNULL,
                            start_new_session=True)


def is_grandchild(proc: psutil.Process) -> bool:
    try:
        return proc.cmdline()[1:] == ["-c", "import time; time.sleep(600)"]  # not the child, which has it in its code
    except psutil.Error:
        return False


def tree_running(tag: str) -> list[psutil.Process]:
    """Wait until the grandchild (the last of the tree to start) is there; the processes of the tree."""
    def grown():
        procs = marked(tag)
        return procs if any(is_grandchild(p) for p in procs) else None

    return wait_until(grown, 60, "the tree never started")


def test_sigkill_of_the_parent_takes_the_child_and_the_grandchild(tmp_path):
    tag = uuid.uuid4().hex
    parent = start_parent(tmp_path, tag)
    tree_running(tag)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    wait_until_gone(tag)


def test_the_guard_alone_is_enough_where_there_is_no_parent_death_signal(tmp_path):
    """As on macOS: no prctl; the guard sees its pipe close and kills the groups it was told of."""
    tag = uuid.uuid4().hex
    parent = start_parent(tmp_path, tag, setup="from tito_jupyter import platform\n"
                          "platform.SYSTEM.parent_death_signal = False")
    tree_running(tag)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    wait_until_gone(tag)


@pytest.mark.linux_only  # the parent-death signal is Linux's
def test_the_parent_death_signal_alone_takes_the_direct_child(tmp_path):
    """Without the guard (killed, say), the kernel still kills the child at once; only the guard reaches
    the grandchild, so this is why there are both."""
    tag = uuid.uuid4().hex
    parent = start_parent(tmp_path, tag, setup="processes._guard.watch = lambda *tree: None")
    procs = tree_running(tag)
    child = next(p for p in procs if p.ppid() == parent.pid)
    grandchild = next(p for p in procs if p.ppid() == child.pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    wait_until(lambda: not child.is_running() or child.status() == psutil.STATUS_ZOMBIE, 20,
               "the child outlived its parent")
    assert grandchild.is_running()
    grandchild.kill()


def test_a_timeout_ends_the_whole_tree_and_says_so():
    tag = uuid.uuid4().hex
    lines = []
    finished = processes.run([sys.executable, "-c", TREE], env={**os.environ, MARKER: tag}, timeout=2,
                             on_line=lines.append)
    assert finished.timed_out and finished.exit_code == -signal.SIGKILL
    assert 2 <= finished.seconds < 30
    assert lines == ["tree running"]
    wait_until_gone(tag, timeout=5)


def test_an_exception_while_waiting_stops_the_tree_and_goes_on(tmp_path):
    tag = uuid.uuid4().hex

    def interrupt_once_running():
        if any(is_grandchild(p) for p in marked(tag)):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        processes.run([sys.executable, "-c", TREE], env={**os.environ, MARKER: tag}, timeout=120,
                      on_line=lambda line: None, on_tick=interrupt_once_running)
    wait_until_gone(tag, timeout=5)


def test_output_streams_while_the_child_runs(tmp_path):
    """The child waits for an answer to its first line: it ends only if that line reached us before its end."""
    answer = tmp_path / "answer"
    script = (f"import os, time\nprint('ready', flush=True)\n"
              f"while not os.path.exists({str(answer)!r}):\n    time.sleep(0.05)\nprint('done ü ✓')\n")

    def on_line(line: str) -> None:
        if line == "ready":
            answer.write_text("go")

    lines = []
    finished = processes.run([sys.executable, "-c", script], timeout=60,
                             on_line=lambda line: (lines.append(line), on_line(line)))
    assert not finished.timed_out and finished.exit_code == 0
    assert lines == ["ready", "done ü ✓"]


def test_a_child_finds_the_environments_tools_without_an_activated_environment():
    """nbgrader runs `alembic` by name: with a PATH that lacks the environment's bin, it must still be found."""
    probe = "import shutil; print(shutil.which('alembic'))"
    lines = []
    processes.run([sys.executable, "-c", probe], env={**os.environ, "PATH": "/usr/bin:/bin"}, timeout=60,
                  on_line=lines.append)
    assert lines == [str(Path(sys.executable).parent / "alembic")]
    env = processes.child_env({"PATH": f"/usr/bin{os.pathsep}{processes.tools_folder()}"})
    assert env["PATH"] == f"{processes.tools_folder()}{os.pathsep}/usr/bin"  # first, and only once
    assert processes.child_env({})["PATH"] == processes.tools_folder()


def test_stopping_asks_first_then_kills_what_stays():
    """JupyterLab gets SIGTERM and time to stop its kernels; a child that ignores it is killed after the grace."""
    polite = processes.start([sys.executable, "-c", "import time; time.sleep(600)"])
    assert processes.stop(polite, ask=signal.SIGTERM, grace=10) == -signal.SIGTERM
    stubborn = processes.start([sys.executable, "-c",
                                "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                "print('ignoring', flush=True)\ntime.sleep(600)"], stdout=subprocess.PIPE)
    assert stubborn.stdout.readline() == b"ignoring\n"
    started = time.monotonic()
    assert processes.stop(stubborn, ask=signal.SIGTERM, grace=1) == -signal.SIGKILL
    assert time.monotonic() - started < 10
    assert processes.stop(stubborn) == -signal.SIGKILL  # stopping twice is harmless


def test_a_worker_pool_stops_its_children_when_its_command_stops():
    """Ctrl-C reaches the main thread only; the pool's runs stop within a tick and the queued one never starts."""
    tag = uuid.uuid4().hex
    env = {**os.environ, MARKER: tag}
    outcomes = []

    def endless(name: str) -> None:
        try:
            processes.run([sys.executable, "-c", TREE], env=env, timeout=600, on_line=lambda line: None)
            outcomes.append((name, "finished"))
        except processes.Cancelled:
            outcomes.append((name, "cancelled"))

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with processes.worker_threads(2) as pool:
            for name in ("first", "second", "queued"):
                pool.submit(endless, name)
            wait_until(lambda: sum(is_grandchild(p) for p in marked(tag)) == 2, 60, "the two runs never started")
            raise KeyboardInterrupt
    assert time.monotonic() - started < 60
    assert sorted(outcomes) == [("first", "cancelled"), ("second", "cancelled")]
    wait_until_gone(tag, timeout=5)


def test_a_child_hears_the_interrupt_even_when_tito_was_started_ignoring_it():
    """A shell starts `tito ... &` (and a script's background server) with Ctrl-C ignored, which children inherit:
    the runner's interrupt (how the server cancels a job) went unheard, and the job was killed after its grace,
    mid-write. The runner's children hear it as a child started anew does: it unwinds."""
    parent = textwrap.dedent("""
        import signal, subprocess, sys
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `cmd &` in a script starts it
        from tito_jupyter.engine import processes
        child = processes.start([sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)"],
                                stdout=subprocess.PIPE, text=True)
        child.stdout.readline()
        processes.interrupt_group(child.pid)
        try:
            print(child.wait(timeout=30))
        except subprocess.TimeoutExpired:
            print("still running")
            processes.kill_group(child.pid)
        print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)  # the parent's own choice stays
    """)
    done = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(-signal.SIGINT), "True"], done.stdout + done.stderr


def test_killing_marked_strays_outruns_a_process_that_keeps_starting_more():
    """The server's last sweep of a stopped job (processes.kill_marked): a stray that starts processes as fast as it
    can, each carrying the job's marker, is gone with all it started by the time the call returns, not merely sent
    a signal: a single look-and-kill left the ones started in between, and some not dead yet."""
    tag = uuid.uuid4().hex
    # A new process every 20 ms, a hundred at most: quicker than a look at every process's environment on a loaded
    # machine, without starving the tests beside it.
    spawner = ("import subprocess, sys, time\n"
               "for _ in range(100):\n"
               "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
               "    time.sleep(0.02)\n"
               "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", spawner], env={**os.environ, MARKER: tag},
                            start_new_session=True)
    try:
        wait_until(lambda: len(marked(tag)) >= 5, 30, "the stray to start some processes")
        processes.kill_marked(MARKER, tag)
        assert marked(tag) == [], "processes of the stray still run after kill_marked returned"
    finally:
        proc.kill()
        proc.wait()
        kill_all(marked(tag))  # with the old code, a failing test would leave them
