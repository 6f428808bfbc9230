"""A real ``jupyter lab`` subprocess for the browser tests, on a folder, with its own temporary user folders.

The lab extension and the server extension are found where ``pip install`` put them (the environment's
``share/jupyter`` and ``etc/jupyter``), so the tests check the package as installed, not a copy made for them.

A lab is a student's unless asked otherwise: the test environment holds the instructor's and the docs' tools too,
and their extensions are left off (``NOT_A_STUDENTS``), as they are absent from what a student installs.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "lab"
CHROMIUM = os.environ.get("TITO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
#: Lab settings for every test server: no news or update checks (they would reach the internet and pop up).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}
STARTUP_SECONDS = 60

#: Extensions of the test environment that a student's JupyterLab does not have: the wheel students install (and
#: the Binder image, which uninstalls nbgrader) brings neither nbgrader (the instructor extra) nor notebook (which
#: only nbgrader requires), nor jupytext (the docs extra's). A student's lab leaves them off, so the browser tests
#: show what a student sees; it also spares each start about 0.7 s of the server's CPU and the page their scripts.
#: An instructor's lab (``student=False``) keeps them.
NOT_A_STUDENTS = {
    "server": ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.validate_assignment",
               "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list",
               "jupyterlab_jupytext", "notebook"),
    "lab": ("@jupyter/nbgrader", "jupyterlab-jupytext", "@jupyter-notebook/lab-extension"),
}
SERVER_EXTENSIONS_ARG = "--ServerApp.jpserver_extensions="


def _students_lab(config_dir: Path, extra_args: list[str]) -> list[str]:
    """``extra_args`` with the extensions a student lacks switched off (a test's own switches win)."""
    switches = {name: False for name in NOT_A_STUDENTS["server"]}
    rest = []
    for arg in extra_args:
        if arg.startswith(SERVER_EXTENSIONS_ARG):
            switches.update(ast.literal_eval(arg[len(SERVER_EXTENSIONS_ARG):]))  # traitlets' form: a Python dict
        else:
            rest.append(arg)
    page_config = config_dir / "labconfig" / "page_config.json"
    page_config.parent.mkdir(parents=True, exist_ok=True)
    page_config.write_text(json.dumps({"disabledExtensions": {name: True for name in NOT_A_STUDENTS["lab"]}}))
    return [SERVER_EXTENSIONS_ARG + repr(switches), *rest]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    """A running ``jupyter lab``: where it listens, its token, and its log."""

    url: str
    token: str
    root: Path
    log_path: Path
    process: subprocess.Popen

    def page_url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path}{sep}token={self.token}"

    def api(self, path: str) -> dict:
        """GET a server API path (relative to the base URL) as JSON."""
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_lab(root: Path, home: Path, extra_args: list[str], settings: dict, extra_env: dict | None = None,
              student: bool = True) -> Lab:
    port, token = _free_port(), secrets.token_hex(16)
    dirs = {name: home / name for name in ("runtime", "data", "config", "settings", "workspaces", "ipython")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    if student:
        extra_args = _students_lab(dirs["config"], extra_args)
    for name, values in {**LAB_SETTINGS, **settings}.items():
        target = dirs["settings"] / name.replace("/", os.sep, 1)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))

    env = dict(os.environ)
    # Per-user folders go to temp; the environment's own (sys.prefix) folders, where pip put the lab extension
    # and the server extension's config, stay on the search paths.
    env.update(
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("TITO_PROJECT", None)
    env.update(extra_env or {})
    args = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--FileContentsManager.delete_to_trash=False",
        "--LabApp.expose_app_in_browser=True",
        *extra_args,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log_path = home / "jupyter.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    lab = Lab(url=f"http://127.0.0.1:{port}/", token=token, root=root, log_path=log_path, process=process)

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n{lab.log()}")
        try:
            lab.api("api/status")
            return lab
        except OSError:
            time.sleep(0.2)
    stop_lab(lab)
    raise RuntimeError(f"jupyter lab did not answer within {STARTUP_SECONDS} s:\n{lab.log()}")


def stop_lab(lab: Lab) -> None:
    """Stop the server (it shuts its kernels and jobs down), then make sure nothing of its group is left."""
    if lab.process.poll() is None:
        lab.process.terminate()
        try:
            lab.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(lab.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    lab.process.wait(timeout=5)
