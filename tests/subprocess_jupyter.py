"""For tests whose Jupyter runs in a subprocess (tests/lab, tests/magics, a real server's own session).

pytest-jupyter's autouse fixtures make (and close) an asyncio loop and clean up an in-process ServerApp.
These tests use neither, and Playwright's sync API owns the main thread's loop: a conftest that imports
these two fixtures switches pytest-jupyter's off for its folder.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def jp_asyncio_loop():
    yield None


@pytest.fixture(autouse=True)
def jp_server_cleanup():
    yield


def isolated_jupyter_env(folder: Path) -> dict:
    """Our environment with Jupyter's and IPython's folders made afresh in ``folder``, and no server, session or
    course left over from the caller."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TITO_SERVER_URL", "TITO_SERVER_TOKEN", "JPY_SESSION_NAME", "TITO_PROJECT", "TITO_FAULT")}
    for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        (folder / name.lower()).mkdir()
        env[name] = str(folder / name.lower())
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A real ``jupyter server`` in a session of its own (as JupyterHub's spawner starts one), serving ``root``
    under ``base_url``; ``popen`` adds to its ``subprocess.Popen`` arguments. The extension is not named: the
    installed jupyter-config file must turn it on."""

    def __init__(self, root: Path, env: dict, log: Path, base_url: str, **popen):
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}{base_url}"
        self.runtime_dir = Path(env["JUPYTER_RUNTIME_DIR"])
        command = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}", f"--ServerApp.base_url={base_url}",
                   f"--IdentityProvider.token={self.token}", "--FileContentsManager.delete_to_trash=False"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log = log
        self.process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                        **{"start_new_session": True, **popen})

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=20) as response:
            raw = response.read()
            return json.loads(raw) if raw else None

    def wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"the server exited:\n{self.log.read_text()[-3000:]}"
            try:
                if self.call("GET", "tito/api/version")["api"] == 1:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the server did not start:\n{self.log.read_text()[-3000:]}"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.call("POST", "api/shutdown")  # shuts its kernels down too
                self.process.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
