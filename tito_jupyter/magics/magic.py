"""The ``%tito`` line magic: parse like ``tito``, check for unsaved code, run, display.

It takes the commands and options of ``tito`` (the parser both share, built from the command table) plus two of
its own: ``--text`` (plain output instead of widgets) and ``--ignore-unsaved``. With no module,
``%tito complete`` acts on the notebook the cell runs in. Usage errors and ``--help`` print their message;
nothing a student does shows a traceback of tito's internals.
"""

from __future__ import annotations

import json
import shlex
import sys
import time

from IPython.core.magic import Magics, line_magic, magics_class, no_var_expand

from ..command_line import parse
from ..commands import Command
from . import runners, unsaved
from .display import make_view
from .notebook import NotebookRef, find_notebook, read_saved
from .runners import LocalRunner, ServerUnavailable

#: The magic's own switches (removed before the shared parser sees the line).
MAGIC_FLAGS = {"--text": "text", "--ignore-unsaved": "ignore_unsaved"}

last_result: dict | None = None


@magics_class
class TitoMagics(Magics):
    def __init__(self, shell, tracker: unsaved.CellTracker):
        super().__init__(shell)
        self.tracker = tracker

    # No `$var` expansion: tito's words are names, never Python, and IPython's expansion takes time quadratic in
    # the line's length (minutes for a pasted 100,000-character line) before tito could say the name is wrong.
    @line_magic
    @no_var_expand
    def tito(self, line: str = ""):
        """Run a tito command: ``%tito complete`` (this notebook's module), ``%tito status``, ``%tito test 01``,
        ``%tito checkpoint timeline``, ``%tito export --all``. ``%tito --help`` lists them all.

        Extra switches: ``--text`` for plain-text output, ``--ignore-unsaved`` to run even when this notebook
        has run code that is not saved.
        """
        run_line(self.shell, line, self.tracker)


def _split(line: str) -> tuple[list[str], dict[str, bool]] | None:
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        print(f"%tito: {exc}. See `%tito --help`.", file=sys.stderr)
        return None
    flags = {name: False for name in MAGIC_FLAGS.values()}
    rest = []
    for arg in argv:
        if arg in MAGIC_FLAGS:
            flags[MAGIC_FLAGS[arg]] = True
        else:
            rest.append(arg)
    return rest, flags


def run_line(shell, line: str, tracker: unsaved.CellTracker) -> dict | None:
    """Run one ``%tito`` line; returns the Result dict (None for help and usage errors)."""
    global last_result
    split = _split(line)
    if split is None:
        return None
    argv, flags = split
    try:
        command, kwargs, ns = parse(argv, prog="%tito")
    except SystemExit:  # --help, --version and usage errors have printed their message
        return None
    if command is None:
        return None
    try:
        result = _run(shell, tracker, command, kwargs, ns, flags)
    except KeyboardInterrupt:
        print("%tito: stopped.", file=sys.stderr)
        return None
    except ServerUnavailable as exc:
        print(f"%tito: the Jupyter server stopped answering while {command.name} ran ({exc}). "
              "Check that the server is still running, then try again.", file=sys.stderr)
        return None
    except Exception as exc:  # a bug in tito: one sentence, no traceback
        print(f"%tito could not run {command.name}: {type(exc).__name__}: {exc}. Please report this.",
              file=sys.stderr)
        return None
    last_result = result
    return result


def _names_no_module(command: Command, kwargs: dict) -> bool:
    """The command acts on modules and none was named: the notebook is the only hint."""
    return command.acts_on == "module" and not kwargs.get("modules") and not kwargs.get("module") \
        and not kwargs.get("all_")


#: How long ``%tito`` waits for the save the sidebar started ahead of its cell (a save takes well under a second;
#: one that needs the student, such as Lab's "file changed on disk" question, is not waited out).
FRONTEND_SAVE_SECONDS = 10.0


def _unsaved_once_saved(tracker, ref: NotebookRef, client, saving: unsaved.SaveUnderWay | None) -> list:
    """The unsaved cells, looked at once the frontend's save under way (``saving``, if it is this notebook's)
    has landed: its copy is newer than the one it replaces, and holds every cell this kernel ran. After
    ``FRONTEND_SAVE_SECONDS`` without that, what is unsaved then. Without a save under way: one look.

    The wait does not depend on cells having run: a student who edits a cell, leaves it unrun and types
    ``%tito complete`` means the code they see, which is on disk only once the save lands."""
    deadline = time.monotonic() + FRONTEND_SAVE_SECONDS
    while True:
        saved = read_saved(ref, client)
        if saved is None:
            return []
        found = unsaved.unsaved_changes(tracker, *saved)
        if saving is None or (not found and saving.landed(saved[1])) or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def _run(shell, tracker, command: Command, kwargs: dict, ns, flags: dict) -> dict:
    server, note = (None, None) if ns.project else runners.connect()
    client = server.client if server is not None else None
    ref = find_notebook(shell, client, explicit=ns.notebook)
    view = None if ns.json else make_view(shell, " ".join(command.path), force_text=flags["text"],
                                          here=ref.server_path or (str(ref.local_path) if ref.local_path else None))

    def finish(result: dict) -> dict:
        if view is None:
            print(json.dumps(result, indent=2))
        else:
            view.finish(result)
        return result

    if note and view is not None:
        view.note(note)
    if not command.server_job:  # the table's word for "a terminal's only": a new course, another JupyterLab
        words = " ".join(command.path)
        message = (f"`tito {words}` runs only in a terminal, not in a notebook cell. Open a terminal (File > New > "
                   f"Terminal) and run it there.")
        return finish({"command": command.name, "ok": False, "summary": message, "data": {},
                       "error": {"kind": "usage_error", "message": message, "exit_code": 2}, "duration": 0.0})
    saving = tracker.take_save_under_way()
    if saving is not None and ref.server_path is not None and ref.server_path != saving.path:
        saving = None  # another notebook's save
    if command.long_running and command.acts_on == "module" and ref.known and not flags["ignore_unsaved"]:
        found = _unsaved_once_saved(tracker, ref, client, saving)
        if found:
            message = unsaved.message(found)
            return finish({"command": command.name, "ok": False, "summary": message, "data": {},
                           "error": {"kind": "unsaved_changes", "message": message,
                                     "cells": [u.cell for u in found], "exit_code": 2},
                           "duration": 0.0})
    if server is not None:
        runner, notebook = server, ref.for_server
    else:
        # Where the magic stands is the notebook's folder (the kernel's working folder if it is not known).
        runner = LocalRunner(project=ns.project, here=ref.local_path.parent if ref.local_path else None)
        notebook = str(ref.local_path) if ref.local_path else None
    on_event = view.on_event if view is not None else (lambda event: None)
    result = runner.run(command, kwargs, notebook, on_event)
    if (not result.get("ok") and not ref.known and _names_no_module(command, kwargs)
            and (result.get("error") or {}).get("kind") == "usage_error" and view is not None):
        view.note(f"%tito cannot tell which notebook this cell runs in: {ref.why_unknown}. "
                  "Name the module, e.g. `%tito complete 01`.")
    return finish(result)
