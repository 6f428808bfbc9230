"""``%tito``: the CLI's commands in a notebook cell (``%tito complete``, ``%tito status``, ``%tito test``, ...).

Loaded by ``%load_ext tito_jupyter``, and in every IPython kernel of an environment where tito-jupyter is
installed (the package installs ``etc/ipython/ipython_kernel_config.json`` with
``IPKernelApp.extra_extensions = ["tito_jupyter"]``), so students never type it.
"""

from __future__ import annotations

import time

_installed: dict[int, object] = {}


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
    _installed[id(ipython)] = tracker


def unload_ipython_extension(ipython) -> None:
    tracker = _installed.pop(id(ipython), None)
    if tracker is not None:
        ipython.events.unregister("pre_run_cell", tracker.pre_run_cell)
    ipython.magics_manager.magics["line"].pop("tito", None)


def last_result() -> dict | None:
    """The Result dict of the last ``%tito`` command in this process (None before the first)."""
    from . import magic

    return magic.last_result
