"""No process outlives its command: real signals to a real ``tito`` while a student's test loops forever.

``tito test 01 --timeout 600`` runs on a course whose inline test starts a helper process and then loops
(``while True: pass``). Once pytest and the helper run, the CLI gets SIGTERM, SIGHUP or SIGKILL; within a
bounded wait no process of the tree may be left (found by a marker every one of them inherits). Each signal
is tried six times. ``milestone run`` gets SIGINT the way a terminal's Ctrl-C sends it (to the foreground
process group), and the tools a command starts are found without an activated environment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import psutil
from pathlib import Path

from process_tree import (MARKER, assert_tree_gone, clean_up, command_lines, jupyter_env, marked,
                          still_alive, with_descendants)
import pytest
from course_factory import NUMBERS_EXPORT, notebook, write_notebook

from tito_jupyter import engine
from tito_jupyter.engine.context import Context

#: Real POSIX signals (SIGTERM, SIGHUP, SIGKILL) to tito and its process groups.
pytestmark = pytest.mark.posix_only

TRIES = 6
#: A student's test that starts a process of its own (a grandchild of tito, in pytest's group), then never ends.
LOOPING_TEST = (
    "def test_unit_add():\n"
    "    import subprocess, sys\n"
    "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "    while True:\n"
    "        pass\n"
)
ENDLESS_MILESTONE = (
    "import subprocess, sys\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "print('training forever', flush=True)\n"
    "while True:\n"
    "    pass\n"
)


def wait_for(tag: str, needle: str, timeout: float = 120.0) -> None:
    """Until a process of the tree has ``needle`` in its command line (pytest is slow to start under load)."""
    deadline = time.monotonic() + timeout
    while not any(needle in line for line in command_lines(marked(tag))):
        assert time.monotonic() < deadline, f"{needle!r} never started"
        time.sleep(0.1)


def start_tito(course_dir: Path, tag: str, *args: str) -> subprocess.Popen:
    """The CLI in a session of its own, as a terminal runs a command in its own foreground process group."""
    env = {**os.environ, MARKER: tag, "TITO_PROJECT": str(course_dir)}
    env.pop("TITO_FAULT", None)
    return subprocess.Popen([sys.executable, "-m", "tito_jupyter", *args], env=env, cwd=course_dir,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.fixture
def looping_course(course_dir: Path) -> Path:
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", notebook(
        ("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT),
        ("code", LOOPING_TEST)))
    assert engine.run("module.export", {"modules": ["01"]}, Context(project=course_dir)).ok
    return course_dir


@pytest.mark.parametrize("attempt", range(TRIES))
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGKILL"])  # names: Windows has no SIGHUP to collect
def test_a_signal_to_tito_during_an_endless_test_leaves_no_process(looping_course, sig, attempt):
    sig = signal.Signals[sig]
    tag = uuid.uuid4().hex
    tito = start_tito(looping_course, tag, "test", "01", "--timeout", "600")
    try:
        wait_for(tag, "time.sleep(600)")  # pytest runs the test, and the test's own process is up
        started = time.monotonic()
        tito.send_signal(sig)
        out, err = tito.communicate(timeout=60)
        assert_tree_gone(tag)
        if sig == signal.SIGKILL:
            assert tito.returncode == -signal.SIGKILL
        else:  # it unwound like Ctrl-C, said so, and exited as the shell expects of a signal
            assert tito.returncode == 128 + sig, (out, err)
            assert f"Stopped ({sig.name})." in out + err
            assert "Traceback" not in out + err
            assert time.monotonic() - started < 30
    finally:
        clean_up(tito, tag)


def test_closing_the_terminal_stops_tito_and_its_tests(looping_course):
    """A real hang-up: tito runs on a pseudo-terminal as its controlling terminal, and the terminal closes."""
    import fcntl  # POSIX's (pseudo-terminals): here, so that Windows can collect this file to deselect it
    import pty
    import termios

    tag = uuid.uuid4().hex
    controller, terminal = pty.openpty()
    env = {**os.environ, MARKER: tag, "TITO_PROJECT": str(looping_course)}

    def take_the_terminal():  # as a shell does for the session it starts
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    tito = subprocess.Popen([sys.executable, "-m", "tito_jupyter", "test", "01", "--timeout", "600"], env=env,
                            cwd=looping_course, stdin=terminal, stdout=terminal, stderr=terminal,
                            start_new_session=True, preexec_fn=take_the_terminal)
    os.close(terminal)
    try:
        wait_for(tag, "time.sleep(600)")
        os.close(controller)  # the window closes: the kernel hangs the terminal up and sends SIGHUP
        tito.wait(timeout=60)
        assert_tree_gone(tag)
        assert tito.returncode == 128 + signal.SIGHUP
    finally:
        clean_up(tito, tag)


@pytest.mark.parametrize("attempt", range(TRIES))
def test_ctrl_c_during_a_milestone_stops_the_script(course_dir, attempt):
    folder = course_dir / "milestones/1951_endless"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("# An endless machine\n")
    (folder / "run.py").write_text(ENDLESS_MILESTONE)
    tag = uuid.uuid4().hex
    tito = start_tito(course_dir, tag, "--json", "milestone", "run", "endless")
    try:
        wait_for(tag, "time.sleep(600)")
        os.killpg(tito.pid, signal.SIGINT)  # what Ctrl-C does: the terminal's foreground group gets SIGINT
        out, err = tito.communicate(timeout=60)
        assert_tree_gone(tag)
        assert tito.returncode == 130, (out, err)
        assert json.loads(out)["error"]["kind"] == "interrupted"
    finally:
        clean_up(tito, tag)


def test_the_timeout_still_ends_an_endless_test(looping_course):
    tag = uuid.uuid4().hex
    tito = start_tito(looping_course, tag, "--json", "test", "01", "--timeout", "3")
    out, err = tito.communicate(timeout=300)
    assert_tree_gone(tag, timeout=5)
    result = json.loads(out)
    assert tito.returncode == 1 and result["ok"] is False
    (report,) = result["data"]["modules"]
    assert report["timed_out"] is True
    assert "timed out after 3 s" in result["summary"] and "infinite loop" in result["summary"]


def test_gradebook_commands_find_alembic_without_an_activated_environment(tmp_path):
    """`.venv/bin/python -m tito_jupyter nbgrader init` with a PATH that lacks .venv/bin (nbgrader runs alembic)."""
    bare = "/usr/bin:/bin"
    assert not any((Path(folder) / "alembic").exists() for folder in bare.split(":"))
    env = {**os.environ, "PATH": bare}
    env.pop("TITO_PROJECT", None)
    folder = tmp_path / "grading"
    proc = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "nbgrader", "init", "--course-dir",
                           str(folder)], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    result = json.loads(proc.stdout)
    assert proc.returncode == 0 and result["ok"], result["summary"]
    assert (folder / "nbgrader_config.py").is_file() and (folder / "gradebook.db").is_file()


@pytest.mark.parametrize("sig", ["SIGINT", "SIGKILL"])
def test_dev_serve_takes_jupyterlab_with_it(course_dir, tmp_path, sig):
    """Ctrl-C ends `tito dev serve` and JupyterLab (asked with SIGTERM, so it stops its kernels); a SIGKILLed
    tito takes JupyterLab with it too."""
    sig = signal.Signals[sig]
    tag = uuid.uuid4().hex
    env = jupyter_env(tag, course_dir, tmp_path / "home")
    tito = subprocess.Popen([sys.executable, "-m", "tito_jupyter", "--events", "dev", "serve", "--port", "18990"],
                            env=env, cwd=course_dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        serving = None
        for line in tito.stdout:  # bounded by the serve command's own 90 s start limit
            if '"serving"' in line:
                serving = json.loads(line)
                break
        assert serving and serving["url"].startswith("http://127.0.0.1:"), "JupyterLab never answered"
        assert any("jupyter" in line and "lab" in line for line in command_lines(marked(tag)))
        if sig == signal.SIGINT:
            os.killpg(tito.pid, signal.SIGINT)
        else:
            tito.send_signal(signal.SIGKILL)
        tito.communicate(timeout=60)
        assert_tree_gone(tag)
        if sig == signal.SIGINT:
            assert tito.returncode == 0  # stopping the server is how serve ends
    finally:
        clean_up(tito, tag)


def warm_forks(procs) -> list:
    """The submissions a warm grader runs: forks of its warm parent, so with the parent's command line."""
    by_pid = {p.pid: p for p in procs}
    forks = []
    for proc in procs:
        try:
            parent = by_pid.get(proc.ppid())
            if parent is not None and all("warm_grader" in " ".join(p.cmdline()) for p in (proc, parent)):
                forks.append(proc)
        except psutil.Error:
            continue
    return forks


def test_ctrl_c_during_autograde_stops_every_worker_at_once(course_dir):
    """Two workers grade endless submissions; Ctrl-C must not wait for each pytest to reach its timeout, nor
    start the queued submission."""
    run = lambda command, args=None: engine.run(command, args or {}, Context(project=course_dir))  # noqa: E731
    for command, args in (("nbgrader.init", {}), ("nbgrader.generate", {"all_": True}), ("nbgrader.release", {})):
        assert run(command, args).ok
    nbgrader = course_dir / "nbgrader"
    endless = json.loads((nbgrader / "release/01_numbers/01_numbers.ipynb").read_text())
    stub = "# YOUR CODE HERE\n    raise NotImplementedError()"
    answered = [cell for cell in endless["cells"] if stub in "".join(cell["source"])]
    assert answered
    for cell in answered:
        cell["source"] = "".join(cell["source"]).replace(stub, "while True:\n        pass")
    for student in ("ada", "bea", "cy"):
        folder = nbgrader / "submitted" / student / "01_numbers"
        folder.mkdir(parents=True)
        (folder / "01_numbers.ipynb").write_text(json.dumps(endless))
    tag = uuid.uuid4().hex
    tito = start_tito(course_dir, tag, "--json", "nbgrader", "autograde", "01", "--workers", "2", "--timeout", "600")
    try:
        deadline = time.monotonic() + 120
        # The submissions' tests run with a clean environment (no marker): they are found below tito.
        while True:
            tests = with_descendants(marked(tag))
            if sum("-m pytest" in line for line in command_lines(tests)) + len(warm_forks(tests)) >= 2:
                break
            assert time.monotonic() < deadline, "the two workers' tests never ran"
            time.sleep(0.1)
        os.killpg(tito.pid, signal.SIGINT)
        out, err = tito.communicate(timeout=60)
        assert_tree_gone(tag)
        deadline = time.monotonic() + 20
        while still_alive(tests) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not still_alive(tests), command_lines(still_alive(tests))
        assert tito.returncode == 130, (out, err)
        assert json.loads(out)["error"]["kind"] == "interrupted"
    finally:
        clean_up(tito, tag)
