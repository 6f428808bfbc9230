"""The sidebar is readable at its default width and works by keyboard and screen reader (issue #11).

A Complete of many tests folds what passed into one "N passed" line and keeps failures open, so the module list
stays in view; long module titles wrap instead of being cut; every control is reached by Tab and named; and
axe-core (the npm package the sidebar's devDependencies install) finds no serious or critical violation in the
sidebar at start, during a running job, after a failed and after a complete job, nor in a %tito output cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook
from lab_sidebar import (
    SIDEBAR,
    current_job,
    expect_module_state,
    module,
    open_lab,
    open_sidebar,
    run_command,
    screenshot,
    set_cell_source,
    wait_for_kernel,
)

pytestmark = pytest.mark.timeout(420)

AXE = Path(__file__).resolve().parents[2] / "labextension" / "node_modules" / "axe-core" / "axe.min.js"
NUMBERS = "modules/01_numbers/01_numbers.ipynb"
#: The course's longest title (module 03).
LONG_TITLE = "Layers — building blocks with learnable parameters"
PASSING = 48
#: The external tests: many passing ones with long names, then one that waits for the test to let it finish,
#: so the sidebar can be checked while the job is really running (no race with a fast machine).
EXTERNAL_TESTS = f'''import os, time

import pytest

from tinytorch.core.numbers import add


@pytest.mark.parametrize("n", range({PASSING - 1}))
def test_add_keeps_small_integers_exact_whatever_order_they_come_in(n):
    assert add(n, 1) == n + 1


def test_zz_waits_until_the_browser_test_has_looked_at_the_running_job():
    gate = os.environ.get("TITO_A11Y_GATE", "")
    deadline = time.monotonic() + 180
    while gate and not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.2)
'''


def long_course(course_dir: Path, gate: Path) -> None:
    """The factory's course with a long first title and a test file of many long-named tests."""
    nb = numbers_notebook()
    nb["cells"][0]["source"] = f"# {LONG_TITLE}\n\nAdding things up."
    write_notebook(course_dir / NUMBERS, nb)
    (course_dir / "tests/modules/01_numbers/test_numbers.py").write_text(EXTERNAL_TESTS)


def axe_violations(page: Page, where: Locator) -> list[str]:
    """Serious and critical axe-core violations inside `where`, one readable line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        assert AXE.exists(), f"{AXE} is missing: run `npm ci` in labextension (scripts/test.sh does)"
        page.add_script_tag(path=str(AXE))
    results = where.evaluate("async el => await axe.run(el, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def tab_order(page: Page, start: Locator, limit: int = 200) -> list[str]:
    """The controls Tab visits inside the sidebar, starting at `start`, until focus leaves the panel."""
    start.focus()
    seen: list[str] = []
    for _ in range(limit):
        inside = page.evaluate(
            f"() => {{ const el = document.activeElement; return el && el.closest('{SIDEBAR}') ? "
            "(el.getAttribute('aria-label') || el.textContent.trim()) : null }"
        )
        if inside is None:
            return seen
        seen.append(inside)
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never left the sidebar after {limit} presses: {seen[-5:]}")


def focusable_controls(panel: Locator) -> list[str]:
    """Every enabled control in the panel a keyboard user must be able to reach, by its accessible name."""
    return panel.evaluate(
        """panel => [...panel.querySelectorAll('button, summary, a[href], input, select, [tabindex]')]
            .filter(el => !el.disabled && el.getAttribute('tabindex') !== '-1' && el.offsetParent !== null)
            .map(el => el.getAttribute('aria-label') || el.textContent.trim())"""
    )


def title_is_whole(title: Locator) -> bool:
    """The title text shows entirely: neither cut at the side nor clamped below."""
    return title.evaluate("el => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1")


def lines(element: Locator) -> int:
    """How many lines the element's text is laid out on."""
    return element.evaluate(
        """el => { const range = document.createRange(); range.selectNodeContents(el);
                  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size }"""
    )


def test_a_long_complete_folds_what_passed_keeps_titles_whole_and_is_accessible(start_lab, page, course_dir,
                                                                                tmp_path):
    gate = tmp_path / "gate"
    long_course(course_dir, gate)
    lab = start_lab(course_dir, env={"TITO_A11Y_GATE": str(gate)})
    open_lab(page, lab)
    panel = open_sidebar(page)
    expect_module_state(panel, "01_numbers", "Not started")

    # The long title is shown whole at the default width (wrapped, bold: three lines), and named whole to a screen reader.
    title = module(panel, "01_numbers").locator(".jp-TitoModule-titleText")
    expect(title).to_have_text(LONG_TITLE)
    assert title_is_whole(title), "the module title is cut off at the sidebar's default width"
    assert lines(title) <= 3, "the title runs on past three lines"
    opener = panel.get_by_role("button", name=f"Open the notebook of 01_numbers: {LONG_TITLE}")
    expect(opener).to_have_attribute("title", f"{LONG_TITLE} (open {NUMBERS})")
    assert axe_violations(page, panel) == [], "at start"
    screenshot(page, "a11y-start", panel)

    panel.get_by_role("button", name="Complete 01_numbers").click()
    job = current_job(panel)
    expect(job.locator(".jp-TitoBadge")).to_have_text("Running", timeout=60_000)
    # The waiting test holds the job open: check it while it really runs, then let it finish.
    expect(job.locator(".jp-TitoTests-passedCount")).to_be_visible(timeout=120_000)
    assert axe_violations(page, panel) == [], "while a job runs"
    screenshot(page, "a11y-running", panel)
    gate.write_text("go")

    expect(job.locator(".jp-TitoBadge")).to_have_text("Succeeded", timeout=180_000)
    expect_module_state(panel, "01_numbers", "Complete")
    # 2 inline + 48 external tests pass: one line says so; the names are folded away until asked for.
    passed = job.locator(".jp-TitoTests-passedCount")
    expect(passed).to_have_text(f"{PASSING + 2} passed")
    expect(job.locator('.jp-TitoTest[data-outcome="passed"]')).to_have_count(PASSING + 2)
    expect(job.locator('.jp-TitoTest[data-outcome="passed"]').first).to_be_hidden()
    # The module list is still in view below the card, its second module included.
    expect(module(panel, "02_doubling").locator(".jp-TitoModule-title")).to_be_in_viewport()
    assert axe_violations(page, panel) == [], "after a complete job"
    screenshot(page, "a11y-complete", panel)

    # By keyboard: Enter on the count opens the list; long test names wrap rather than being cut.
    passed.focus()
    page.keyboard.press("Enter")
    first = job.locator('.jp-TitoTest[data-outcome="passed"] .jp-TitoTest-name').first
    expect(first).to_be_visible()
    assert title_is_whole(first), "a long test name is cut off"
    expect(module(panel, "01_numbers").locator(".jp-TitoModule-title")).to_be_in_viewport()
    assert axe_violations(page, panel) == [], "with the passed tests open"
    screenshot(page, "a11y-complete-open", panel)

    # Every enabled control is reached by Tab, in one pass, and each has a name.
    reached = tab_order(page, panel.get_by_role("button", name="Refresh the course"))
    controls = focusable_controls(panel)
    assert all(controls), f"a control without a name: {controls}"
    assert sorted(reached) == sorted(controls), f"Tab missed {set(controls) - set(reached)}"


BROKEN_EXPORT = NUMBERS_EXPORT.replace("return a + b", "return a - b")


def test_a_failed_job_shows_its_failures_open_and_a_tito_cell_is_accessible(start_lab, page, course_dir):
    write_notebook(course_dir / NUMBERS, numbers_notebook(BROKEN_EXPORT))
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    panel.get_by_role("button", name="Complete 01_numbers").click()
    job = current_job(panel)
    expect(job.locator(".jp-TitoBadge")).to_have_text("Failed", timeout=120_000)
    # Failures are open without a click, their messages and the way to the notebook in view.
    failing = job.locator('.jp-TitoTest[data-test$="::test_unit_add"]')
    expect(failing.locator(".jp-TitoTest-message")).to_be_visible()
    expect(failing.get_by_role("button", name="Go to test_unit_add in the notebook")).to_be_visible()
    # All three fail with a - b: each is shown, and no empty "0 passed" line is.
    expect(job.locator('.jp-TitoTest[data-outcome="failed"]')).to_have_count(3)
    for test in job.locator('.jp-TitoTest[data-outcome="failed"]').all():
        expect(test).to_be_visible()
    expect(job.locator(".jp-TitoTests-passedCount")).to_have_count(0)
    assert axe_violations(page, panel) == [], "after a failed job"
    screenshot(page, "a11y-failed", panel)

    # A %tito cell's output, in the notebook.
    panel.get_by_role("button", name="Open the notebook of 01_numbers").click()
    cells = page.locator(".jp-NotebookPanel:visible .jp-Cell")
    expect(cells).to_have_count(6)
    wait_for_kernel(page)
    cells.nth(5).click()
    run_command(page, "notebook:insert-cell-below")
    set_cell_source(page, 6, "%tito test 01_numbers")
    cells.nth(6).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    output = cells.nth(6).locator(".jp-OutputArea-output")
    expect(output.first).to_contain_text("01_numbers", timeout=120_000)
    expect(current_job(panel).locator(".jp-TitoBadge")).to_have_text("Failed", timeout=120_000)
    assert axe_violations(page, cells.nth(6).locator(".jp-OutputArea")) == [], "in a %tito output cell"
    screenshot(page, "a11y-magic-cell")
