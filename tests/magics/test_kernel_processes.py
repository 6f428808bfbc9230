"""A kernel that runs ``%tito`` in-process and is then killed (a restart, a shutdown, the out-of-memory killer)
takes the tests it started with it: jupyter_client kills the kernel's process group, and the tests run in a
session of their own, so only the parent-death signal and tito's guard can reach them."""

from __future__ import annotations

import os
import time
import uuid

import psutil
from process_tree import MARKER, marked
from course_factory import NUMBERS_EXPORT, notebook, write_notebook
from jupyter_client.manager import KernelManager

LOOPING_TEST = "def test_unit_add():\n    while True:\n        pass\n"




def is_pytest(proc: psutil.Process) -> bool:
    try:
        return proc.cmdline()[1:3] == ["-m", "pytest"]
    except psutil.Error:
        return False


def test_shutting_a_kernel_down_stops_the_tests_it_was_running(course_dir, tmp_path):
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", notebook(
        ("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT),
        ("code", LOOPING_TEST)))
    tag = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items()
           if k not in ("TITO_SERVER_URL", "TITO_SERVER_TOKEN", "JPY_SESSION_NAME", "TITO_PROJECT", "TITO_FAULT")}
    env.update({MARKER: tag, "IPYTHONDIR": str(tmp_path / "ipython"), "JUPYTER_RUNTIME_DIR": str(tmp_path)})
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env, cwd=str(course_dir / "modules/01_numbers"))
    client = km.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=120)
        client.execute("%load_ext tito_jupyter\n%tito complete 01 --timeout 600")
        deadline = time.monotonic() + 120
        while not any(is_pytest(p) for p in marked(tag)):
            assert time.monotonic() < deadline, "the kernel's tests never started"
            time.sleep(0.1)
        km.shutdown_kernel(now=True)  # what a restart or "shut down kernel" does to a busy kernel
        deadline = time.monotonic() + 20
        while (left := marked(tag)) and time.monotonic() < deadline:
            time.sleep(0.1)
        names = [" ".join(p.cmdline())[:100] for p in left if p.is_running()]
        for proc in left:
            proc.kill()
        assert not left, f"the kernel's tests outlived it: {names}"
    finally:
        client.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
