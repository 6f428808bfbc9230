"""The command-line face: ``tito`` and ``python -m tito_jupyter``.

It builds its parser from the command table, runs the engine, and renders the result: rich tables and live
progress for people, ``--json`` for machines, ``--events`` (JSON lines as the work goes) for job runners.
Exit codes: 0 the work succeeded, 1 the work failed, 2 the request was wrong (usage).

Only ``argparse`` and the command table are imported before a command runs; rich is imported to render.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .._version import __version__
from ..cli_help import write_out as _write_out
from ..commands import Arg, Command, all_commands

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

#: What each group is for; its commands are listed after it from the table (``module: ... export, test, ...``).
_GROUP_HELP = {
    "module": "work on modules",
    "checkpoint": "capability checkpoints",
    "milestone": "history rebuilt with your framework",
    "system": "the installation",
    "dev": "for course developers",
    "release": "the verified student edition, for instructors",
    "nbgrader": "an nbgrader course, for instructors",
    "class": "the class, for instructors",
}

_EPILOG = """\
short forms: tito complete 01 | tito export --all | tito test --all | tito status | tito list
exit codes: 0 done, 1 the work failed (a test, an export), 2 the request was wrong (e.g. an unknown module)
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors say what to do next and exit with 2."""

    def error(self, message: str):
        import re

        from ..course import SHOWN_NAME_CHARS, shown_name

        # argparse repeats what was typed ("invalid choice: '...'"); a 100,000-character word stays short.
        message = re.sub(r"'([^']{%d,})'" % (SHOWN_NAME_CHARS + 1), lambda m: shown_name(m.group(1)), message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"tito: {message}\nSee `{self.prog} --help`.\n")

    def _check_value(self, action, value):
        """An unknown command word gets a suggestion (difflib), not argparse's usage dump and choice list."""
        if not isinstance(action, argparse._SubParsersAction) or value in action.choices:
            return super()._check_value(action, value)
        import difflib

        from ..course import shown_name

        close = difflib.get_close_matches(value, list(action.choices), n=1, cutoff=0.6)
        hint = f"Did you mean `{self.prog} {close[0]}`?" if close else f"The commands: {', '.join(action.choices)}."
        self.exit(EXIT_USAGE, f"tito: {shown_name(value)} is not a command of `{self.prog}`. {hint}\n"
                              f"See `{self.prog} --help`.\n")


def _checked_by(arg: Arg):
    """An argparse ``type`` that applies the table's rule for ``arg`` (a usage error, exit 2, if it is broken)."""

    def convert(text: str):
        try:
            return arg.check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = arg.kind  # argparse names the type in some messages
    return convert


def _add_arg(parser: argparse.ArgumentParser, arg: Arg) -> None:
    kwargs: dict = {"help": arg.help}
    if arg.kind == "bool":
        kwargs.update(action="store_true", default=None)
    else:
        if arg.kind in ("int", "float"):
            kwargs["type"] = int if arg.kind == "int" else float
        elif arg.kind == "seconds":
            kwargs["type"] = _checked_by(arg)
        if arg.nargs:
            kwargs["nargs"] = arg.nargs
        if arg.choices:
            kwargs["choices"] = arg.choices
        if arg.default is not None:
            kwargs["default"] = arg.default
        if arg.metavar:
            kwargs["metavar"] = arg.metavar
    if arg.flags:
        parser.add_argument(*arg.flags, dest=arg.name, **kwargs)
    else:
        parser.add_argument(arg.name, **kwargs)


def _add_command(subparsers, name: str, command: Command, detailed: bool = True) -> None:
    sub = subparsers.add_parser(name, help=command.help, description=command.description or command.help)
    if detailed:
        for arg in command.args:
            _add_arg(sub, arg)
    sub.set_defaults(_command=command)


_EVERY = object()


def build_parser(prog: str = "tito", commands: list[Command] | None = None,
                 only=_EVERY, siblings: bool = True) -> argparse.ArgumentParser:
    """The whole command tree, read from the command table.

    ``only`` (a first word, or None for none) builds in full just the branch a command line takes: the other
    commands are still listed, with their help, but get neither their arguments nor, for a group, its
    commands. Building all of them was most of the time of ``tito --help`` and ``tito list``.
    Without ``siblings``, the other commands are left out altogether: a command line that names a command and
    asks for no top-level help never shows them (each parser made costs argparse's translation look-ups).
    """
    commands = all_commands() if commands is None else commands
    parser = _Parser(prog=prog, description="tito: build TinyTorch one module at a time.", epilog=_EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"tito-jupyter {__version__}")
    parser.add_argument("--project", metavar="DIR", help="the course folder (default: here or a folder above)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--events", action="store_true", help="print progress events and the result as JSON lines")
    parser.add_argument("--no-color", action="store_true", help="plain output without colours")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every test, not only failures")
    parser.add_argument("--notebook", metavar="PATH", help=argparse.SUPPRESS)
    # For job runners (the server): the command and its arguments as JSON, instead of words on a command line.
    parser.add_argument("--request-json", metavar="JSON", help=argparse.SUPPRESS)
    top = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    groups: dict[str, argparse._SubParsersAction] = {}
    def wanted(word: str) -> bool:
        return only is _EVERY or only == word

    for command in commands:
        if not siblings and not wanted(command.path[0]):
            continue
        if len(command.path) == 1:
            _add_command(top, command.path[0], command, wanted(command.path[0]))
            continue
        group = command.path[0]
        if group not in groups:
            words = ", ".join(c.path[1] for c in commands if c.path[0] == group and len(c.path) > 1)
            gp = top.add_parser(group, help=f"{_GROUP_HELP.get(group, f'{group} commands')}: {words}")
            gp.set_defaults(_group=gp)
            groups[group] = gp.add_subparsers(title=f"{group} commands", metavar="COMMAND", parser_class=_Parser)
        if wanted(group):
            _add_command(groups[group], command.path[1], command)
    for command in commands:
        if command.shortcut and len(command.path) > 1 and (siblings or wanted(command.path[-1])):
            _add_command(top, command.path[-1], command, wanted(command.path[-1]))
    return parser


def _first_word(argv: list[str]) -> str | None:
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in ("--project", "--notebook", "--request-json"):
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def _top_level_help(argv: list[str], first: str | None) -> bool:
    """Whether argparse would show the top-level help (a help flag before the command word), listing every command."""
    before = argv[: argv.index(first)] if first in argv else argv
    return any(word in ("-h", "--help") or (word.startswith("-") and not word.startswith("--") and "h" in word)
               for word in before)


def parse(argv: list[str], prog: str = "tito") -> tuple[Command | None, dict, argparse.Namespace]:
    """Parse a command line into (command, its keyword arguments, the namespace)."""
    from ..commands import BUILTIN

    # Looking up plugins' entry points costs tens of milliseconds: skip it for built-in commands.
    builtin_words = {c.path[0] for c in BUILTIN} | {c.path[-1] for c in BUILTIN if c.shortcut}
    first = _first_word(argv)
    builtin = first in builtin_words
    parser = build_parser(prog, list(BUILTIN) if builtin else None, only=first,
                          siblings=not builtin or _top_level_help(argv, first))
    ns = parser.parse_args(argv)
    command: Command | None = getattr(ns, "_command", None)
    if ns.request_json is not None:
        from ..commands import request_from_json
        from ..errors import UsageError

        if command is not None:
            parser.error("give either a command or --request-json, not both")
        try:
            command, kwargs = request_from_json(ns.request_json)
        except UsageError as exc:
            parser.error(exc.message)
        return command, kwargs, ns
    if command is None:
        (getattr(ns, "_group", None) or parser).print_help()
        return None, {}, ns
    kwargs = {arg.name: getattr(ns, arg.name, None) for arg in command.args}
    return command, kwargs, ns


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
        pass
    return result.exit_code
