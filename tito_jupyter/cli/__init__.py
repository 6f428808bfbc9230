"""The command-line face: ``tito`` and ``python -m tito_jupyter``.

It parses the command line (:mod:`tito_jupyter.command_line`, shared with ``%tito``), runs the engine, and
renders the result: rich tables and live progress for people, ``--json`` for machines, ``--events`` (JSON lines
as the work goes) for job runners. Exit codes: 0 the work succeeded, 1 the work failed, 2 the request was wrong
(usage).

Only ``argparse`` and the command table are imported before a command runs; rich is imported to render.
"""

from __future__ import annotations

import json
import os
import sys

from ..command_line import EXIT_OK, parse


def _write_out(text: str) -> None:
    """Write to stdout; a reader that went away (`tito --json status | head`) is not the command's failure."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would trip over the same pipe again when it flushes at exit: send the rest nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        command, kwargs, ns = parse(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0)
    if command is None:
        return EXIT_OK
    from ..engine import run, runs, signals
    from ..engine.context import Context
    from ..engine.results import EventSink

    signals.stop_on_signals()  # SIGTERM and SIGHUP unwind like Ctrl-C: children stopped, writes cleaned up
    # A run typed in a terminal announces itself in the course, so the sidebar follows it live; a server job runs
    # through here too, but the server already shows it.
    announce = None if os.environ.get(runs.JOB_MARKER) else "terminal"

    if ns.events:
        def emit(event: dict) -> None:
            _write_out(json.dumps({"type": "event", **event}) + "\n")

        result = run(command, kwargs, Context(project=ns.project, events=EventSink(emit), notebook_path=ns.notebook,
                                              announce=announce))
        _write_out(json.dumps({"type": "result", **result.to_dict()}) + "\n")
        return result.exit_code
    if ns.json:
        result = run(command, kwargs, Context(project=ns.project, notebook_path=ns.notebook, announce=announce))
        _write_out(json.dumps(result.to_dict(), indent=2) + "\n")
        return result.exit_code
    from .render import Renderer

    ctx = Context(project=ns.project, notebook_path=ns.notebook, announce=announce)
    renderer = Renderer(no_color=ns.no_color, verbose=ns.verbose, state_dir=lambda: ctx.course.state_dir)
    ctx.events = EventSink(renderer.on_event)
    result = run(command, kwargs, ctx)
    try:
        renderer.finish(result, command)
    except OSError:  # the terminal is gone (closed: SIGHUP); nobody to tell, the exit code still says what happened
        pass
    return result.exit_code
