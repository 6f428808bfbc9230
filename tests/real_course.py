"""This repository's own course, copied for a test, with modules recorded complete as `tito complete` records them.

``tito benchmark`` and the capstone need many modules complete; running ``tito complete`` on nineteen modules in
every test would take minutes. The copied ``tinytorch/`` is the instructor export, whose modules pass their tests
(tests/modules proves it), so :func:`record_complete` writes the same record ``complete`` writes after those
tests pass, for the notebook versions in the copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tito_jupyter.engine.context import Context
from tito_jupyter.engine.modules import current_fingerprint
from tito_jupyter.engine.progress import ProgressStore

REPO = Path(__file__).resolve().parents[1]


def copy_course(dest: Path) -> Path:
    """The course's modules, tests, checkpoints and the instructor's exported package, copied to ``dest``."""
    for folder in ("modules", "tests/modules", "tests/checkpoints", "tinytorch"):
        shutil.copytree(REPO / folder, dest / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.tito-tmp"))
    return dest


def record_complete(root: Path, numbers) -> None:
    """Record the modules numbered ``numbers`` ("01", "19", ...) complete in the course at ``root``."""
    course = Context(project=root).course
    store = ProgressStore(course)
    for module in course.modules:
        if module.id.split("_", 1)[0] in numbers:
            assert store.record_complete(module, current_fingerprint(module)), module.id


def upto(last: int) -> list[str]:
    return [f"{n:02d}" for n in range(1, last + 1)]
