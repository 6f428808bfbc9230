"""The server, the CLI and ``%tito`` pick the same course folder for the same place and environment.

One rule decides (:func:`tito_jupyter.course.course_folder`): an explicit choice, else ``$TITO_PROJECT``, else the
nearest course at or above where the face stands. Each face runs for real here: the server answers ``GET course``,
the CLI runs as a subprocess, ``%tito`` runs in a real IPython subprocess told its notebook by
``JPY_SESSION_NAME`` (as jupyter_server tells a kernel).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from course_factory import make_course

SERVER_ENV = ("TITO_SERVER_URL", "TITO_SERVER_TOKEN", "JPY_SESSION_NAME", "TITO_PROJECT", "TITO_FAULT")

MAGIC = """
ip = get_ipython()
ip.run_line_magic("load_ext", "tito_jupyter")
ip.run_line_magic("tito", "--text system info")
from tito_jupyter.magics import magic
print("ROOT=" + magic.last_result["data"]["course"]["root"])
"""


def _env(tito_project: Path | None, notebook: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
    if tito_project is not None:
        env["TITO_PROJECT"] = str(tito_project)
    if notebook is not None:
        env["JPY_SESSION_NAME"] = str(notebook)
    return env


def cli_course(cwd: Path, tito_project: Path | None) -> str:
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "system", "info"], cwd=cwd,
                          env=_env(tito_project), capture_output=True, text=True, timeout=300)
    return json.loads(done.stdout)["data"]["course"]["root"]


def magic_course(notebook: Path, tito_project: Path | None, ipython_dir: Path) -> str:
    env = {**_env(tito_project, notebook), "IPYTHONDIR": str(ipython_dir)}
    done = subprocess.run([sys.executable, "-m", "IPython", "--quick", "--no-banner", "-c", MAGIC],
                          cwd=notebook.parent, env=env, capture_output=True, text=True, timeout=300)
    roots = [line.removeprefix("ROOT=") for line in done.stdout.splitlines() if line.startswith("ROOT=")]
    assert roots, done.stdout + done.stderr
    return roots[0]


@pytest.mark.parametrize("env_names_the_other", [False, True], ids=["no TITO_PROJECT", "TITO_PROJECT set"])
async def test_every_face_picks_the_same_course(api, course_dir, tmp_path, monkeypatch, env_names_the_other):
    # The server's root folder is course_dir, itself a course: before the one rule, the server kept it even
    # when $TITO_PROJECT named another course, which the CLI and %tito took.
    other = make_course(tmp_path / "other course ✓")
    expected = (other if env_names_the_other else course_dir).resolve()
    tito_project = other if env_names_the_other else None
    if tito_project is not None:
        monkeypatch.setenv("TITO_PROJECT", str(tito_project))  # read by the server on each request
    status, body = await api("GET", "course")
    assert status == 200, body
    served = body["root"]
    typed = cli_course(course_dir / "modules/01_numbers", tito_project)
    in_notebook = magic_course(course_dir / "modules/01_numbers/01_numbers.ipynb", tito_project, tmp_path / "ipy")
    assert {"server": served, "cli": typed, "%tito": in_notebook} == {
        "server": str(expected), "cli": str(expected), "%tito": str(expected)}
