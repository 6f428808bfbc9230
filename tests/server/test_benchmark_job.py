"""`tito benchmark` as a server job (the sidebar's and REST's way): it runs in a subprocess, streams what it
measures as events, and returns the table, the comparison and the saved file as plain data."""

from __future__ import annotations

import pytest
from real_course import copy_course, record_complete, upto


@pytest.fixture
def course_dir(tmp_path):
    """This repository's course, modules 01-19 recorded complete (overrides the two-module course)."""
    root = copy_course(tmp_path / "course")
    record_complete(root, upto(19))
    return root


async def test_benchmark_runs_as_a_job_and_its_second_run_is_compared_with_the_first(api, course_dir):
    body = {"command": "benchmark", "args": {"only": ["mlp_forward"], "repeats": 3}}
    status, job = await api("POST", "jobs", body=body)
    assert status == 202, job
    first = await api.wait(job["id"], timeout=180)
    assert first["state"] == "succeeded", first["result"]
    assert any("measuring mlp_forward" in e.get("message", "") for e in first["events"] if e["event"] == "log")
    data = first["result"]["data"]
    assert [row["name"] for row in data["rows"]] == ["mlp_forward"]
    assert (course_dir / ".tito" / "benchmarks" / data["file"]).is_file()

    _, job = await api("POST", "jobs", body=body)
    second = await api.wait(job["id"], timeout=180)
    assert second["result"]["data"]["compared_with"] == data["file"]
    assert [row["name"] for row in second["result"]["data"]["comparison"]["rows"]] == ["mlp_forward"]


@pytest.mark.parametrize("args", [{"timeout": -1}, {"compare": "/etc/passwd"}, {"compare": "../../outside.json"}])
async def test_a_bad_benchmark_request_is_refused_before_a_job_starts(api, args):
    """A REST caller may compare only with reports inside the course: --compare is a path, checked like any other."""
    status, body = await api("POST", "jobs", body={"command": "benchmark", "args": args})
    assert status == 400, body
