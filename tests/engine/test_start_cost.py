"""What a test child imports of tito: its pytest plugin, and nothing of the engine.

Every `tito test` and `tito complete` starts pytest with tito's report plugin; loading it as a module of the engine
package ran the engine's ``__init__`` (the command table, the course reader, the run files) in every child, before
the first test.
"""

from __future__ import annotations

import subprocess
import sys


def test_the_pytest_plugin_imports_nothing_of_the_engine():
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pytest, tito_jupyter.pytest_report"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    names = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "tito_jupyter.pytest_report" in names  # the check reads a real report
    assert not {n for n in names if n.startswith(("tito_jupyter.engine", "tito_jupyter.course", "tito_jupyter.commands"))}
