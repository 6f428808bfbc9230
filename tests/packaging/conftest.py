"""Fixtures for the packaging tests: the wheel built from this checkout, installed in a fresh virtual environment.

Both are made once per session (building runs the course release, installing fetches JupyterLab), and the tests
then act as a student would, in folders of their own.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))

from subprocess_jupyter import jp_asyncio_loop, jp_server_cleanup  # noqa: E402,F401  (switch pytest-jupyter's off)
