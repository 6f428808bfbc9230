"""Where the course is: the nearest folder at or above a starting point that has a ``modules/`` folder.

The rule's one home, in plain strings (no pathlib): :func:`tito_jupyter.course.course_folder` applies it for every
face, and :mod:`tito_jupyter.noop_export` applies it before anything heavier than ``os`` is imported.
"""

from __future__ import annotations

import os

MODULES_DIR = "modules"
STATE_DIR = ".tito"


def at_or_above(start: str) -> tuple[str, str | None]:
    """``start`` made absolute (``~`` expanded, links resolved, as ``Path.expanduser().resolve()``), and the
    nearest folder at or above it that has a ``modules/`` folder (None if there is none)."""
    start = os.path.realpath(os.path.expanduser(start))
    folder = start
    while True:
        if os.path.isdir(os.path.join(folder, MODULES_DIR)):
            return start, folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return start, None
        folder = parent
