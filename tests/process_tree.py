"""Finding a test's processes by a variable in their environment: how the signal tests prove nothing is left.

Every process a test starts inherits the marker, and so do the children tito starts; a process that outlived its
command still carries it, whichever group or session it is in.
"""

from __future__ import annotations

import psutil

#: The environment variable the signal tests set on the tree they start.
MARKER = "TITO_TEST_TREE"


def processes_carrying(variable: str, value: str) -> list[psutil.Process]:
    """The live processes (not zombies) whose environment has ``variable=value``."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(variable) == value and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def marked(tag: str) -> list[psutil.Process]:
    """The live processes of the tree a test started with ``MARKER=tag``."""
    return processes_carrying(MARKER, tag)
