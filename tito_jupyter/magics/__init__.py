"""``%tito``: the CLI's commands in a notebook cell (``%tito complete``, ``%tito status``, ``%tito test``, ...).

Loaded by ``%load_ext tito_jupyter``, and in every IPython kernel of an environment where tito-jupyter is
installed (the package installs ``etc/ipython/ipython_kernel_config.json`` with
``IPKernelApp.extra_extensions = ["tito_jupyter"]``), so students never type it.
"""

from __future__ import annotations

import time

_installed: dict[int, object] = {}

#: The comm the sidebar opens, ahead of a tito cell, to say it is saving the notebook (see ``unsaved``).
SAVE_COMM_TARGET = "tito.save"


def load_ipython_extension(ipython) -> None:
    from .magic import TitoMagics
    from .unsaved import CellTracker

    if id(ipython) in _installed:
        return
    _import_the_courses_package()
    tracker = CellTracker()
    history = getattr(getattr(ipython, "history_manager", None), "input_hist_raw", None) or []
    tracker.seed_from_history(list(history), at=time.time())
    ipython.events.register("pre_run_cell", tracker.pre_run_cell)
    ipython.register_magics(TitoMagics(ipython, tracker))
    _listen_for_frontend_saves(ipython, tracker)
    _installed[id(ipython)] = tracker


def _import_the_courses_package() -> None:
    """Make ``import tinytorch`` in a notebook find the package of the course the kernel runs in (the folder tito
    exports into and runs the tests against), as it does for tito's test runs: a student who got the course with
    ``tito init`` has installed no package of their own."""
    import sys

    from ..course import find_project_root
    from ..errors import TitoError

    try:
        root = str(find_project_root())
    except (TitoError, OSError):  # a kernel outside any course: nothing to add
        return
    if root not in sys.path:
        sys.path.insert(0, root)


def _listen_for_frontend_saves(ipython, tracker) -> None:
    """Hear the sidebar's ``tito.save`` comm (only in a kernel: plain IPython has no frontend that saves)."""
    comm_manager = getattr(getattr(ipython, "kernel", None), "comm_manager", None)
    if comm_manager is None:
        return

    from .notebook import parse_time

    def opened(comm, message) -> None:
        data = (message.get("content") or {}).get("data") or {}
        if isinstance(data.get("path"), str):
            tracker.frontend_saving(data["path"], parse_time(data.get("last_modified")))

    comm_manager.register_target(SAVE_COMM_TARGET, opened)


def unload_ipython_extension(ipython) -> None:
    tracker = _installed.pop(id(ipython), None)
    if tracker is not None:
        ipython.events.unregister("pre_run_cell", tracker.pre_run_cell)
    comm_manager = getattr(getattr(ipython, "kernel", None), "comm_manager", None)
    if comm_manager is not None and SAVE_COMM_TARGET in comm_manager.targets:
        comm_manager.unregister_target(SAVE_COMM_TARGET, None)
    ipython.magics_manager.magics["line"].pop("tito", None)


def last_result() -> dict | None:
    """The Result dict of the last ``%tito`` command in this process (None before the first)."""
    from . import magic

    return magic.last_result
