"""The labs of the browser tests are a student's: what the wheel students install brings, nothing of the
instructor's or the docs' tools that the test environment also holds (lab_server.NOT_A_STUDENTS)."""

from __future__ import annotations

import json
import re
import urllib.request

from course_factory import make_course
from lab_server import NOT_A_STUDENTS


def _page_config(lab) -> dict:
    request = urllib.request.Request(lab.url + "lab", headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        html = response.read().decode()
    return json.loads(re.search(r'id="jupyter-config-data"[^>]*>\s*(\{.*?\})\s*</script>', html, re.S).group(1))


def test_a_students_lab_has_no_instructor_tools_and_an_instructors_has_them(start_lab, tmp_path):
    course = make_course(tmp_path / "course")
    student = start_lab(course)
    instructor = start_lab(course, student=False)
    assert set(NOT_A_STUDENTS["lab"]) <= set(_page_config(student)["disabledExtensions"])
    assert not set(NOT_A_STUDENTS["lab"]) & set(_page_config(instructor).get("disabledExtensions", []))
    loaded = re.compile(r"(\S+) \| extension was successfully loaded")
    assert "tito_jupyter" in loaded.findall(student.log())
    assert not set(NOT_A_STUDENTS["server"]) & set(loaded.findall(student.log()))
    assert set(NOT_A_STUDENTS["server"]) <= set(loaded.findall(instructor.log()))


def test_a_tests_own_server_extension_switches_are_kept(start_lab, tmp_path):
    lab = start_lab(make_course(tmp_path / "course"),
                    extra_args=['--ServerApp.jpserver_extensions={"tito_jupyter": False}'])
    loaded = re.compile(r"(\S+) \| extension was successfully loaded").findall(lab.log())
    assert "tito_jupyter" not in loaded and "jupyterlab" in loaded
    assert not set(NOT_A_STUDENTS["server"]) & set(loaded)
