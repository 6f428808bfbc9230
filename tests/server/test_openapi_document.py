"""openapi.json and job-event.schema.json say what the command table and the typed contracts say, and the check
that holds every server response to the document (tests/openapi_contract.py, used by conftest's ``jp_fetch``)
refuses an answer that drifts from it."""

from __future__ import annotations

import json
from typing import TypedDict

import pytest
from openapi_contract import check_response, validate_component

from tito_jupyter import contracts
from tito_jupyter.commands import BUILTIN, Arg, Command
from tito_jupyter.server import openapi


def test_the_committed_documents_are_made_from_the_table_and_the_contracts(capsys):
    assert openapi.main(["--check"]) == 0, capsys.readouterr().out


def test_a_new_command_in_the_table_makes_the_document_stale_until_it_is_written_again(monkeypatch):
    lint = Command(("module", "lint"), "Lint a module.", "tito_jupyter.engine.modules:validate",
                   (Arg("modules", "modules", nargs="*"), Arg("strict", "be strict", flags=("--strict",), kind="bool"),
                    Arg("timeout", "seconds", flags=("--timeout",), kind="seconds")),
                   long_running=True, acts_on="module", rest_action=True)
    monkeypatch.setattr(openapi, "BUILTIN", (*BUILTIN, lint))
    text = openapi.outputs()[openapi.OPENAPI_FILE]
    assert text != openapi.OPENAPI_FILE.read_text(encoding="utf-8")
    made = json.loads(text)
    words = made["paths"]["/modules/{module}/{action}"]["post"]["parameters"][1]["schema"]["enum"]
    assert words == ["export", "test", "complete", "validate", "lint"]
    args = made["components"]["schemas"]["CommandArgs"]["properties"]["module.lint"]
    assert args["additionalProperties"] is False
    assert args["properties"]["strict"]["type"] == "boolean"
    assert args["properties"]["timeout"]["maximum"] == 86400 and args["properties"]["timeout"]["exclusiveMinimum"]
    assert args["properties"]["modules"]["type"] == "array"


def test_a_field_added_to_a_contract_makes_the_document_stale(monkeypatch):
    class Version(TypedDict):
        version: str
        api: int
        build: str

    monkeypatch.setitem(contracts.COMPONENTS, "Version", Version)
    made = json.loads(openapi.outputs()[openapi.OPENAPI_FILE])
    assert made["components"]["schemas"]["Version"]["required"] == ["version", "api", "build"]


def test_the_bus_event_schema_follows_the_job_states_of_the_contract():
    schema = json.loads(openapi.JOB_EVENT_SCHEMA_FILE.read_text(encoding="utf-8"))
    assert tuple(schema["properties"]["state"]["enum"]) == contracts.JobState.__args__
    assert schema["required"] == list(contracts.JobBusEvent.__annotations__)


JOB = {"id": "a1", "command": "module.test", "args": {"modules": ["01_numbers"]}, "notebook": None,
       "source": "rest", "origin": "server", "state": "queued", "events": [], "event_count": 0, "result": None,
       "created": 1.0, "started": None, "finished": None}


def test_a_nullable_reference_takes_null_or_the_object_and_nothing_else():
    validate_component(JOB, "Job")
    done = {**JOB, "state": "succeeded", "result": {"command": "module.test", "ok": True, "summary": "ok.",
                                                    "data": {}, "error": None, "duration": 0.1}}
    validate_component(done, "Job")
    with pytest.raises(AssertionError, match="result"):
        validate_component({**JOB, "result": 3}, "Job")
    with pytest.raises(AssertionError, match="state"):
        validate_component({**JOB, "state": "paused"}, "Job")


def _answer(data) -> bytes:
    return json.dumps(data).encode()


def test_the_response_check_refuses_an_answer_that_drifts_from_the_document():
    check_response("GET", ("tito", "api", "version"), 200, _answer({"version": "1.0", "api": 1}))
    with pytest.raises(AssertionError, match="does not fit"):  # a field of the wrong type
        check_response("GET", ("tito", "api", "version"), 200, _answer({"version": 1, "api": 1}))
    with pytest.raises(AssertionError, match="does not fit"):  # a required field missing
        check_response("POST", ("tito", "api", "modules", "01", "export"), 202, _answer({"id": "a1"}))
    with pytest.raises(AssertionError, match="not one openapi.json documents"):  # a status the operation lacks
        check_response("GET", ("tito", "api", "jobs"), 400, _answer({"message": "m", "reason": "r"}))
    with pytest.raises(AssertionError, match="not one openapi.json documents"):  # a bug is never documented
        check_response("GET", ("tito", "api", "course"), 500, _answer({"message": "m", "reason": "internal"}))
    # the catch-all: no such endpoint, or a verb the endpoint lacks, answers an Error
    check_response("GET", ("tito", "api", "nothing/here"), 404, _answer({"message": "m", "reason": "not_found"}))
    check_response("PUT", ("tito", "api", "jobs"), 405, _answer({"message": "m", "reason": "method_not_allowed"}))
    with pytest.raises(AssertionError, match="does not fit"):
        check_response("GET", ("tito", "api", "nothing"), 404, _answer({"error": "not found"}))
    # the path's literal words win over a template's placeholder
    check_response("GET", ("tito", "api", "checkpoints", "timeline"), 200, _answer({"timeline": []}))
    # jupyter_server's own endpoints are not tito's to check
    check_response("GET", ("api", "status"), 200, _answer({"anything": True}))
