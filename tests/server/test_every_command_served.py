"""Every command of the table that a server may run as a job is listed by a real server's ``GET commands``,
with the table's arguments, reaches its own argument checks through ``POST jobs`` and, if it is a REST action,
through its route; every command it lists is one the table has; a terminal-only command is refused with the
documented reason (the other faces, the CLI and ``%tito``: tests/engine/test_command_table.py)."""

from __future__ import annotations

import pytest

from tito_jupyter import commands as command_table

COMMANDS = command_table.all_commands()


async def test_get_commands_lists_every_server_job_of_the_table_with_its_args(api):
    status, body = await api("GET", "commands")
    assert status == 200
    served = {c["name"]: c for c in body["commands"]}
    table = {c.name: c for c in command_table.all_commands()}
    for name, command in table.items():
        if command.server_job:
            assert name in served, f"{name}: a server job the server does not list"
            assert [a["name"] for a in served[name]["args"]] == [a.name for a in command.args], name
        else:
            assert name not in served, f"{name}: listed, but not a server job"
    assert set(served) <= set(table), f"listed but not in the table: {sorted(set(served) - set(table))}"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
async def test_post_jobs_reaches_every_server_job_and_refuses_the_terminal_ones(api, command):
    # An argument no command has: the answer says whose arguments were checked, and nothing runs.
    status, body = await api("POST", "jobs", body={"command": command.name, "args": {"no_such_arg": 1}})
    if command.server_job:
        assert (status, body["reason"]) == (400, "invalid_argument"), body
        assert body["message"].startswith(f"{command.name} has no argument 'no_such_arg'"), body
    else:
        assert (status, body["reason"]) == (400, "not_a_server_job"), body
        assert f"tito {' '.join(command.path)}" in body["message"]
    _, jobs = await api("GET", "jobs")
    assert jobs["jobs"] == []


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.action], ids=lambda c: c.name)
async def test_every_rest_action_of_the_table_has_its_route(api, command):
    # A body field no action takes: the route found the command (an unknown action is a 404 before the body).
    status, body = await api("POST", f"{command.acts_on}s/1/{command.action}", body={"no_such_field": 1})
    assert (status, body["reason"]) == (400, "invalid_body"), body
    _, document = await api("GET", "openapi.json")
    words = document["paths"][f"/{command.acts_on}s/{{{command.acts_on}}}/{{action}}"]["post"]["parameters"][1]
    assert command.action in words["schema"]["enum"]
