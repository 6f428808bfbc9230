"""The command table as the REST API lists it (``GET commands``): what a face needs to offer a command.

The table (:mod:`tito_jupyter.commands`, built-ins and plugins) stays the only source; this turns each
:class:`~tito_jupyter.commands.Command` into plain JSON, leaving out how it runs (its ``target``).
"""

from __future__ import annotations

from .. import contracts
from ..commands import Arg, Command, all_commands

_JSON_SCALARS = (str, int, float, bool, type(None))


def _plain(value):
    """A default as JSON can carry it (a plugin may use any object as a default)."""
    if isinstance(value, _JSON_SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def describe_arg(arg: Arg) -> contracts.CommandArg:
    return {"name": arg.name, "help": arg.help, "flags": list(arg.flags), "kind": arg.kind, "nargs": arg.nargs,
            "choices": list(arg.choices) if arg.choices is not None else None, "default": _plain(arg.default)}


def describe(command: Command) -> contracts.Command:
    return {"name": command.name, "path": list(command.path), "help": command.help,
            "description": command.description, "args": [describe_arg(a) for a in command.args],
            "shortcut": command.shortcut, "long_running": command.long_running, "acts_on": command.acts_on,
            "action": command.action, "source": command.source}


def list_commands() -> contracts.Commands:
    """``{"commands": [...]}``: every command of the table a job may run, built-ins first, in the table's order."""
    return {"commands": [describe(c) for c in all_commands() if c.server_job]}
