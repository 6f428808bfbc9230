"""The REST API as docs/rest-api.md describes it: every route, every error path, on a real server and course."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from course_factory import numbers_notebook, write_notebook
from openapi_contract import validate_component

from tito_jupyter import __version__
from tito_jupyter.server.handlers import ROUTES

MODULE_ROW_FIELDS = {"id", "number", "name", "title", "notebook", "export_target", "requires", "state", "last_run",
                     "changed", "tests", "missing_prerequisites"}
CHECKPOINT_ROW_FIELDS = {"id", "question", "requires", "unlocked_by", "state", "missing_modules", "passed_at"}
JOB_FIELDS = {"id", "command", "args", "notebook", "modules", "source", "origin", "state", "events", "event_count", "result", "created",
              "started", "finished"}


def assert_error(status, body, expected_status, reason=None):
    assert status == expected_status, (status, body)
    assert set(body) >= {"message", "reason"} and body["message"], body
    assert "Traceback" not in body["message"]
    if reason:
        assert body["reason"] == reason, body


# -- reads ------------------------------------------------------------------------------------------------


async def test_version_is_the_handshake(api):
    assert await api("GET", "version") == (200, {"version": __version__, "api": 1})


async def test_course_lists_modules_and_checkpoints_in_order(api, course_dir):
    status, course = await api("GET", "course")
    assert status == 200
    assert course["root"] == str(course_dir.resolve())
    assert course["package"] == "tinytorch"
    assert [m["id"] for m in course["modules"]] == ["01_numbers", "02_doubling"]
    assert [c["id"] for c in course["checkpoints"]] == ["c01_arithmetic"]


async def test_modules_have_a_row_each_with_the_contract_fields(api):
    status, data = await api("GET", "modules")
    assert status == 200
    assert set(data) >= {"modules", "complete", "total", "warnings"}
    assert data["total"] == 2 and data["complete"] == 0
    for row in data["modules"]:
        assert set(row) >= MODULE_ROW_FIELDS
        assert row["state"] == "not_started"
    assert data["modules"][1]["requires"] == ["01_numbers"]


@pytest.mark.parametrize("name", ["01_numbers", "01", "1", "numbers", "01_numbers.ipynb"])
async def test_a_module_answers_to_every_name_a_person_uses(api, name):
    status, row = await api("GET", f"modules/{name}")
    assert status == 200, row
    assert row["id"] == "01_numbers" and set(row) >= MODULE_ROW_FIELDS


async def test_unknown_module_is_404_listing_the_modules_and_the_closest(api):
    status, body = await api("GET", "modules/numbrs")
    assert_error(status, body, 404, "unknown_name")
    assert "01_numbers" in body["message"] and "02_doubling" in body["message"]
    assert "Did you mean '01_numbers'" in body["message"]
    assert body["suggestion"] == "01_numbers"


async def test_checkpoints_and_timeline(api):
    status, data = await api("GET", "checkpoints")
    assert status == 200 and data["total"] == 1 and data["passed"] == 0
    assert set(data["checkpoints"][0]) >= CHECKPOINT_ROW_FIELDS
    assert data["checkpoints"][0]["state"] == "locked"
    status, data = await api("GET", "checkpoints/timeline")
    assert status == 200
    assert [(e["kind"], e["id"]) for e in data["timeline"]] == [
        ("module", "01_numbers"), ("module", "02_doubling"), ("checkpoint", "c01_arithmetic")]
    assert all(set(e) >= {"kind", "id", "title", "state"} for e in data["timeline"])


async def test_the_overview_is_the_three_reads_in_one_answer(api):
    # A sidebar refresh is one request: module.overview's rows are those of the three reads, and the jobs come along.
    status, job = await api("POST", "modules/1/complete", body={})
    assert status == 202, job
    assert (await api.wait(job["id"]))["state"] == "succeeded"
    status, overview = await api("GET", "overview")
    assert status == 200, overview
    _, modules = await api("GET", "modules")
    _, checkpoints = await api("GET", "checkpoints")
    _, timeline = await api("GET", "checkpoints/timeline")
    assert overview["modules"] == modules["modules"] and overview["complete"] == modules["complete"] == 1
    assert overview["checkpoints"] == checkpoints["checkpoints"] and overview["checkpoints_passed"] == 0
    assert overview["timeline"] == timeline["timeline"]
    assert [j["id"] for j in overview["jobs"]] == [job["id"]]
    assert overview["jobs"][0]["state"] == "succeeded" and overview["jobs"][0]["modules"] == ["01_numbers"]
    assert overview["next_module"] == "02_doubling"  # the first not complete: the engine's rule, not the sidebar's


async def test_the_servers_kept_status_answer_never_outlives_a_change(api, course_dir):
    """The server keeps the status reads' answers while the course and the progress are unchanged
    (engine/kept_answers.py): a notebook saved with its old time, or a module completed, shows at the next read."""
    import os
    import time

    def age():
        old = time.time() - 120
        for path in [course_dir, *course_dir.rglob("*")]:
            os.utime(path, (old, old))

    age()
    _, first = await api("GET", "modules")
    _, again = await api("GET", "modules")
    assert again == first and first["modules"][0]["title"] == "Numbers"
    path = course_dir / "modules/01_numbers/01_numbers.ipynb"
    st = path.stat()
    nb = numbers_notebook()
    nb["cells"][0]["source"] = "# Sums"
    write_notebook(path, nb)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    for route in ("modules", "overview"):
        _, now = await api("GET", route)
        assert now["modules"][0]["title"] == "Sums", route
    status, job = await api("POST", "modules/1/complete", body={})
    assert (await api.wait(job["id"]))["state"] == "succeeded"
    age()
    _, overview = await api("GET", "overview")
    assert overview["complete"] == 1 and overview["modules"][0]["state"] == "complete"


# -- actions as jobs ------------------------------------------------------------------------------------


async def test_a_module_action_is_a_job_that_completes_the_module(api, course_dir):
    status, job = await api("POST", "modules/1/complete", body={})
    assert status == 202, job
    assert set(job) == JOB_FIELDS
    assert job["command"] == "module.complete" and job["args"] == {"modules": ["01_numbers"]}
    assert job["state"] in ("queued", "running") and job["result"] is None
    done = await api.wait(job["id"])
    assert done["state"] == "succeeded", done["result"]
    assert done["result"]["ok"] and done["result"]["summary"] == "01_numbers is complete."
    assert set(done["result"]) == {"command", "ok", "summary", "data", "error", "duration"}
    steps = [(e["step"], e["state"]) for e in done["events"] if e["event"] == "step"]
    assert ("export", "passed") in steps and ("test", "passed") in steps and ("record", "passed") in steps
    assert any(e["event"] == "test" and e["outcome"] == "passed" for e in done["events"])
    assert (course_dir / "tinytorch/core/numbers.py").is_file()
    progress = json.loads((course_dir / ".tito/progress.json").read_text())
    assert progress["modules"]["01_numbers"]["completed_at"]
    _, row = await api("GET", "modules/01_numbers")
    assert row["state"] == "complete"


async def test_location_header_and_events_since(api, jp_fetch):
    response = await jp_fetch("tito", "api", "modules", "01_numbers", "export", method="POST", body="{}")
    assert response.code == 202
    job = json.loads(response.body)
    assert response.headers["Location"].endswith(f"/tito/api/jobs/{job['id']}")
    assert "/a%40b/" in response.headers["Location"]  # the base URL is part of it
    done = await api.wait(job["id"])
    count = done["event_count"]
    assert count == len(done["events"]) > 2
    _, tail = await api("GET", f"jobs/{job['id']}", params={"since": 2})
    assert tail["events"] == done["events"][2:] and tail["event_count"] == count
    _, empty = await api("GET", f"jobs/{job['id']}", params={"since": count + 10})
    assert empty["events"] == []


async def test_failing_tests_make_a_failed_job_with_the_message(api, course_dir):
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb",
                   numbers_notebook("#| export\ndef add(a, b):\n    return a - b\n"))
    _, job = await api("POST", "modules/01_numbers/complete", body={"timeout": 60})
    done = await api.wait(job["id"])
    assert done["state"] == "failed"
    assert done["result"]["data"]["modules"][0]["failed_step"] == "test"
    assert "add(2, 3) gave -1" in done["result"]["summary"]
    failed = [e for e in done["events"] if e["event"] == "test" and e["outcome"] == "failed"]
    assert failed and failed[0]["message"]


async def test_checkpoint_actions(api):
    for module in ("01_numbers", "02_doubling"):  # c01 needs both: until then it is locked
        _, job = await api("POST", f"modules/{module}/complete", body={})
        assert (await api.wait(job["id"]))["state"] == "succeeded"
    status, job = await api("POST", "checkpoints/c01/run", body={"timeout": 60})
    assert status == 202 and job["command"] == "checkpoint.run" and job["args"]["checkpoint"] == "c01_arithmetic"
    done = await api.wait(job["id"])
    assert done["state"] == "succeeded", done["result"]
    status, body = await api("POST", "checkpoints/c99/test", body={})
    assert_error(status, body, 404, "unknown_name")
    status, body = await api("POST", "checkpoints/c01/export", body={})
    assert_error(status, body, 404, "unknown_action")


async def test_run_on_a_locked_checkpoint_records_nothing(api, course_dir):
    """The sidebar's Run on a checkpoint whose modules were not started used to record it as passed."""
    status, job = await api("POST", "checkpoints/c01/run", body={"timeout": 60})
    assert status == 202
    done = await api.wait(job["id"])
    assert done["state"] == "failed"
    assert done["result"]["error"]["kind"] == "checkpoint_locked"
    assert done["result"]["summary"].startswith("Checkpoint c01_arithmetic is locked: it needs 01_numbers, 02_doubling")
    _, data = await api("GET", "checkpoints")
    assert data["checkpoints"][0]["state"] == "locked" and data["checkpoints"][0]["passed_at"] is None


async def test_a_progress_store_of_garbage_bytes_is_a_warning_not_a_500(api, course_dir):
    (course_dir / ".tito").mkdir(exist_ok=True)
    (course_dir / ".tito/progress.json").write_bytes(b"\xff\xfe\x00 garbage")
    status, data = await api("GET", "modules")
    assert status == 200, data
    assert len(data["warnings"]) == 1 and "could not be read (it is not UTF-8 text)" in data["warnings"][0]
    status, data = await api("GET", "modules")
    assert status == 200 and data["warnings"] == []


async def test_post_jobs_runs_any_command_with_checked_arguments(api):
    status, job = await api("POST", "jobs", body={"command": "module.export", "args": {"all": True},
                                                  "source": "sidebar"})
    assert status == 202, job
    assert job["args"] == {"all_": True} and job["source"] == "sidebar"
    assert (await api.wait(job["id"]))["state"] == "succeeded"
    # shortcuts and names are normalised through the command table and the course registry
    status, job = await api("POST", "jobs", body={"command": "status", "args": {"modules": ["2", "numbers"]}})
    assert status == 202 and job["command"] == "module.status"
    assert job["args"] == {"modules": ["02_doubling", "01_numbers"]}
    status, jobs = await api("GET", "jobs")
    assert status == 200 and [j["id"] for j in jobs["jobs"]][0] == job["id"]  # newest first


async def test_complete_without_a_module_acts_on_the_notebook_it_comes_from(api):
    status, job = await api("POST", "jobs", body={"command": "module.complete", "args": {},
                                                  "notebook": "modules/02_doubling/02_doubling.ipynb"})
    assert status == 202 and job["notebook"] == "modules/02_doubling/02_doubling.ipynb"
    assert job["modules"] == ["02_doubling"]  # the server says which module, so the sidebar needs no rule of its own
    done = await api.wait(job["id"])
    # 02 needs 01 exported: the engine's own answer, about module 02, proves the notebook reached it
    assert done["result"]["command"] == "module.complete"
    assert done["result"]["data"]["modules"][0]["module"] == "02_doubling"


async def test_a_notebook_outside_the_course_gives_no_context(api, tmp_path):
    outside = tmp_path / "elsewhere.ipynb"
    outside.write_text("{}")
    status, job = await api("POST", "jobs", body={"command": "module.complete", "notebook": str(outside)})
    assert status == 202 and job["notebook"] is None and job["modules"] == []
    done = await api.wait(job["id"])
    assert done["state"] == "failed" and "Which module?" in done["result"]["summary"]


async def test_a_job_names_the_modules_it_works_on_by_the_engines_rule(api):
    # Any notebook in a module's folder means that module (Course.module_for_path), as `%tito complete` finds it
    # there; the sidebar matched only the module's own notebook, so a second notebook in the folder named none.
    status, job = await api("POST", "jobs", body={"command": "module.export", "args": {},
                                                  "notebook": "modules/02_doubling/scratch.ipynb"})
    assert status == 202 and job["modules"] == ["02_doubling"], job
    status, job = await api("POST", "jobs", body={"command": "module.status", "args": {"modules": ["2", "1"]}})
    assert status == 202 and job["modules"] == ["02_doubling", "01_numbers"], job
    status, job = await api("POST", "jobs", body={"command": "module.export", "args": {"all_": True}})
    assert status == 202 and job["modules"] == ["01_numbers", "02_doubling"], job
    status, job = await api("POST", "jobs", body={"command": "checkpoint.status", "args": {}})
    assert status == 202 and job["modules"] == [], job
    status, listed = await api("GET", f"jobs/{job['id']}")
    assert status == 200 and listed["modules"] == []


async def test_the_server_says_which_module_a_notebook_belongs_to(api, tmp_path):
    # The sidebar's "current module" (the palette's "Complete current module") is the server's answer, by the rule
    # a job from that notebook follows: the module's own notebook, or any other notebook in its folder.
    for path, module in [("modules/02_doubling/02_doubling.ipynb", "02_doubling"),
                         ("modules/01_numbers/scratch.ipynb", "01_numbers"),
                         ("modules/01_numbers/notes/ünïcode ✓.ipynb", "01_numbers"),
                         ("scratch.ipynb", None)]:
        status, answer = await api("GET", "notebook", params={"path": path})
        assert status == 200 and answer == {"notebook": path, "module": module}, (path, answer)
    outside = tmp_path / "elsewhere.ipynb"
    status, answer = await api("GET", "notebook", params={"path": str(outside)})
    assert status == 200 and answer == {"notebook": None, "module": None}


@pytest.mark.parametrize("params", [{}, {"path": ""}, {"path": "../../etc/passwd"}, {"path": "modules/\\x.ipynb"},
                                    {"path": "modules/\u0007.ipynb"}, {"path": "x" * 2000}])
async def test_a_bad_notebook_path_is_a_400(api, params):
    status, body = await api("GET", "notebook", params=params)
    assert_error(status, body, 400, "invalid_notebook")


# -- bad requests: 4xx JSON, never a 500, never a path outside the course --------------------------------


BAD_NAMES = ["..%2F..%2Fetc", "..", "%2e%2e", "..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "a%00b",
             "01_numbers%2F..%2F..%2Fx", "x" * 3000, "%252e%252e%252f", "%C0%AE%C0%AE", "%ff%fe"]


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_hostile_names_are_4xx_json(name, jp_fetch, http_server_client, jp_base_url, jp_auth_header,
                                          course_dir, tmp_path):
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for method, path in (("GET", f"modules/{name}"), ("POST", f"modules/{name}/export"),
                         ("POST", f"checkpoints/{name}/run"), ("GET", f"jobs/{name}"), ("DELETE", f"jobs/{name}")):
        # raw URL: these bytes must reach the server as written, not re-escaped by the client
        response = await http_server_client.fetch(
            f"{jp_base_url}tito/api/{path}", method=method, headers=dict(jp_auth_header), raise_error=False,
            body="{}" if method == "POST" else None, allow_nonstandard_methods=True)
        assert 400 <= response.code < 500, (method, path, response.code, response.body[:200])
        body = json.loads(response.body)
        assert body["message"] and body["reason"], body
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert after == before  # nothing was written anywhere, inside the course or out


@pytest.mark.parametrize("body, status, reason", [
    ({}, 400, "invalid_body"),
    ({"command": "nope.nothing"}, 400, "unknown_command"),
    ({"command": 42}, 400, "invalid_command"),
    ({"command": "module.export", "args": ["01"]}, 400, "invalid_argument"),
    ({"command": "module.export", "args": {"bogus": 1}}, 400, "invalid_argument"),
    ({"command": "module.export", "args": {"modules": "01", "force": "yes"}}, 400, "invalid_argument"),
    ({"command": "module.test", "args": {"modules": ["01"], "timeout": -1}}, 400, "invalid_argument"),
    ({"command": "module.test", "args": {"modules": ["01"], "timeout": True}}, 400, "invalid_argument"),
    ({"command": "module.export", "args": {"modules": ["--all"]}}, 400, "invalid_argument"),
    ({"command": "module.export", "args": {"modules": [{"x": 1}]}}, 400, "invalid_argument"),
    ({"command": "module.export", "args": {"modules": ["missing"]}}, 404, "unknown_name"),
    ({"command": "module.export", "args": {"modules": ["../../etc"]}}, 400, "invalid_name"),
    ({"command": "checkpoint.test", "args": {"checkpoint": "c42"}}, 404, "unknown_name"),
    ({"command": "module.export", "notebook": "../../etc/passwd"}, 400, "invalid_notebook"),
    ({"command": "module.export", "notebook": "modules/\u0000x.ipynb"}, 400, "invalid_notebook"),
    ({"command": "module.export", "notebook": 7}, 400, "invalid_notebook"),
    ({"command": "module.export", "source": "x" * 100}, 400, "invalid_source"),
    ({"command": "module.export", "extra": 1}, 400, "invalid_body"),
])
async def test_job_requests_are_checked(api, body, status, reason):
    got, answer = await api("POST", "jobs", body=body)
    assert_error(got, answer, status, reason)
    _, jobs = await api("GET", "jobs")
    assert jobs["jobs"] == []  # nothing ran


@pytest.mark.parametrize("raw, status, reason", [
    (b"{not json", 400, "invalid_json"),
    (b"[1, 2]", 400, "invalid_body"),
    (b"\xff\xfe\x00garbage", 400, "invalid_json"),
    (b"[" * 100_000 + b"]" * 100_000, 400, "invalid_json"),
    (b'{"timeout": "' + b"x" * (1024 * 1024 + 1) + b'"}', 413, "body_too_large"),
    (b'{"timeout": "soon"}', 400, "invalid_argument"),
    (b'{"notebook": "../x.ipynb"}', 400, "invalid_notebook"),
    (b'{"modules": ["02"]}', 400, "invalid_body"),
])
async def test_malformed_bodies_are_4xx_json(api, raw, status, reason):
    got, answer = await api("POST", "modules/01_numbers/test", raw_body=raw)
    assert_error(got, answer, status, reason)


async def test_other_request_errors(api):
    assert_error(*await api("POST", "modules/01_numbers/destroy", body={}), 404, "unknown_action")
    assert_error(*await api("GET", "jobs/nope"), 404, "unknown_job")
    assert_error(*await api("DELETE", "jobs/nope"), 404, "unknown_job")
    assert_error(*await api("GET", "nothing/here"), 404, "not_found")
    assert_error(*await api("GET", "modules/01_numbers/export"), 405)
    _, job = await api("POST", "modules/01/export", body={})
    assert_error(*await api("GET", f"jobs/{job['id']}", params={"since": "-1"}), 400, "invalid_since")
    assert_error(*await api("GET", f"jobs/{job['id']}", params={"since": "lots"}), 400, "invalid_since")
    await api.wait(job["id"])


# -- the OpenAPI document ------------------------------------------------------------------------------


def _verbs(handler: type) -> set[str]:
    return {verb.lower() for verb in handler.allowed_methods() if verb != "OPTIONS"}


async def test_routes_and_the_openapi_document_agree(api, jp_serverapp):
    status, document = await api("GET", "openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "/a%40b/tito/api"}]
    documented = {path: {verb for verb in item if verb in ("get", "post", "put", "patch", "delete")}
                  for path, item in document["paths"].items()}
    # 1. the extension's route table says the same as the document, verb by verb
    assert {f"/{template}": _verbs(handler) for template, handler in ROUTES} == documented
    # 2. and the running server has exactly those routes: every tito rule of its web app, back to a template
    registered = {}
    for rule in jp_serverapp.web_app.default_router.rules:
        for inner in getattr(rule.target, "rules", []):
            pattern = getattr(getattr(inner.matcher, "regex", None), "pattern", "")
            if "tito/api/" in pattern and "(.*)" not in pattern:
                path = pattern.split("tito/api/", 1)[1].rstrip("$").replace("([^/]+)", "{}").replace("\\.", ".")
                registered[path] = _verbs(inner.target)
    assert registered == {re.sub(r"\{\w+\}", "{}", path.lstrip("/")): verbs for path, verbs in documented.items()}
    # 3. every documented path answers (no 404/405) for its documented verbs
    fill = {"module": "01_numbers", "checkpoint": "c01", "action": "export", "job_id": "none"}
    for path, verbs in documented.items():
        concrete = re.sub(r"\{(\w+)\}", lambda m: fill[m.group(1)], path).lstrip("/")
        if "checkpoints/" in concrete and concrete.endswith("export"):
            concrete = concrete[: -len("export")] + "test"
        for verb in verbs:
            got, body = await api(verb.upper(), concrete, body={} if verb == "post" and "jobs" not in concrete
                                  else ({"command": "module.list"} if verb == "post" else None))
            assert got != 405, (verb, concrete)
            assert got != 404 or (body or {}).get("reason") == "unknown_job", (verb, concrete, body)


# -- the event bus --------------------------------------------------------------------------------------


async def test_job_progress_is_emitted_on_the_event_bus(api, jp_serverapp):
    received = []

    async def listener(logger, schema_id, data):
        received.append((schema_id, dict(data)))

    jp_serverapp.event_logger.add_listener(schema_id="https://tito-jupyter.org/events/job", listener=listener)
    _, job = await api("POST", "modules/01_numbers/complete", body={})
    await api.wait(job["id"])
    await jp_serverapp.event_logger.gather_listeners()
    mine = [data for schema, data in received if data["job_id"] == job["id"]]
    states = [d["state"] for d in mine if d["event"] == ""]
    assert states == ["queued", "running", "succeeded"]
    events = [json.loads(d["event"]) for d in mine if d["event"]]
    assert any(e["event"] == "step" and e["step"] == "record" for e in events)
    assert all(d["command"] == "module.complete" for d in mine)
    for event in events:  # what the bus carries is an engine event of openapi.json, the shape of its kind
        validate_component(event, "Event")


# -- which course --------------------------------------------------------------------------------------


class TestWithoutACourse:
    @pytest.fixture
    def jp_root_dir(self, tmp_path) -> Path:
        empty = tmp_path / "empty"
        empty.mkdir()
        return empty

    async def test_reads_say_there_is_no_course_and_version_still_answers(self, api):
        assert (await api("GET", "version"))[0] == 200
        status, body = await api("GET", "course")
        assert_error(status, body, 404, "project_not_found")
        assert "modules/" in body["message"]
        assert_error(*await api("POST", "modules/01/export", body={}), 404, "project_not_found")


class TestCourseFromConfiguration:
    @pytest.fixture
    def jp_root_dir(self, tmp_path) -> Path:
        elsewhere = tmp_path / "server-root"
        elsewhere.mkdir()
        return elsewhere

    @pytest.fixture
    def tito_config(self, course_dir) -> dict:
        return {"project": str(course_dir)}

    async def test_the_project_trait_names_the_course(self, api, course_dir):
        status, course = await api("GET", "course")
        assert status == 200 and course["root"] == str(course_dir.resolve())
