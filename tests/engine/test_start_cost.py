"""What a test child imports of tito: its pytest plugin, and nothing of the engine.

Every `tito test` and `tito complete` starts pytest with tito's report plugin; loading it as a module of the engine
package ran the engine's ``__init__`` (the command table, the course reader, the run files) in every child, before
the first test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from untraced import untraced

REPO = Path(__file__).resolve().parents[2]


def test_the_pytest_plugin_imports_nothing_of_the_engine():
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pytest, tito_jupyter.pytest_report"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    names = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "tito_jupyter.pytest_report" in names  # the check reads a real report
    assert not {n for n in names if n.startswith(("tito_jupyter.engine", "tito_jupyter.course", "tito_jupyter.commands"))}


@pytest.mark.posix_only  # the locks are flock itself there; Windows takes them with filelock
def test_complete_takes_its_locks_without_importing_filelock(course_dir):
    """`tito complete` holds the build lock (shared), the export lock and the progress lock: on POSIX each is flock
    itself, and filelock's import (and its SQLite reader-writer lock's) was a third of what complete adds to its
    tests (about 65 ms of CPU)."""
    env = untraced({**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])})
    env.pop("TITO_PROJECT", None)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tito_jupyter", "--json", "--project",
                           str(course_dir), "complete", "01"], capture_output=True, text=True, timeout=300, env=env)
    assert json.loads(done.stdout)["ok"], done.stdout[-2000:] + done.stderr[-2000:]
    names = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "tito_jupyter.engine.files" in names  # the check reads a real report
    assert not {n for n in names if n.split(".")[0] in ("filelock", "sqlite3", "_sqlite3")}
