"""`GET tito/api/class`: the instructor's class view on a real server, and nothing of it for anyone else."""

from __future__ import annotations

import pytest

from tito_jupyter import engine
from tito_jupyter.engine.context import Context


@pytest.fixture
def no_role_variable(monkeypatch):
    monkeypatch.delenv("TITO_INSTRUCTOR", raising=False)


async def test_a_student_gets_no_class_and_no_gradebook_is_opened(api, course_dir, no_role_variable):
    status, body = await api("GET", "class")
    assert status == 200, body
    assert body["instructor"] is False and body["class"] is None
    assert "TITO_INSTRUCTOR is not 1" in body["reason"]
    assert not (course_dir / "nbgrader").exists()


async def test_an_instructor_without_an_nbgrader_course_is_told_what_to_do(api, course_dir, monkeypatch):
    monkeypatch.setenv("TITO_INSTRUCTOR", "1")
    status, body = await api("GET", "class")
    assert status == 200, body
    assert body["instructor"] is True and body["class"] is None
    assert "TITO_INSTRUCTOR=1" in body["reason"]
    assert "tito nbgrader init" in body["message"]


async def test_an_nbgrader_course_makes_an_instructor_and_the_grid_comes_from_the_gradebook(api, course_dir,
                                                                                             no_role_variable,
                                                                                             monkeypatch):
    from nbgrader.api import Gradebook

    ctx = Context(project=course_dir)
    assert engine.run("nbgrader.init", {}, ctx).ok
    assert engine.run("nbgrader.generate", {"modules": ["01"]}, ctx).ok
    with Gradebook(f"sqlite:///{course_dir}/nbgrader/gradebook.db", "tinytorch") as gb:
        gb.update_or_create_student("ana")
    status, body = await api("GET", "class")
    assert status == 200, body
    assert body["instructor"] is True and "nbgrader/nbgrader_config.py" in body["reason"]
    grid = body["class"]
    assert grid["assignments"] == ["01_numbers"] and grid["students"] == ["ana"]
    assert [(c["student"], c["state"], c["max_score"]) for c in grid["cells"]] == [("ana", "not_submitted", 3.0)]
    monkeypatch.setenv("TITO_INSTRUCTOR", "0")  # the variable overrides the folder either way
    status, body = await api("GET", "class")
    assert (status, body["instructor"], body["class"]) == (200, False, None)
