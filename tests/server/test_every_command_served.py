"""Every command of the table that a server may run as a job is listed by a real server's ``GET commands``,
with the table's arguments, and every command it lists is one the table has (the other faces:
tests/engine/test_command_table.py)."""

from __future__ import annotations

from tito_jupyter import commands as command_table


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
