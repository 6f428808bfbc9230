"""`tito module start NN` from a terminal with no JupyterLab running: it starts one on the course, on the module's
notebook, and stops it (and everything it started) on Ctrl-C. A locked module starts nothing.

The running-Lab side (the open request through the server extension) is tests/server/test_open.py, and the
notebook tab it opens in a real browser is tests/lab/test_module_start.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
import uuid

import pytest
from openapi_contract import check_result_data, validate_component
from process_tree import assert_tree_gone, clean_up, jupyter_env, marked, still_alive


def _tito(env, course_dir, *args, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tito_jupyter", "--events", "module", *args], env=env,
                            cwd=course_dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True, **popen)


@pytest.mark.posix_only  # ends the lab as a terminal's Ctrl-C does: SIGINT to its process group
def test_with_no_lab_running_it_starts_one_on_the_notebook(course_dir, tmp_path):
    tag = uuid.uuid4().hex
    env = jupyter_env(tag, course_dir, tmp_path / "home")  # an empty runtime folder: no JupyterLab is running
    tito = _tito(env, course_dir, "edit", "1", "--no-browser", "--port", "8890")
    try:
        serving = None
        for line in tito.stdout:  # bounded by the serve command's own 90 s start limit
            event = json.loads(line) if line.startswith("{") else {}
            if event.get("event") == "serving":
                serving = event
                break
        assert serving, "JupyterLab never answered"
        assert "/lab/tree/modules/01_numbers/01_numbers.ipynb?token=" in serving["url"]
        # The notebook is there to open: the server's contents API serves it.
        base = f"http://127.0.0.1:{serving['port']}"
        request = urllib.request.Request(f"{base}/api/contents/modules/01_numbers/01_numbers.ipynb?content=0",
                                         headers={"Authorization": f"token {serving['token']}"})
        assert json.loads(urllib.request.urlopen(request, timeout=60).read())["type"] == "notebook"

        os.killpg(tito.pid, signal.SIGINT)
        rest, _ = tito.communicate(timeout=60)
        result = json.loads(rest.strip().splitlines()[-1])
        assert tito.returncode == 0, result
        assert result["command"] == "module.start" and result["data"]["started_server"] is True
        assert result["data"]["module"] == "01_numbers"
        check_result_data(result, "tito module edit")  # the shape openapi.json gives module.edit's data
        validate_component({k: v for k, v in serving.items() if k != "type"}, "ServingEvent")
        assert_tree_gone(tag, timeout=30)  # JupyterLab must not outlive tito module start
    finally:
        clean_up(tito, tag)


def test_a_locked_module_starts_nothing(course_dir, tmp_path):
    tag = uuid.uuid4().hex
    env = jupyter_env(tag, course_dir, tmp_path / "home")
    tito = _tito(env, course_dir, "start", "02", "--no-browser")
    try:
        out, _ = tito.communicate(timeout=120)
        result = json.loads(out.strip().splitlines()[-1])
        assert tito.returncode == 2
        assert result["error"]["kind"] == "module_locked" and result["error"]["missing_modules"] == ["01_numbers"]
        assert not still_alive(marked(tag))
    finally:
        clean_up(tito, tag)


def test_the_terminal_says_why_it_is_locked(course_dir, tito_env):
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "module", "start", "doubling"], env=tito_env,
                          cwd=course_dir, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    said = " ".join((done.stdout + done.stderr).split())  # the terminal wraps lines at its width
    assert "Module 02_doubling is locked: it builds on 01_numbers, which is not complete yet." in said
    assert "tito complete 01_numbers" in said and "--force" in said
