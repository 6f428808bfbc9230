"""A long command's result carries the ``data`` that openapi.json's ResultData gives its command (made from the
TypedDicts of tito_jupyter/contracts.py), and the check that holds every server answer to the document
(tests/openapi_contract.py) holds each job's result to it: a real job's result fits, a drifted one is refused."""

from __future__ import annotations

import copy
import json

import pytest
from course_factory import NUMBERS_EXPORT, make_course, numbers_notebook, write_notebook
from openapi_contract import check_response, check_result_data, results_in, validate_component

from tito_jupyter import contracts, engine
from tito_jupyter.engine.context import Context


def _fetched(job: dict) -> bytes:
    return json.dumps(job).encode()


async def test_a_real_complete_job_result_fits_its_data_shape_and_a_drifted_one_does_not(api):
    _, job = await api("POST", "jobs", body={"command": "module.complete",
                                             "args": {"modules": ["01_numbers", "02_doubling"], "timeout": 300}})
    done = await api.wait(job["id"], timeout=600)  # every GET of it was checked by conftest's client already
    assert done["state"] == "succeeded", done["result"]
    result = done["result"]
    assert [r["command"] for r in results_in(done)] == ["module.complete"] and result["error"] is None
    steps = [s["step"] for report in result["data"]["modules"] for s in report["steps"]]
    assert steps == ["export", "test", "export", "test", "checkpoint"], steps
    check_response("GET", f"/jobs/{done['id']}", 200, _fetched(done))  # again, by hand: it fits

    def drifted(change) -> dict:
        copied = copy.deepcopy(done)
        change(copied["result"]["data"])
        return copied

    wrong = [
        drifted(lambda d: d["modules"][0]["steps"][1].update(ok="yes")),  # a field of the wrong type
        drifted(lambda d: d["modules"][0].update(secret=1)),  # a field the engine adds without adding it to contracts
        drifted(lambda d: d.pop("warnings")),  # a field missing
        drifted(lambda d: d["modules"][0].update(failed_step="lint")),  # a value the contract does not name
        drifted(lambda d: d["modules"][0]["steps"][1]["tests"][0].update(outcome="fine")),
    ]
    for job_answer in wrong:
        with pytest.raises(AssertionError, match="the data of module.complete"):
            check_response("GET", f"/jobs/{done['id']}", 200, _fetched(job_answer))
    # the same result inside the list of jobs is held to it too
    with pytest.raises(AssertionError, match="the data of module.complete"):
        check_response("GET", "/jobs", 200, _fetched({"jobs": [wrong[0]]}))
    _its_events_fit_their_kinds_and_drifted_ones_do_not(done)


def _its_events_fit_their_kinds_and_drifted_ones_do_not(done: dict) -> None:
    """Each event of the job fits the shape of its kind (``contracts.EVENT_KINDS``), and the job's answer with an
    event that drifted from its kind's shape is refused by the check every server answer goes through."""
    names = {shape: name for name, shape in contracts.COMPONENTS.items()}
    kinds = {event["event"] for event in done["events"]}
    assert {"step", "collected", "test", "progress"} <= kinds, kinds
    for event in done["events"]:
        validate_component(event, names[contracts.EVENT_KINDS[event["event"]]])
    step = next(e for e in done["events"] if e["event"] == "step")
    test = next(e for e in done["events"] if e["event"] == "test")
    for drifted in ({**step, "count": 3}, {**step, "state": "done"}, {k: v for k, v in test.items() if k != "phase"},
                    {**test, "duration": "fast"}, {"event": "sparkle", "time": 1.0}):
        answer = {**done, "events": [*done["events"], drifted], "event_count": done["event_count"] + 1}
        with pytest.raises(AssertionError, match="events"):
            check_response("GET", f"/jobs/{done['id']}", 200, _fetched(answer))


def test_every_event_kind_the_engine_emits_has_a_shape():
    """An ``emit("kind", ...)`` anywhere in tito names a kind that contracts.py shapes (a new kind cannot be added
    without one); the shapes name no kind nobody emits."""
    import re
    from pathlib import Path

    import tito_jupyter

    source = Path(tito_jupyter.__file__).parent
    emitted = {"step", "progress", "log"}  # EventSink's conveniences (engine/results.py)
    for path in source.rglob("*.py"):
        emitted |= set(re.findall(r"events\.emit\(\s*\"(\w+)\"", path.read_text(encoding="utf-8")))
    assert emitted - {"step", "progress", "log"}, "the scan found no emit call: its pattern is stale"
    assert emitted == set(contracts.EVENT_KINDS), (sorted(emitted), sorted(contracts.EVENT_KINDS))


async def test_a_failing_test_job_result_fits_with_its_failures_and_where_they_were_raised(api, course_dir):
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb",
                   numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "raise NotImplementedError()")))
    _, job = await api("POST", "modules/01_numbers/complete", body={"timeout": 300})
    done = await api.wait(job["id"], timeout=600)
    assert done["state"] == "failed", done["result"]
    report = done["result"]["data"]["modules"][0]
    assert report["failed_step"] == "test" and report["not_written"][0]["function"] == "add"
    failed = [t for t in report["steps"][1]["tests"] if t["outcome"] == "failed"]
    assert failed and failed[0]["raised"]["exception"] == "NotImplementedError" and failed[0]["details"]
    check_response("GET", f"/jobs/{done['id']}", 200, _fetched(done))
    raised = [e for e in done["events"] if e["event"] == "test" and e.get("raised")]
    assert raised and raised[0]["raised"]["exception"] == "NotImplementedError"  # a failure's event says where


def test_an_error_result_holds_what_was_computed_before_it_and_is_not_held_to_the_shape():
    job = {"id": "a1", "command": "module.complete", "args": {}, "modules": [], "notebook": None, "source": "rest",
           "origin": "server", "state": "cancelled", "events": [], "event_count": 0, "created": 1.0, "started": 1.0,
           "finished": 2.0, "result": {"command": "module.complete", "ok": False, "summary": "Cancelled.", "data": {},
                                       "error": {"kind": "cancelled", "message": "Cancelled."}, "duration": 1.0}}
    check_response("GET", "/jobs/a1", 200, _fetched(job))
    job["result"]["error"] = None
    with pytest.raises(AssertionError, match="the data of module.complete"):
        check_response("GET", "/jobs/a1", 200, _fetched(job))


def test_every_command_with_a_data_shape_is_one_the_table_has():
    from tito_jupyter.commands import BUILTIN

    names = {c.name for c in BUILTIN}
    assert set(contracts.RESULT_DATA) <= names, sorted(set(contracts.RESULT_DATA) - names)


@pytest.mark.parametrize("args, shape", [({}, "BenchmarkNeedsHarness"), ({"list_": True}, "BenchmarkHistory")])
def test_benchmark_answers_of_each_kind_fit_the_shape_of_their_kind(tmp_path, args, shape):
    """``benchmark`` answers in one of several shapes (measured: test_benchmark_job.py; these two, no harness)."""
    result = engine.run("benchmark", args, Context(project=make_course(tmp_path / "course"))).to_dict()
    assert result["error"] is None, result
    validate_component(result["data"], shape)
    check_result_data(result, "benchmark")
    with pytest.raises(AssertionError, match="the data of benchmark"):
        check_result_data({**result, "data": {**result["data"], "secret": 1}}, "benchmark")


def test_milestone_runs_that_pass_fail_or_time_out_fit_their_shape(course_dir):
    def add_milestone(name: str, body: str) -> None:
        (course_dir / "milestones" / name).mkdir(parents=True)
        (course_dir / "milestones" / name / "README.md").write_text("# Adding machines\n\nNeeds module 01.\n")
        (course_dir / "milestones" / name / "run.py").write_text(body)

    add_milestone("1642_pascaline", "import json\nfrom tinytorch.core.numbers import add\n"
                                    "print(json.dumps({'milestone': '1642_pascaline', 'sum': add(40, 2)}))\n")
    add_milestone("1950_broken", "raise SystemExit('the machine jammed')\n")
    add_milestone("1951_endless", "while True:\n    pass\n")
    context = Context(project=course_dir)
    assert engine.run("module.complete", {"modules": ["01"]}, context).ok
    for args in ({"milestone": "1642"}, {"milestone": "broken"}, {"milestone": "endless", "timeout": 2}):
        result = engine.run("milestone.run", args, context).to_dict()
        assert result["error"] is None, result
        check_result_data(result, f"milestone.run {args}")
    with pytest.raises(AssertionError, match="the data of milestone.run"):
        check_result_data({**result, "data": {**result["data"], "metrics": [1]}}, "milestone.run")
