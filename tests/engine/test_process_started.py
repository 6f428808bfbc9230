"""runs.process_started reads /proc by psutil's formula (psutil's import was most of a short run's start-up).

Held to psutil itself: this process, a live child, a child whose name holds spaces and ")", a zombie, a reaped
pid; and a terminal run that prunes old run files (checking whether their writers live) imports no psutil.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import psutil

from tito_jupyter.engine import runs


def test_the_start_time_is_psutils_for_this_process_and_a_child_with_an_awkward_name(tmp_path):
    assert abs(runs.process_started(os.getpid()) - psutil.Process().create_time()) < 1e-6
    odd = tmp_path / "a b) (c"  # the kernel's stat line shows the name in parentheses: parsed from the last ")"
    odd.symlink_to(sys.executable)
    child = subprocess.Popen([str(odd), "-c", "import time; time.sleep(30)"])
    try:
        assert abs(runs.process_started(child.pid) - psutil.Process(child.pid).create_time()) < 1e-6
    finally:
        child.kill()
        child.wait()


def test_a_zombie_and_a_reaped_pid_have_no_start_time():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 60
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:  # exited, not reaped yet
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert runs.process_started(child.pid) is None
    child.wait()
    assert runs.process_started(child.pid) is None
    assert runs.process_started(2**22 + 12345) is None  # beyond any pid the kernel gives


def test_a_terminal_run_that_prunes_old_run_files_imports_no_psutil(course_dir):
    folder = course_dir / ".tito/runs"
    folder.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for i in range(runs.KEEP + 5):
        run_id = f"run-20200101T0000{i:02d}Z-{dead.stdout.strip()}-abcdef"
        header = {"type": "run", "id": run_id, "command": "module.export", "args": {}, "origin": "terminal",
                  "pid": int(dead.stdout), "process_started": 1.0, "started": 1.0}
        (folder / f"{run_id}.jsonl").write_text(json.dumps(header) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in (runs.JOB_MARKER, "TITO_PROJECT")}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tito_jupyter", "export", "--all"],
                          cwd=course_dir, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "psutil" not in imported
    assert len(list(folder.glob("*.jsonl"))) == runs.KEEP  # pruned to the newest, this run's included
