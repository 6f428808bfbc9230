"""A fresh student notebook in a real JupyterLab: the sidebar and ``%tito`` say what to write first, and take the
student there.

The course is a real student edition (nbgrader stubs every solution with ``raise NotImplementedError()``): its
01_numbers has ``Counter.__init__`` in cell 4 (1 test waits) and ``add`` in cell 5 (3 tests wait). A link to a
function's cell must open the notebook with that very cell selected, from the sidebar and from the magic's output
(its live widget panel and its plain HTML alike).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from course_factory import make_student_edition, notebook
from lab_sidebar import current_job, expect_module_state, open_lab, open_sidebar, screenshot, set_theme, \
    unnamed_controls, wait_for_kernel
from test_sidebar_a11y import axe_violations

pytestmark = pytest.mark.timeout(300)

NB = "modules/01_numbers/01_numbers.ipynb"


@pytest.fixture
def student(tmp_path):
    return make_student_edition(tmp_path / "instructor", tmp_path / "student")


def cell_ids(root) -> list[str]:
    return [c["id"] for c in json.loads((root / NB).read_text())["cells"]]


def expect_active_cell(page, index: int, cell_id: str) -> None:
    """The current widget is 01_numbers.ipynb and its active cell is the one at ``index`` with ``cell_id``."""
    page.wait_for_function(
        """([index, id]) => {
            const panel = window.jupyterapp.shell.currentWidget;
            const nb = panel?.content;
            return panel?.context?.path.endsWith('01_numbers.ipynb') && nb.activeCellIndex === index
                && nb.activeCell?.model.id === id;
        }""",
        arg=[index, cell_id], timeout=30_000)
    expect(page.locator(".jp-NotebookPanel:visible .jp-Cell.jp-mod-active")).to_be_in_viewport()


def test_the_sidebar_groups_a_fresh_notebook_by_function_and_links_each_cell(start_lab, page, student):
    ids = cell_ids(student)
    lab = start_lab(student)
    open_lab(page, lab)
    panel = open_sidebar(page)

    panel.get_by_role("button", name="Complete 01_numbers").click()
    expect_module_state(panel, "01_numbers", "Tests failing")
    job = current_job(panel)
    expect(job.locator(".jp-TitoBadge")).to_have_text("Failed")

    todo = job.get_by_role("region", name="Nothing written yet")
    expect(todo).to_be_visible()
    expect(todo).to_have_attribute("data-nothing-written", "true")
    expect(todo.locator(".jp-TitoNotWritten-lead")).to_have_text(
        "Start with Counter.__init__ in cell 4; 4 tests wait on 2 functions.")
    items = todo.locator("li.jp-TitoNotWritten-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_attribute("data-function", "Counter.__init__")
    expect(items.nth(0)).to_have_attribute("data-next", "true")
    expect(items.nth(0)).to_contain_text("write this next")
    expect(items.nth(1)).to_have_attribute("data-function", "add")
    expect(items.nth(1)).to_have_attribute("data-next", "false")
    # The waiting tests are folded under their function, not listed one by one as failures.
    waiting = items.nth(1).locator("details.jp-TitoNotWritten-tests")
    expect(waiting.locator("summary")).to_have_text("3 tests wait on it")
    expect(waiting.locator("li").first).to_be_hidden()
    expect(job.get_by_role("list", name="Tests not passed")).to_have_count(0)
    assert unnamed_controls(panel) == []
    waiting.locator("summary").click()
    expect(waiting.locator("li")).to_have_text(["test_unit_add", "test_unit_add_negative", "test_add_floats"])
    screenshot(page, "sidebar-light-not-written", panel)
    for theme in ("JupyterLab Dark", "JupyterLab Light"):  # readable in both: no serious axe-core violation
        set_theme(page, theme)
        assert axe_violations(page, todo) == [], theme

    todo.get_by_role("button", name="Go to cell 4 of 01_numbers.ipynb, where Counter.__init__ is written").click()
    expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")).to_contain_text("01_numbers.ipynb")
    expect_active_cell(page, 3, ids[3])
    expect(page.locator(".jp-NotebookPanel:visible .jp-Cell.jp-mod-active")).to_contain_text("class Counter")

    todo.get_by_role("button", name="Go to cell 5 of 01_numbers.ipynb, where add is written").click()
    expect_active_cell(page, 4, ids[4])
    expect(page.locator(".jp-NotebookPanel:visible .jp-Cell.jp-mod-active")).to_contain_text("def add")
    screenshot(page, "lab-light-not-written-cell")


def test_the_magic_links_open_the_cell_from_the_widget_panel_and_the_html(start_lab, page, student):
    nb = json.loads((student / NB).read_text())
    for i, line in enumerate(("%tito complete", "%tito complete --text")):
        cell = notebook(("code", line))["cells"][0]
        cell["id"] = f"tito-cell-{i}"
        nb["cells"].append(cell)
    (student / NB).write_text(json.dumps(nb))
    ids = cell_ids(student)
    widget_cell, text_cell = len(ids) - 2, len(ids) - 1

    lab = start_lab(student)
    open_lab(page, lab)
    panel = open_sidebar(page)
    panel.get_by_role("button", name="Open the notebook of 01_numbers").click()
    cells = page.locator(".jp-NotebookPanel:visible .jp-Cell")
    expect(cells).to_have_count(len(ids))
    wait_for_kernel(page)
    page.evaluate("() => { window.__titoSamePage = true; }")  # gone if a click loads the page anew

    for index, first_link, (target, function) in ((widget_cell, True, (3, "class Counter")),
                                                  (text_cell, False, (4, "def add"))):
        cells.nth(index).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        output = cells.nth(index).locator(".jp-OutputArea")
        expect(output).to_contain_text("Not written yet, in the order to write them", timeout=120_000)
        expect(output).to_contain_text("Nothing is written yet in 01_numbers: start with `Counter.__init__`")
        # Whichever way %tito ran (a job on the server), the sidebar shows the same grouping.
        expect(current_job(panel).get_by_role("region", name="Nothing written yet")).to_be_visible()
        if first_link:
            screenshot(page, "lab-light-magic-not-written")
        link = output.get_by_role("link", name=f"cell {target + 1} of {NB}")
        # As written, or as JupyterLab rewrites it in rendered HTML (the file's URL on the server).
        expect(link).to_have_attribute("href", re.compile(rf"01_numbers\.ipynb(\?[^#]*)?#cell-id={ids[target]}$"))
        link.click()
        expect_active_cell(page, target, ids[target])
        expect(page.locator(".jp-NotebookPanel:visible .jp-Cell.jp-mod-active")).to_contain_text(function)
        assert page.evaluate("() => window.__titoSamePage === true"), "the link loaded the page anew"
