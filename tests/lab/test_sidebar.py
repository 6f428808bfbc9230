"""The tito sidebar in a real JupyterLab: what a student sees and does, end to end.

Each test starts ``jupyter lab`` on a fresh two-module course (01_numbers, 02_doubling, checkpoint
c01_arithmetic) and works the sidebar in headless Chromium. The extensions come from the installed package.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook
from lab_sidebar import (
    current_job,
    expect_module_state,
    module,
    notebook_is_dirty,
    open_lab,
    open_sidebar,
    run_command,
    run_from_palette,
    screenshot,
    set_cell_source,
    set_theme,
    unnamed_controls,
    wait_for_kernel,
)

pytestmark = pytest.mark.timeout(240)

BROKEN_EXPORT = NUMBERS_EXPORT.replace("return a + b", "return a - b")
NUMBERS = "modules/01_numbers/01_numbers.ipynb"
#: The index of the `#| export` cell in the factory's numbers notebook.
EXPORT_CELL = 3


def break_numbers(course_dir) -> None:
    write_notebook(course_dir / NUMBERS, numbers_notebook(BROKEN_EXPORT))


def fix_numbers_without_saving(start_lab, page, course_dir):
    """A lab on a course whose 01 is broken on disk; the student fixes it in the editor and does not save."""
    break_numbers(course_dir)
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    panel.get_by_role("button", name="Open the notebook of 01_numbers").click()
    expect(page.locator(".jp-NotebookPanel .jp-Cell")).to_have_count(6)
    set_cell_source(page, EXPORT_CELL, NUMBERS_EXPORT)
    assert notebook_is_dirty(page)
    return panel


def test_sidebar_shows_the_course_and_completes_a_module(start_lab, page, course_dir):
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)

    expect_module_state(panel, "01_numbers", "Not started")
    expect_module_state(panel, "02_doubling", "Not started")
    expect(module(panel, "02_doubling")).to_contain_text("Needs 01_numbers complete first.")
    expect(module(panel, "01_numbers")).to_contain_text("Never run")
    checkpoint = panel.locator('li.jp-TitoCheckpoint[data-checkpoint="c01_arithmetic"]')
    expect(checkpoint).to_contain_text("Can I do arithmetic with my own functions?")
    expect(checkpoint.locator(".jp-TitoBadge")).to_have_text("Locked")
    expect(panel.locator(".jp-TitoOverall")).to_contain_text("0 of 2 modules complete")
    assert unnamed_controls(panel) == []
    screenshot(page, "sidebar-light-start", panel)

    panel.get_by_role("button", name="Complete 01_numbers").click()
    # While it runs, nothing else that would start a job can be clicked.
    expect(panel.get_by_role("button", name="Complete 02_doubling")).to_be_disabled()
    expect(panel.get_by_role("button", name="Run checkpoint c01_arithmetic")).to_be_disabled()
    expect(panel.get_by_role("button", name="Open the notebook of 02_doubling")).to_be_enabled()

    expect_module_state(panel, "01_numbers", "Complete")
    job = current_job(panel)
    expect(job.locator(".jp-TitoBadge")).to_have_text("Succeeded")
    expect(job).to_contain_text("Complete 01_numbers")
    expect(job.locator(".jp-TitoStep")).to_contain_text(["Export 01_numbers", "Tests 01_numbers", "Record progress"])
    expect(job.locator('.jp-TitoTest[data-outcome="passed"]')).to_have_count(3)
    expect(module(panel, "01_numbers")).to_contain_text("Last run just now")
    expect(module(panel, "02_doubling")).not_to_contain_text("Needs")
    expect(panel.locator(".jp-TitoOverall")).to_contain_text("1 of 2 modules complete")
    expect(panel.get_by_role("button", name="Complete 02_doubling")).to_be_enabled()
    assert unnamed_controls(panel) == []
    screenshot(page, "sidebar-light-complete", panel)
    screenshot(page, "lab-light-complete")

    # The progress is the engine's, not the page's: the REST API agrees.
    row = lab.api("tito/api/modules/01_numbers")
    assert row["state"] == "complete"


def test_the_commands_are_in_the_palette(start_lab, page, course_dir):
    lab = start_lab(course_dir)
    open_lab(page, lab)
    # The current-module commands come from the server's table once the sidebar has connected; on a busy machine
    # that is after the palette would have opened, and the palette, open then, was seen closing with it half read.
    page.wait_for_function("() => ['complete', 'export', 'test'].every("
                           "a => window.jupyterapp.commands.hasCommand(`tito:${a}-current`))", timeout=60_000)
    # Chosen as from the keyboard (the filter leaves one item, active; Enter runs it): a click waits for the item to
    # hold still, and on a loaded machine JupyterLab's own command notices re-rendered the palette under it for 30 s.
    expect(page.locator("#tito-sidebar")).not_to_be_visible()  # so that what shows it next is the palette
    run_from_palette(page, "tito: Open course sidebar",
                     also_listed=["tito: Refresh", "tito: Complete current module", "tito: Export current module",
                                  "tito: Test current module"],
                     started=lambda: expect(page.locator("#tito-sidebar")).to_be_visible(timeout=10_000))


def test_complete_current_module_command_saves_the_notebook_first(start_lab, page, course_dir):
    panel = fix_numbers_without_saving(start_lab, page, course_dir)

    run_command(page, "tito:complete-current")

    expect_module_state(panel, "01_numbers", "Complete")
    assert "return a + b" in (course_dir / NUMBERS).read_text()


def test_current_module_commands_take_the_servers_word_for_the_notebooks_module(start_lab, page, course_dir):
    # A second notebook in a module's folder belongs to that module (the engine's rule, GET notebook): the sidebar,
    # which once matched only the module's own notebook, offered nothing there. A notebook of no module: nothing.
    write_notebook(course_dir / "modules/01_numbers/scratch.ipynb", numbers_notebook())
    write_notebook(course_dir / "elsewhere.ipynb", numbers_notebook())
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    enabled = "(id) => window.jupyterapp.commands.hasCommand(id) && window.jupyterapp.commands.isEnabled(id)"

    def open_notebook(path: str) -> None:  # docmanager:open answers the widget, which the page cannot send back
        page.evaluate("(path) => window.jupyterapp.commands.execute('docmanager:open', {path}).then(() => null)", path)

    open_notebook("elsewhere.ipynb")
    expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")).to_contain_text("elsewhere.ipynb")
    page.wait_for_function(f"() => ({enabled})('tito:export-current') === false", timeout=60_000)
    assert lab.api("tito/api/notebook?path=elsewhere.ipynb") == {"notebook": "elsewhere.ipynb", "module": None}

    open_notebook("modules/01_numbers/scratch.ipynb")
    page.wait_for_function(f"() => ({enabled})('tito:export-current')", timeout=60_000)
    run_command(page, "tito:export-current")
    job = current_job(panel)
    expect(job).to_contain_text("Export 01_numbers", timeout=60_000)
    expect(job.locator(".jp-TitoBadge")).to_have_text("Succeeded", timeout=120_000)
    jobs = lab.api("tito/api/jobs")["jobs"]
    assert [(j["command"], j["notebook"], j["modules"]) for j in jobs] == [
        ("module.export", "modules/01_numbers/01_numbers.ipynb", ["01_numbers"])]


def test_a_failing_module_shows_its_failing_test_and_leads_to_it(start_lab, page, course_dir):
    break_numbers(course_dir)
    lab = start_lab(course_dir)
    open_lab(page, lab)
    set_theme(page, "JupyterLab Dark")
    panel = open_sidebar(page)

    panel.get_by_role("button", name="Complete 01_numbers").click()

    expect_module_state(panel, "01_numbers", "Tests failing")
    job = current_job(panel)
    expect(job.locator(".jp-TitoBadge")).to_have_text("Failed")
    failing = job.locator('.jp-TitoTest[data-test$="::test_unit_add"]')
    expect(failing).to_have_attribute("data-outcome", "failed")
    expect(failing.locator(".jp-TitoTest-message")).to_contain_text("add(2, 3) gave -1")
    expect(job.locator('.jp-TitoTest[data-outcome="failed"]')).to_have_count(3)
    expect(job.locator(".jp-TitoJob-summary")).to_contain_text("tests failed")
    assert unnamed_controls(panel) == []
    screenshot(page, "sidebar-dark-failing", panel)

    failing.get_by_role("button", name="Go to test_unit_add in the notebook").click()
    notebook = page.locator(".jp-NotebookPanel:visible")
    expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")).to_contain_text("01_numbers.ipynb")
    active = notebook.locator(".jp-Cell.jp-mod-active")
    expect(active).to_contain_text("def test_unit_add")
    screenshot(page, "lab-dark-failing")


def test_sidebar_saves_an_unsaved_notebook_before_acting(start_lab, page, course_dir):
    panel = fix_numbers_without_saving(start_lab, page, course_dir)

    panel.get_by_role("button", name="Complete 01_numbers").click()

    # The fix was only in the editor: completing passes because the sidebar saved it first.
    expect_module_state(panel, "01_numbers", "Complete")
    assert "return a + b" in (course_dir / NUMBERS).read_text()


def test_server_extension_missing_is_said_plainly(start_lab, page, course_dir):
    lab = start_lab(course_dir, extra_args=['--ServerApp.jpserver_extensions={"tito_jupyter": False}'])
    open_lab(page, lab)
    panel = open_sidebar(page)
    notice = panel.get_by_role("alert")
    expect(notice).to_contain_text("The tito server extension is missing")
    expect(notice).to_contain_text("pip install tito-jupyter")
    expect(panel.get_by_role("button", name="Try connecting again")).to_be_visible()
    expect(panel.locator("li.jp-TitoModule")).to_have_count(0)
    screenshot(page, "sidebar-light-missing-extension", panel)


def test_version_mismatch_is_said_plainly(start_lab, page, course_dir):
    lab = start_lab(course_dir)
    # The server answers the handshake as a newer release would.
    page.route(re.compile(r".*/tito/api/version(\?.*)?$"),
               lambda route: route.fulfill(status=200, json={"version": "9.9.9", "api": 1}))
    open_lab(page, lab)
    panel = open_sidebar(page)
    notice = panel.get_by_role("alert")
    expect(notice).to_contain_text("do not match")
    expect(notice).to_contain_text("0.1.0")
    expect(notice).to_contain_text("9.9.9")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "sidebar-dark-version-mismatch", panel)


def test_a_tito_cell_is_followed_by_the_sidebar_and_its_notebook_saved_first(start_lab, page, course_dir):
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    panel.get_by_role("button", name="Open the notebook of 01_numbers").click()
    cells = page.locator(".jp-NotebookPanel:visible .jp-Cell")
    expect(cells).to_have_count(6)
    wait_for_kernel(page)

    # The student breaks add() in the editor, does not save, and runs `%tito complete` in a new cell.
    set_cell_source(page, EXPORT_CELL, BROKEN_EXPORT)
    cells.nth(5).click()
    run_command(page, "notebook:insert-cell-below")
    set_cell_source(page, 6, "%tito complete")
    assert notebook_is_dirty(page)
    cells.nth(6).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")

    job = current_job(panel)
    expect(job.locator(".jp-TitoJob-source")).to_have_text("%tito", timeout=60_000)
    expect(job).to_contain_text("Complete")
    # tito saw the saved notebook (the broken add), so its tests fail; the panel follows to the end.
    expect(job.locator(".jp-TitoBadge")).to_have_text("Failed", timeout=60_000)
    expect_module_state(panel, "01_numbers", "Tests failing")
    assert "return a - b" in (course_dir / NUMBERS).read_text()
    screenshot(page, "lab-light-magic-cell")
