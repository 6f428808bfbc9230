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
    tracker = CellTracker()
    history = getattr(getattr(ipython, "history_manager", None), "input_hist_raw", None) or []
    tracker.seed_from_history(list(history), at=time.time())
    ipython.events.register("pre_run_cell", tracker.pre_run_cell)
    ipython.register_magics(TitoMagics(ipython, tracker))
    _listen_for_frontend_saves(ipython, tracker)
    _installed[id(ipython)] = tracker


def _listen_for_frontend_saves(ipython, tracker) -> None:
    """Hear the sidebar's ``tito.save`` comm (only in a kernel: plain IPython has no frontend that saves)."""
    comm_manager = getattr(getattr(ipython, "kernel", None), "comm_manager", None)
    if comm_manager is None:
        return

    def opened(comm, message) -> None:
        data = (message.get("content") or {}).get("data") or {}
        if isinstance(data.get("path"), str):
            tracker.frontend_saving(data["path"])

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
