"""One IPython shell for the whole pytest process (IPython allows one), with ``%tito`` loaded; each test gets a
fresh course, a clean environment (no server, no session name) and a fresh record of executed cells."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from subprocess_jupyter import jp_asyncio_loop, jp_server_cleanup  # noqa: F401  (pytest-jupyter's, off here)

SERVER_ENV = ("TITO_SERVER_URL", "TITO_SERVER_TOKEN", "JPY_SESSION_NAME", "TITO_PROJECT", "TITO_MAGIC_DISPLAY",
              "TITO_FAULT")



@pytest.fixture(scope="session")
def shell(tmp_path_factory):
    os.environ.setdefault("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "tito_jupyter")
    return ip


@pytest.fixture
def tracker(shell):
    from tito_jupyter import magics

    tracked = magics._installed[id(shell)]
    tracked.by_id.clear()
    tracked.by_identity.clear()
    tracked.save_under_way = None
    return tracked


@pytest.fixture
def clean_env(monkeypatch):
    for name in SERVER_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def in_module(course_dir: Path, monkeypatch, clean_env, tracker) -> Path:
    """The shell runs in module 01's folder, as a kernel started for its notebook does."""
    monkeypatch.chdir(course_dir / "modules/01_numbers")
    return course_dir
