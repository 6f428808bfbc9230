"""Finding a test's processes by a variable in their environment: how the signal tests prove nothing is left.

Every process a test starts inherits the marker, and so do the children tito starts; a process that outlived its
command still carries it, whichever group or session it is in.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import psutil

#: The environment variable the signal tests set on the tree they start.
MARKER = "TITO_TEST_TREE"


def processes_carrying(variable: str, value: str) -> list[psutil.Process]:
    """The live processes (not zombies) whose environment has ``variable=value``."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(variable) == value and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def marked(tag: str) -> list[psutil.Process]:
    """The live processes of the tree a test started with ``MARKER=tag``."""
    return processes_carrying(MARKER, tag)


def with_descendants(procs: list[psutil.Process]) -> list[psutil.Process]:
    """``procs`` and every live process below them: children started with a clean environment (a submission's
    tests, jailed) carry no marker, but they are still in the tree."""
    found = {p.pid: p for p in procs}
    for proc in procs:
        try:
            found.update({child.pid: child for child in proc.children(recursive=True)
                          if child.status() != psutil.STATUS_ZOMBIE})
        except psutil.Error:
            continue
    return list(found.values())


def still_alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Those of ``procs`` that still run (not zombies)."""
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.Error:
            continue
    return alive


def command_lines(procs: list[psutil.Process]) -> list[str]:
    """The command lines of ``procs`` that are still there to ask."""
    lines = []
    for proc in procs:
        try:
            lines.append(" ".join(proc.cmdline()))
        except psutil.Error:
            continue
    return lines


def kill_all(procs: list[psutil.Process]) -> None:
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass


def assert_tree_gone(tag: str, timeout: float = 20.0) -> None:
    """Within ``timeout``, no process of the tree is left (those that are get killed, so none outlives the test)."""
    deadline = time.monotonic() + timeout
    while (left := marked(tag)) and time.monotonic() < deadline:
        time.sleep(0.1)
    names = command_lines(left)
    kill_all(left)
    assert not left, f"still running {timeout:.0f} s after the signal: {names}"


def clean_up(tito: subprocess.Popen, tag: str) -> None:
    """Whatever the test's outcome, leave nothing running (with the old code, a failing test would)."""
    if tito.poll() is None:
        tito.kill()
        tito.wait()
    kill_all(marked(tag))


def jupyter_env(tag: str, course_dir: Path, home: Path) -> dict[str, str]:
    """The environment of a marked tito that starts Jupyter: the course, and Jupyter's user folders under ``home``
    (so nothing is written under the real home folder)."""
    env = {**os.environ, MARKER: tag, "TITO_PROJECT": str(course_dir)}
    for name in ("runtime", "data", "config"):
        (home / name).mkdir(parents=True, exist_ok=True)
        env[f"JUPYTER_{name.upper()}_DIR"] = str(home / name)
    return env


def jailed_processes(uids: set[int]) -> list[psutil.Process]:
    """The live processes of these jailed users: a run's own (another test may be grading beside it)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.uids().real in uids and proc.status() != "zombie":
                found.append(proc)
        except psutil.Error:
            continue
    return found
