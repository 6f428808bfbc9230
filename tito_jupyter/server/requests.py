"""Checking what a request asks for before anything runs: the command, its arguments, the names, the notebook.

Arguments are checked against the command's :class:`~tito_jupyter.commands.Arg` list (the command table is the
only place that knows them). Module, checkpoint and milestone names are resolved through the course registry
(``Course.module`` and friends) and replaced by their canonical ids, so what reaches a job is always a name the
course has, never text from the request. A notebook path must lie inside the course.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import commands as command_table
from ..commands import Arg, Command
from ..course import Course, shown_name
from ..errors import TitoError, UsageError
from .errors import ApiError

MAX_STRING = 300
MAX_NAME = 100
MAX_LIST = 200
MAX_NOTEBOOK_PATH = 1024


@dataclass(frozen=True)
class JobRequest:
    """A checked request for a job: the command, its arguments (names canonical) and the notebook it came from."""

    command: Command
    args: dict
    notebook: str | None  # relative to the course root
    source: str


def _has_control_chars(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def find_command(name) -> Command:
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or _has_control_chars(name):
        raise ApiError(400, "`command` must be a command name such as \"module.complete\".", "invalid_command")
    try:
        command = command_table.find(name)
    except UsageError as exc:
        raise ApiError(400, exc.message, "unknown_command") from None
    if not command.server_job:
        raise ApiError(400, f"{command.name} runs only from a terminal (`tito {' '.join(command.path)}`), "
                            "not as a job of this server.", "not_a_server_job")
    return command


def find_action(kind: str, word) -> Command:
    """The command a REST action runs (``POST modules/{module}/{word}``): the table's, plugins' included."""
    actions = command_table.rest_actions().get(kind, {})
    command = actions.get(word) if isinstance(word, str) else None
    if command is None:
        raise ApiError(404, f"{kind.capitalize()}s have no action {str(word)[:40]!r}; they have: "
                            f"{', '.join(actions) or 'none'}.", "unknown_action")
    return command


def action_args(command: Command, name: str) -> dict:
    """The arguments of a REST action on the resource named ``name``: the command's argument for what it acts on
    (``modules`` takes a list, ``checkpoint`` one name), so the URL says no more than the command line would."""
    for arg in command.args:
        if arg.name in (command.acts_on, f"{command.acts_on}s"):
            return {arg.name: [name] if arg.nargs in ("*", "+") else name}
    raise ValueError(f"{command.name} acts on a {command.acts_on} but takes no argument naming one")


def _check_string(command: Command, arg: Arg, value) -> str:
    where = f"{command.name}: argument {arg.name!r}"
    if not isinstance(value, str):
        raise ApiError(400, f"{where} must be a string, not {type(value).__name__}.", "invalid_argument")
    if not value or len(value) > MAX_STRING or _has_control_chars(value) or value.startswith("-"):
        raise ApiError(400, f"{where}: {value[:60]!r} is not an acceptable value.", "invalid_argument")
    if arg.choices and value not in arg.choices:
        raise ApiError(400, f"{where} must be one of {', '.join(arg.choices)}.", "invalid_argument")
    return value


#: The command table's rule for a time in seconds (Arg.check): one home, whether the value comes as an action's
#: body field or as a command's argument.
_SECONDS = Arg("timeout", "seconds", kind="seconds")


def check_timeout(value, where: str = "`timeout`") -> float:
    """A time in seconds, checked by the command table's rule; JSON says numbers as numbers, so text is a 400."""
    if isinstance(value, str):
        raise ApiError(400, f"{where} must be a number, not a string.", "invalid_argument")
    try:
        return _SECONDS.check(value)
    except ValueError as exc:
        raise ApiError(400, f"{where} {exc}", "invalid_argument") from None


def _check_value(command: Command, arg: Arg, value):
    where = f"{command.name}: argument {arg.name!r}"
    if arg.nargs in ("*", "+"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or len(value) > MAX_LIST:
            raise ApiError(400, f"{where} must be a list of strings.", "invalid_argument")
        if arg.nargs == "+" and not value:
            raise ApiError(400, f"{where} needs at least one value.", "invalid_argument")
        return [_check_string(command, arg, v) for v in value]
    if arg.kind == "bool":
        if not isinstance(value, bool):
            raise ApiError(400, f"{where} must be true or false.", "invalid_argument")
        return value
    if arg.kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (arg.kind == "int" and not isinstance(value, int)):
            raise ApiError(400, f"{where} must be a number.", "invalid_argument")
        if not math.isfinite(value) or value < 0:
            raise ApiError(400, f"{where}: {value} is out of range.", "invalid_argument")
        return value
    if arg.kind == "seconds":
        return check_timeout(value, where)
    return _check_string(command, arg, value)


def check_args(command: Command, args) -> dict:
    """``args`` checked against the command's arguments; unknown keys, wrong types and odd strings are 400s."""
    if args is None:
        return {}
    if not isinstance(args, dict):
        raise ApiError(400, "`args` must be an object of argument names and values.", "invalid_argument")
    spec = {arg.name: arg for arg in command.args}
    checked = {}
    for key, value in args.items():
        name = "all_" if key == "all" and "all_" in spec else key  # `all_` is a Python name; JSON callers say `all`
        if name not in spec:
            accepted = ", ".join(a.name for a in command.args) or "no arguments"
            raise ApiError(400, f"{command.name} has no argument {str(key)[:60]!r}; it takes: {accepted}.",
                           "invalid_argument")
        if value is not None and spec[name].kind == "address":
            raise ApiError(400, f"{command.name}: {spec[name].label} sends course material to another machine, so it "
                           "is given only from the instructor's terminal, not through the server.", "terminal_only")
        if value is not None:
            checked[name] = _check_value(command, spec[name], value)
    return checked


def _looks_like_name(raw) -> bool:
    return (isinstance(raw, str) and 0 < len(raw) <= MAX_NAME and not _has_control_chars(raw)
            and not any(c in raw for c in "/\\") and ".." not in raw)


def resolve_name(course: Course, kind: str, raw) -> str:
    """The canonical id of a module/checkpoint/milestone named ``raw``; unknown names raise UnknownNameError."""
    lookup = getattr(course, kind)
    if not _looks_like_name(raw):
        listing = ", ".join(item.id for item in getattr(course, f"{kind}s", [])) or "nothing yet"
        shown = shown_name(raw) if isinstance(raw, str) else f"A {type(raw).__name__}"
        raise ApiError(400, f"{shown} is not a {kind} name. The course has: {listing}.", "invalid_name")
    return lookup(raw).id


def resolve_names(course: Course, command: Command, args: dict) -> dict:
    """Replace every name the command acts on by the registry's id for it."""
    kind = command.acts_on
    if not kind or not hasattr(course, kind):
        return args
    resolved = dict(args)
    for key in (kind, f"{kind}s"):
        value = resolved.get(key)
        if isinstance(value, list):
            resolved[key] = [resolve_name(course, kind, v) for v in value]
        elif value is not None:
            resolved[key] = resolve_name(course, kind, value)
    return resolved


def check_notebook(raw, root_dir: Path, course_root: Path) -> str | None:
    """A notebook path (relative to the server's root folder, or absolute) as a path relative to the course.

    Malformed paths (``..`` parts, NUL bytes, backslashes) are refused; a well-formed path that lies outside
    the course (also through a symlink) is dropped: it cannot say which module is meant.
    """
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > MAX_NOTEBOOK_PATH or _has_control_chars(raw) or "\\" in raw:
        raise ApiError(400, "`notebook` must be the path of a notebook in the course.", "invalid_notebook")
    if ".." in PurePosixPath(raw).parts:
        raise ApiError(400, f"{raw[:80]!r}: a notebook path may not contain '..'.", "invalid_notebook")
    path = Path(raw) if raw.startswith("/") else Path(root_dir) / raw
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        raise ApiError(400, f"{raw[:80]!r} is not a usable path.", "invalid_notebook") from None
    if not resolved.is_relative_to(course_root):
        # A notebook elsewhere (a scratch notebook) gives no module context; the command still runs, and one
        # that needs a module says "which module?". No path outside the course ever reaches a job.
        return None
    return resolved.relative_to(course_root).as_posix()


def check_source(raw) -> str:
    if raw is None:
        return "rest"
    if not isinstance(raw, str) or not 0 < len(raw) <= 40 or _has_control_chars(raw):
        raise ApiError(400, "`source` must be a short word such as \"sidebar\" or \"magic\".", "invalid_source")
    return raw


def _inside_course(course: Course, where: str, raw: str) -> Path:
    """``raw`` (relative to the course, or absolute) as an absolute path, if it lies inside the course."""
    try:
        path = (course.root / Path(raw).expanduser()).resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte
        path = None
    if path is None or not path.is_relative_to(course.root.resolve()):
        raise ApiError(400, f"{where}: {shown_name(raw)} is outside the course; from the server, tito reads and "
                            f"writes only inside {course.root.name}/. Name a folder in it, or run the command in a "
                            "terminal.", "outside_course")
    return path


def check_paths(course: Course, command: Command, args: dict) -> dict:
    """Files and folders a job would read or write, kept inside the course and made absolute.

    A REST caller must not reach where the server's user can (another student's folder, the server's config);
    a ``sqlite:`` database is a file too. Other database URLs name a server, not a file, and pass.
    """
    checked = dict(args)
    for arg in command.args:
        value = checked.get(arg.name)
        if value is None:
            continue
        where = f"{command.name}: argument {arg.name!r}"
        if arg.kind == "path":
            checked[arg.name] = str(_inside_course(course, where, value))
        elif arg.kind == "database" and value.lower().startswith("sqlite:"):
            file = value.split(":", 1)[1].removeprefix("///")
            if not file or file.startswith(":memory:"):
                continue
            checked[arg.name] = "sqlite:///" + str(_inside_course(course, where, file))
    return checked


def job_request(course: Course, root_dir: Path, command: Command, args, notebook, source) -> JobRequest:
    """Everything a job needs, checked. Engine errors about names become API errors (404 for unknown names)."""
    checked = check_args(command, args)
    try:
        checked = resolve_names(course, command, checked)
    except TitoError as exc:
        raise ApiError.from_tito_error(exc) from None
    checked = check_paths(course, command, checked)
    return JobRequest(command=command, args=checked, notebook=check_notebook(notebook, root_dir, course.root),
                      source=check_source(source))
