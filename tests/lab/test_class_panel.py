"""The instructor's Class section in a real JupyterLab: the grid from the gradebook, as an instructor sees it.

The course holds a real nbgrader course (init, generate 01, a graded submission by ben, ana on the roster with
nothing handed in), which makes its user an instructor; TITO_INSTRUCTOR is left empty so that rule decides.
A student's sidebar has no such section: tests/server/test_class.py and the jest tests check that side.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lab_sidebar import open_lab, open_sidebar, screenshot, unnamed_controls
from tito_jupyter import engine
from tito_jupyter.engine.context import Context

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "instructor"))

from test_nbgrader import answer, released_notebook, submit  # noqa: E402

pytestmark = pytest.mark.timeout(300)


def graded_course(root: Path) -> None:
    from nbgrader.api import Gradebook

    ctx = Context(project=root)
    for command, args in (("nbgrader.init", {}), ("nbgrader.generate", {"modules": ["01"]})):
        assert engine.run(command, args, ctx).ok
    nbgrader = root / "nbgrader"
    submit(nbgrader, "ben", "01_numbers", answer(released_notebook(nbgrader, "01_numbers"), "return a + b"))
    assert engine.run("nbgrader.collect", {"module": "01"}, ctx).ok
    assert engine.run("nbgrader.autograde", {"module": "01", "timeout": 60}, ctx).ok
    with Gradebook(f"sqlite:///{nbgrader}/gradebook.db", "tinytorch") as gb:
        gb.update_or_create_student("ana")


def test_an_instructor_sees_the_class_grid(start_lab, page, course_dir):
    graded_course(course_dir)
    lab = start_lab(course_dir, env={"TITO_INSTRUCTOR": ""}, student=False)  # the instructor's, nbgrader's UI too
    open_lab(page, lab)
    panel = open_sidebar(page)

    expect(panel.get_by_role("heading", name="Class")).to_be_visible(timeout=60_000)
    grid = panel.get_by_role("table", name="Class grid")
    expect(grid).to_be_visible()
    expect(grid.locator("thead th")).to_have_text(["student", "01_numbers"])
    expect(grid.locator("tbody tr")).to_have_count(2)
    ben = grid.locator('tr[data-student="ben"] td[data-assignment="01_numbers"]')
    expect(ben).to_have_text("3/3")
    expect(ben).to_have_attribute("data-state", "graded")
    ana = grid.locator('tr[data-student="ana"] td[data-assignment="01_numbers"]')
    expect(ana).to_have_text("–")
    expect(ana).to_have_attribute("data-state", "not_submitted")
    assert unnamed_controls(panel) == []
    grid.scroll_into_view_if_needed()
    screenshot(page, "sidebar-class-grid", panel)

    panel.get_by_role("button", name="Refresh the class").click()  # asks again; the grid stays
    expect(ben).to_have_text("3/3")
