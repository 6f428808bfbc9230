"""openapi.json and job-event.schema.json say what the command table and the typed contracts say, and the check
that holds every server response to the document (tests/openapi_contract.py, used by conftest's ``jp_fetch``)
refuses an answer that drifts from it."""

from __future__ import annotations

import json
from typing import TypedDict

import pytest
from openapi_contract import check_response, check_url, validate_component

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
       "modules": ["01_numbers"],
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
    check_response("GET", "/version", 200, _answer({"version": "1.0", "api": 1}))
    with pytest.raises(AssertionError, match="does not fit"):  # a field of the wrong type
        check_response("GET", "/version", 200, _answer({"version": 1, "api": 1}))
    with pytest.raises(AssertionError, match="does not fit"):  # a required field missing
        check_response("POST", "/modules/01/export", 202, _answer({"id": "a1"}))
    with pytest.raises(AssertionError, match="not one openapi.json documents"):  # a status the operation lacks
        check_response("GET", "/jobs", 400, _answer({"message": "m", "reason": "r"}))
    with pytest.raises(AssertionError, match="not one openapi.json documents"):  # a bug is never documented
        check_response("GET", "/course", 500, _answer({"message": "m", "reason": "internal"}))
    # the catch-all: no such endpoint, or a verb the endpoint lacks, answers an Error
    check_response("GET", "/nothing/here", 404, _answer({"message": "m", "reason": "not_found"}))
    check_response("PUT", "/jobs", 405, _answer({"message": "m", "reason": "method_not_allowed"}))
    with pytest.raises(AssertionError, match="does not fit"):
        check_response("GET", "/nothing", 404, _answer({"error": "not found"}))
    # the path's literal words win over a template's placeholder
    check_response("GET", "/checkpoints/timeline", 200, _answer({"timeline": [], "warnings": []}))


ROW = {"id": "01_numbers", "number": 1, "name": "numbers", "title": "Numbers", "notebook": "modules/01/01.ipynb",
       "export_target": "tinytorch.core.numbers", "targets": ["tinytorch.core.numbers"], "requires": [],
       "inline_tests": 2, "test_files": [], "problems": [], "state": "complete", "last_run": 1.5, "changed": False,
       "completed_earlier": False, "tests": {"passed": 2, "failed": 0, "error": 0, "total": 2},
       "missing_prerequisites": []}


def test_the_course_shapes_are_closed_so_an_undocumented_field_is_drift():
    validate_component(ROW, "ModuleRow")
    validate_component({**ROW, "tests": None, "last_run": None, "export_target": None}, "ModuleRow")
    with pytest.raises(AssertionError, match="secret"):  # a field the engine adds without adding it to contracts.py
        validate_component({**ROW, "secret": 1}, "ModuleRow")
    with pytest.raises(AssertionError, match="state"):
        validate_component({**ROW, "state": "done"}, "ModuleRow")
    # an engine event has fields of its own kind: that shape stays open
    validate_component({"event": "step", "time": 1.0, "step": "export", "state": "running"}, "Event")


def test_the_check_reads_urls_as_the_http_client_sends_them():
    # base URL with an escape, an escaped name, a query string: still GET /modules/{module}
    check_url("GET", "/a%40b/tito/api/modules/%C3%A9t%C3%A9?x=1", 200, _answer(ROW))
    with pytest.raises(AssertionError, match="does not fit"):
        check_url("GET", "/a%40b/tito/api/modules/01", 200, _answer({"id": "01"}))
    check_url("GET", "/a%40b/api/contents", 200, _answer({"not": "tito's"}))  # jupyter_server's own: not checked
    # an escaped slash stays in its segment, as the router sees it: GET /modules/{module}, which documents a 400
    check_url("GET", "/a%40b/tito/api/modules/..%2F..%2Fetc", 400, _answer({"message": "m", "reason": "invalid_name"}))
