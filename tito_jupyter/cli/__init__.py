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

from ..cli_help import write_out as _write_out
from ..command_line import EXIT_OK, EXIT_USAGE, parse


def _remembered_help(argv: list[str]) -> int | None:
    """``tito --help`` from :mod:`..cli_help`, or printed by the parser and remembered; None for any other request."""
    from .. import cli_help

    memo = cli_help.for_request(argv)
    if memo is None:
        return None
    text = memo.recall()
    if text is None:
        import contextlib
        import io

        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                parse(argv)
        except SystemExit as exc:
            if exc.code:  # not the help after all: say what argparse said
                _write_out(printed.getvalue())
                return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
        text = printed.getvalue()
        memo.remember(text)
    _write_out(text)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    remembered = _remembered_help(argv)
    if remembered is not None:
        return remembered
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
        return result.exit_code
    _leave_export_receipt(argv, ctx, result, renderer.transcript)
    return result.exit_code


def _leave_export_receipt(argv: list[str], ctx, result, text: str | None) -> None:
    """After ``tito export --all`` found every module up to date and printed only ``text``: the receipt that lets
    the next one answer before this face is built (:mod:`..noop_export`), if the look, done again, agrees."""
    from .. import noop_export

    if not noop_export.wanted(argv) or text is None or not result.ok or "warnings" in result.data:
        return
    if any(outcome["status"] != "up_to_date" for outcome in result.data["modules"]):
        return
    try:
        from ..course import Course
        from ..engine import export, usage_log
        from ..engine.progress import ProgressStore

        course = ctx.course
        if usage_log.enabled(course):
            return

        def inputs(course) -> list:
            return [*export.decision_inputs(course, course.modules), ProgressStore(course).path,
                    course.state_dir / usage_log.CONFIG]

        before = noop_export.stamps(inputs(course))
        again = Course.load(course.root)  # read again if any of the course's files changed since
        outcomes = export.up_to_date_outcomes(again, again.modules)
        if outcomes != result.data["modules"]:
            return
        noop_export.remember(argv, course.root, before, noop_export.stamps(inputs(again)), text)
    except Exception:  # only a cache: the export itself is done and said
        return
