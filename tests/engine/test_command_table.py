"""The command table is whole: every target imports, takes exactly its arguments, and every face offers it.

The table (:mod:`tito_jupyter.commands`) is the one protocol; the engine calls ``target(ctx, **args)``, the CLI
and ``%tito`` parse with the parser built from it, and the server lists it (``GET commands``, checked in
tests/server/test_every_command_served.py). A command whose target moved, whose function grew a required
parameter, or that one face leaves out fails here with the command's name.
"""

from __future__ import annotations

import importlib
import inspect
from typing import get_args

import pytest

from tito_jupyter import commands as command_table
from tito_jupyter import contracts
from tito_jupyter.command_line import parse as cli_parse
from tito_jupyter.magics import magic

COMMANDS = command_table.all_commands()
KINDS = set(get_args(contracts.ArgKind))


def _target(command):
    module_name, _, func_name = command.target.partition(":")
    assert module_name and func_name, f"{command.name}: target {command.target!r} is not 'module:function'"
    return getattr(importlib.import_module(module_name), func_name)


def _required(arg) -> bool:
    """A positional argument that must be given at least once; switches and ``?``/``*`` ones may be left out."""
    return not arg.flags and arg.nargs in (None, "+")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_target_imports_and_takes_exactly_its_args(command):
    func = _target(command)
    assert callable(func), f"{command.name}: {command.target} is not a function"
    params = list(inspect.signature(func).parameters.values())
    assert params and params[0].name == "ctx", f"{command.name}: {command.target} must take ctx first"
    params = {p.name: p for p in params[1:]}
    assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values()), \
        f"{command.name}: {command.target} hides its arguments behind *args/**kwargs"
    names = [a.name for a in command.args]
    assert len(names) == len(set(names)), f"{command.name}: an argument is listed twice"
    assert set(names) == set(params), \
        f"{command.name}: table args {sorted(names)} but {command.target} takes {sorted(params)}"
    for arg in command.args:
        assert arg.kind in KINDS, f"{command.name}: {arg.name} has kind {arg.kind!r}"
        param = params[arg.name]
        assert param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY), f"{command.name}: {arg.name}"
        has_default = param.default is not param.empty
        assert has_default is not _required(arg), (
            f"{command.name}: {arg.name} is {'required' if _required(arg) else 'optional'} in the table but "
            f"{'has' if has_default else 'has no'} default in {command.target}")


def _argv(words: tuple[str, ...], command) -> list[str]:
    """A command line naming the command by ``words``, with a value for each required argument."""
    argv = list(words)
    for arg in command.args:
        if _required(arg):
            argv.append(arg.choices[0] if arg.choices else "1")
    return argv


def _spellings(command) -> list[tuple[str, ...]]:
    return [command.path] + ([command.path[-1:]] if command.shortcut and len(command.path) > 1 else [])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_is_reachable_from_the_cli(command):
    for words in _spellings(command):
        parsed, kwargs, _ = cli_parse(_argv(words, command))
        assert parsed == command, f"{command.name}: `tito {' '.join(words)}` runs {parsed and parsed.name}"
        assert set(kwargs) == {a.name for a in command.args}, command.name


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_is_reachable_from_the_magic(command):
    # The magic's own reading of a line: its switches taken out, then its parser (prog %tito).
    for words in _spellings(command):
        argv, flags = magic._split(" ".join(_argv(words, command)) + " --text")
        assert flags["text"], command.name
        parsed, kwargs, _ = magic.parse(argv, prog="%tito")
        assert parsed == command, f"{command.name}: `%tito {' '.join(words)}` runs {parsed and parsed.name}"
        assert set(kwargs) == {a.name for a in command.args}, command.name


def test_the_table_names_each_command_once():
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    top = [c.path[0] for c in COMMANDS if len(c.path) == 1] + [c.path[-1] for c in COMMANDS if c.shortcut]
    groups = {c.path[0] for c in COMMANDS if len(c.path) > 1}
    clashes = sorted({w for w in top if top.count(w) > 1 or w in groups})
    assert not clashes, f"top-level words offered twice: {clashes}"


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.rest_action], ids=lambda c: c.name)
def test_a_rest_action_names_the_resource_it_runs_on(command):
    # POST {acts_on}s/{name}/{action} puts the name in the argument for what it acts on (server/requests.py).
    from tito_jupyter.server.requests import action_args

    assert command.server_job and command.acts_on, f"{command.name}: a REST action must be a server job on a kind"
    assert command.action == command.path[-1]
    assert action_args(command, "01") in ({command.acts_on: "01"}, {f"{command.acts_on}s": ["01"]})


def test_rest_action_words_are_unique_per_resource():
    seen = {}
    for command in COMMANDS:
        if command.action:
            key = (command.acts_on, command.action)
            assert key not in seen, f"{command.name} and {seen[key]} are both POST {key[0]}s/<name>/{key[1]}"
            seen[key] = command.name


def test_tito_help_names_every_command_of_each_group():
    # The groups' help used to list their commands by hand and had lost system health/log and nbgrader
    # status/analytics; it is made from the table now.
    from tito_jupyter.command_line import build_parser

    top = next(a for a in build_parser()._actions if a.dest == "==SUPPRESS==" and getattr(a, "choices", None))
    helps = {choice.dest: choice.help for choice in top._choices_actions}
    for group in {c.path[0] for c in COMMANDS if len(c.path) > 1}:
        words = [c.path[1] for c in COMMANDS if c.path[0] == group and len(c.path) > 1]
        assert helps[group].endswith(": " + ", ".join(words)), (group, helps[group])
