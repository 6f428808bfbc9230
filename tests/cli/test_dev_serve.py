"""`tito dev serve` as a student and as an instructor meet it: a busy port is reported, not silently replaced,
and a student's JupyterLab has nbgrader's server and lab extensions off even though this environment (the
tests') has nbgrader installed and enabled; `--instructor` keeps them."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest
from openapi_contract import check_result_data, validate_component
from process_tree import assert_tree_gone, clean_up, jupyter_env

from tito_jupyter.engine.dev import NBGRADER_LAB_EXTENSION


def _page_config(base: str, token: str) -> dict:
    html = urllib.request.urlopen(f"{base}/lab?token={token}", timeout=60).read().decode()
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "JupyterLab's page has no config data"
    return json.loads(found.group(1))


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("instructor", [False, True], ids=["student", "instructor"])
@pytest.mark.posix_only  # ends serve as a terminal's Ctrl-C does: SIGINT to its process group
def test_busy_port_is_reported_and_nbgrader_is_off_for_a_student(course_dir, tmp_path, instructor):
    tag = uuid.uuid4().hex
    env = jupyter_env(tag, course_dir, tmp_path / "home")
    with socket.socket() as taken:  # a real listener holds the port the student asks for
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        argv = [sys.executable, "-m", "tito_jupyter", "--events", "dev", "serve", "--port", str(busy)]
        tito = subprocess.Popen(argv + (["--instructor"] if instructor else []), env=env, cwd=course_dir,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, start_new_session=True)
        try:
            events = []
            for line in tito.stdout:  # bounded by the serve command's own 90 s start limit
                if line.startswith("{"):
                    events.append(json.loads(line))
                    if events[-1].get("event") == "serving":
                        break
            serving = events[-1] if events and events[-1].get("event") == "serving" else None
            assert serving, f"JupyterLab never answered: {events}"
            port = serving["port"]
            assert port != busy
            said = f"Port {busy} is busy; JupyterLab is on {port}."
            assert serving["note"] == said and serving["requested_port"] == busy
            assert {"event": "log", "message": said, "level": "warning"}.items() <= next(
                e for e in events if e.get("event") == "log").items()

            base, token = f"http://127.0.0.1:{port}", serving["token"]
            disabled = _page_config(base, token).get("disabledExtensions", [])
            formgrader = _status(f"{base}/formgrader?token={token}")
            if instructor:
                assert NBGRADER_LAB_EXTENSION not in disabled and formgrader == 200
            else:
                assert NBGRADER_LAB_EXTENSION in disabled and formgrader == 404

            os.killpg(tito.pid, signal.SIGINT)
            rest, _ = tito.communicate(timeout=60)
            result = json.loads(rest.strip().splitlines()[-1])
            assert tito.returncode == 0 and result["summary"].startswith(said)
            assert result["data"]["requested_port"] == busy and result["data"]["port"] == port
            check_result_data(result, "tito dev serve")  # its data and events: the shapes openapi.json gives them
            for event in events:
                validate_component({k: v for k, v in event.items() if k != "type"}, "Event")
            assert_tree_gone(tag, timeout=30)  # JupyterLab must not outlive tito dev serve
        finally:
            clean_up(tito, tag)


def test_something_that_is_not_http_on_the_port_is_waited_out_not_an_internal_error():
    """While JupyterLab starts, its port may answer with something that is not HTTP: on Linux a connection to a
    free port in the ephemeral range can connect to itself and read its own request back (seen here as "internal
    error (BadStatusLine: GET /api/status...)"). serve goes on waiting, and says JupyterLab did not start if it
    ends first."""
    import threading

    from tito_jupyter.engine import dev, processes
    from tito_jupyter.engine.context import Context

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def echo():  # a request read back as the answer, as the self-connection does
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    conn.sendall(conn.recv(65536))

        threading.Thread(target=echo, daemon=True).start()
        lab = processes.start([sys.executable, "-c", "import time; time.sleep(3)"])  # a "JupyterLab" that ends
        try:
            result = dev._serve_until_stopped(Context(), lab, f"http://127.0.0.1:{port}/lab", "127.0.0.1", port,
                                              "token", port, None, command="dev.serve", open_browser=False, data={})
        finally:
            processes.stop(lab)
    assert not result.ok and result.error["kind"] == "serve_failed", result.summary
