"""A REST caller writes nothing outside the course: folders, files and sqlite databases that jobs would touch.

The CLI on one's own machine may write anywhere its user can; a request to the server may not, since the server's
user reaches other students' folders and the server's own configuration. Before this, ``POST jobs`` ran
``release.student --out /anywhere``, nbgrader commands with any ``--course-dir`` and ``dev.serve``.
"""

from __future__ import annotations

import pytest


def assert_refused(status, body, reason="outside_course"):
    assert status == 400, (status, body)
    assert body["reason"] == reason, body
    assert "Traceback" not in body["message"] and "internal error" not in body["message"]


@pytest.mark.parametrize("command, args", [
    ("release.student", {"out": "{outside}/edition"}),
    ("release.student", {"out": "../edition"}),
    ("release.student", {"out": "modules/../../edition"}),
    ("nbgrader.init", {"course_dir": "{outside}/nbgrader"}),
    ("nbgrader.init", {"exchange": "../exchange"}),
    ("nbgrader.init", {"db": "sqlite:///../grades.db"}),
    ("nbgrader.init", {"db": "sqlite:////{outside}/grades.db"}),
    ("nbgrader.collect", {"module": "01", "from_": "{outside}"}),
    ("nbgrader.report", {"out": "~/reports"}),
])
async def test_a_path_outside_the_course_is_refused_and_nothing_is_written(api, course_dir, tmp_path_factory,
                                                                             command, args):
    outside = tmp_path_factory.mktemp("outside")
    before = sorted(outside.parent.iterdir())
    args = {k: (v.replace("{outside}", str(outside)) if isinstance(v, str) else v) for k, v in args.items()}
    assert_refused(*await api("POST", "jobs", body={"command": command, "args": args}))
    _, jobs = await api("GET", "jobs")
    assert jobs["jobs"] == []  # nothing ran
    assert sorted(outside.parent.iterdir()) == before and not any(outside.iterdir())


async def test_a_link_inside_the_course_that_leads_out_is_outside(api, course_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere")
    (course_dir / "handout").symlink_to(outside, target_is_directory=True)
    assert_refused(*await api("POST", "jobs", body={"command": "release.student",
                                                     "args": {"out": "handout/edition"}}))
    assert not any(outside.iterdir())


async def test_a_folder_inside_the_course_is_given_to_the_job_as_an_absolute_path(api, course_dir):
    status, job = await api("POST", "jobs", body={"command": "nbgrader.report",
                                                  "args": {"out": "reports/week 1", "db": "sqlite:///grades.db"}})
    assert status == 202, job
    assert job["args"]["out"] == str((course_dir / "reports/week 1").resolve())
    assert job["args"]["db"] == "sqlite:///" + str((course_dir / "grades.db").resolve())
    await api.wait(job["id"], timeout=120)


async def test_a_database_server_url_is_not_a_file_and_passes(api):
    status, job = await api("POST", "jobs", body={"command": "nbgrader.report",
                                                  "args": {"db": "postgresql://grader@db.invalid/course"}})
    assert status == 202, job
    assert job["args"]["db"] == "postgresql://grader@db.invalid/course"
    await api("DELETE", f"jobs/{job['id']}")


async def test_starting_another_jupyter_is_for_a_terminal_not_a_job(api):
    status, body = await api("POST", "jobs", body={"command": "dev.serve", "args": {"ip": "0.0.0.0"}})
    assert_refused(status, body, reason="not_a_server_job")
    assert "tito dev serve" in body["message"]
    _, listing = await api("GET", "commands")
    assert "dev.serve" not in {c["name"] for c in listing["commands"]}
    _, jobs = await api("GET", "jobs")
    assert jobs["jobs"] == []


async def test_laying_down_a_new_course_is_for_a_terminal_not_a_job(api, tmp_path_factory):
    """`tito init` makes a course folder wherever it is told: a REST caller may not, and has no use for it."""
    outside = tmp_path_factory.mktemp("new-course")
    status, body = await api("POST", "jobs", body={"command": "init", "args": {"folder": str(outside / "c")}})
    assert_refused(status, body, reason="not_a_server_job")
    assert "tito init" in body["message"]
    _, listing = await api("GET", "commands")
    assert "init" not in {c["name"] for c in listing["commands"]}
    assert not any(outside.iterdir())


@pytest.mark.parametrize("arg, address", [("scheduler", "tcp://203.0.113.7:8786"), ("scheduler", "tcp://127.0.0.1:8786"),
                                           ("scheduler", "inproc://x"), ("gateway", "http://203.0.113.7:8000"),
                                           ("gateway", "http://127.0.0.1:8000/services/dask-gateway")])
async def test_a_cluster_address_is_named_only_from_a_terminal(api, arg, address):
    """Autograde on a cluster ships every submission and the instructor's notebook to the scheduler's workers (or
    a Dask Gateway's): a token holder must not be able to send them anywhere through the server."""
    status, body = await api("POST", "jobs", body={"command": "nbgrader.autograde",
                                                    "args": {"module": "01", arg: address}})
    assert_refused(status, body, reason="terminal_only")
    assert f"--{arg}" in body["message"] and "terminal" in body["message"]
    _, jobs = await api("GET", "jobs")
    assert jobs["jobs"] == []
