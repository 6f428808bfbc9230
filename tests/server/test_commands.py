"""GET commands: the command table as the API lists it, built-ins and the commands a plugin package registers,
which then run as jobs through POST jobs like any built-in."""

from __future__ import annotations

import os

import pytest
from plugin_factory import DIST_NAME, write_plugin

from tito_jupyter import commands as command_table

COMMAND_FIELDS = {"name", "path", "help", "description", "args", "shortcut", "long_running", "acts_on", "action",
                  "source"}
ARG_FIELDS = {"name", "help", "flags", "kind", "nargs", "choices", "default"}


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """The tito-hello plugin installed for this server (sys.path) and the jobs it starts (PYTHONPATH)."""
    site = write_plugin(tmp_path / "site")
    monkeypatch.syspath_prepend(str(site))
    # Keep what PYTHONPATH already holds: the tito_jupyter under test may come from there (a worktree).
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    command_table.forget_plugins()
    yield site
    command_table.forget_plugins()


async def test_the_built_in_commands_are_listed_in_the_tables_order(api):
    status, body = await api("GET", "commands")
    assert status == 200
    listed = body["commands"]
    builtin = [c for c in listed if c["source"] == "tito_jupyter"]
    # every built-in a job may run (dev.serve is for a terminal), in the table's order
    assert [c["name"] for c in builtin] == [c.name for c in command_table.BUILTIN if c.server_job]
    assert "dev.serve" not in {c["name"] for c in listed}
    assert all(set(c) == COMMAND_FIELDS for c in listed)
    assert all(set(a) == ARG_FIELDS for c in listed for a in c["args"])
    export = next(c for c in listed if c["name"] == "module.export")
    assert export["path"] == ["module", "export"] and export["long_running"] and export["acts_on"] == "module"
    assert export["shortcut"] is True and export["action"] == "export"  # POST modules/{module}/export
    modules, all_ = export["args"][:2]
    assert modules == {"name": "modules", "help": modules["help"], "flags": [], "kind": "str", "nargs": "*",
                       "choices": None, "default": None}
    assert all_["flags"] == ["--all", "-a"] and all_["kind"] == "bool"
    log = next(c for c in listed if c["name"] == "system.log")
    assert log["args"][0]["choices"] == ["on", "off", "status"] and log["args"][0]["default"] == "status"
    assert log["action"] is None  # no REST action of its own: POST jobs only


async def test_a_plugins_commands_are_listed_with_the_distribution_as_source(api, plugin):
    status, body = await api("GET", "commands")
    assert status == 200
    by_name = {c["name"]: c for c in body["commands"]}
    greet = by_name["hello.greet"]
    assert greet["source"] == DIST_NAME and greet["help"] == "Say hello to a module."
    assert greet["path"] == ["hello", "greet"] and greet["acts_on"] == "module" and not greet["long_running"]
    assert [a["name"] for a in greet["args"]] == ["module"] and greet["args"][0]["flags"] == []
    assert by_name["hello.wave"]["args"] == [] and by_name["hello.wave"]["source"] == DIST_NAME
    assert [c["name"] for c in body["commands"]][-2:] == ["hello.greet", "hello.wave"]  # after the built-ins


async def test_a_plugin_command_runs_as_a_job_with_its_result(api, plugin):
    status, job = await api("POST", "jobs", body={"command": "hello.greet", "args": {"module": "1"},
                                                  "source": "sidebar"})
    assert status == 202, job
    assert job["command"] == "hello.greet" and job["args"] == {"module": "01_numbers"}  # resolved by the course
    done = await api.wait(job["id"])
    assert done["state"] == "succeeded", done["result"]
    assert done["result"]["summary"] == "Hello, Numbers!"
    assert done["result"]["data"] == {"module": "01_numbers"}
    _, job = await api("POST", "jobs", body={"command": "hello.wave"})
    done = await api.wait(job["id"])
    assert done["state"] == "succeeded" and done["result"]["summary"] == "Waving at 2 modules."


async def test_a_plugin_command_is_checked_like_any_other(api, plugin):
    status, body = await api("POST", "jobs", body={"command": "hello.greet", "args": {"module": "99"}})
    assert status == 404 and body["reason"] == "unknown_name"
    status, body = await api("POST", "jobs", body={"command": "hello.wave", "args": {"loud": True}})
    assert status == 400 and body["reason"] == "invalid_argument"


async def test_a_plugins_rest_action_is_served_and_documented_by_its_one_table_entry(api, plugin):
    # hello.greet says rest_action=True and acts_on="module": that is all it takes for POST modules/{module}/greet.
    _, body = await api("GET", "commands")
    assert {c["name"]: c for c in body["commands"]}["hello.greet"]["action"] == "greet"
    status, job = await api("POST", "modules/1/greet", body={"source": "sidebar"})
    assert status == 202, job
    assert job["command"] == "hello.greet" and job["args"] == {"module": "01_numbers"} and job["source"] == "sidebar"
    done = await api.wait(job["id"])
    assert done["state"] == "succeeded" and done["result"]["summary"] == "Hello, Numbers!", done["result"]
    # the document this server serves lists it with the built-in actions, and its arguments for POST jobs
    _, document = await api("GET", "openapi.json")
    action = document["paths"]["/modules/{module}/{action}"]["post"]["parameters"][1]["schema"]["enum"]
    assert action == ["export", "test", "complete", "validate", "greet"]
    assert document["components"]["schemas"]["CommandArgs"]["properties"]["hello.greet"]["properties"] == {
        "module": {"type": "string", "minLength": 1, "description": "a module"}}
    status, body = await api("POST", "checkpoints/1/greet")  # a module's action, not a checkpoint's
    assert status == 404 and body["reason"] == "unknown_action" and "test, run" in body["message"]


async def test_without_the_plugin_its_commands_are_unknown(api):
    command_table.forget_plugins()
    _, body = await api("GET", "commands")
    assert not any(c["name"].startswith("hello.") for c in body["commands"])
    status, body = await api("POST", "jobs", body={"command": "hello.greet", "args": {"module": "1"}})
    assert status == 400 and body["reason"] == "unknown_command"
    status, body = await api("POST", "modules/1/greet")
    assert status == 404 and body["reason"] == "unknown_action"
    _, document = await api("GET", "openapi.json")
    assert "greet" not in document["paths"]["/modules/{module}/{action}"]["post"]["parameters"][1]["schema"]["enum"]
