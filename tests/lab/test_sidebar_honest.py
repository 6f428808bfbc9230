"""The sidebar counts honestly, in a real JupyterLab: a locked checkpoint offers no Run, a job card counts each
test run on its own, and a module whose latest tests fail is never shown as a green "Complete".

Each test starts ``jupyter lab`` on a fresh two-module course (01_numbers, 02_doubling; checkpoint c01_arithmetic
needs both and is unlocked by 02_doubling) and works the sidebar in headless Chromium.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from course_factory import NUMBERS_EXPORT, numbers_notebook, write_notebook
from lab_sidebar import current_job, expect_module_state, module, open_lab, open_sidebar, screenshot

pytestmark = pytest.mark.timeout(300)

NUMBERS = "modules/01_numbers/01_numbers.ipynb"
CHECKPOINT = 'li.jp-TitoCheckpoint[data-checkpoint="c01_arithmetic"]'


def complete(panel, module_id: str) -> None:
    panel.get_by_role("button", name=f"Complete {module_id}").click()
    expect_module_state(panel, module_id, "Complete")
    expect(current_job(panel).locator(".jp-TitoBadge")).to_have_text("Succeeded", timeout=60_000)


def test_a_locked_checkpoint_offers_no_run_and_says_which_modules_to_complete(start_lab, page, course_dir):
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    checkpoint = panel.locator(CHECKPOINT)
    expect(checkpoint.locator(".jp-TitoBadge")).to_have_text("Locked")
    run = panel.get_by_role("button", name="Run checkpoint c01_arithmetic")
    expect(run).to_be_disabled()
    expect(run).to_have_attribute(
        "title", "Locked: complete 01_numbers and 02_doubling first, then run this checkpoint.")
    run.click(force=True)  # a click on the disabled button starts nothing
    expect(current_job(panel)).to_have_count(0)
    screenshot(page, "sidebar-light-locked-checkpoint", panel)

    complete(panel, "01_numbers")
    expect(run).to_have_attribute("title", "Locked: complete 02_doubling first, then run this checkpoint.")
    expect(run).to_be_disabled()
    assert lab.api("tito/api/checkpoints")["checkpoints"][0]["state"] == "locked"  # nothing was recorded

    complete(panel, "02_doubling")  # unlocks and runs the checkpoint
    expect(checkpoint.locator(".jp-TitoBadge")).to_have_text("Passed", timeout=60_000)
    expect(run).to_be_enabled()


def test_a_complete_counts_its_tests_and_its_checkpoint_apart(start_lab, page, course_dir):
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    complete(panel, "01_numbers")
    job = current_job(panel)
    expect(job.locator(".jp-TitoTests-count")).to_have_text(["Tests 01_numbers: 3 of 3 tests passed"])

    complete(panel, "02_doubling")  # its tests, then the checkpoint it unlocks
    job = current_job(panel)
    expect(job).to_contain_text("Complete 02_doubling")
    expect(job.locator(".jp-TitoTests-count")).to_have_text([
        "Tests 02_doubling: 1 of 1 tests passed",
        "Checkpoint c01_arithmetic: 1 of 1 tests passed",
    ])
    screenshot(page, "sidebar-light-complete-with-checkpoint", panel)


def test_a_completed_module_whose_tests_now_fail_is_not_shown_complete(start_lab, page, course_dir):
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    complete(panel, "01_numbers")

    # Later the student breaks add() (saved) and completes it again: the tests fail this time.
    write_notebook(course_dir / NUMBERS, numbers_notebook(NUMBERS_EXPORT.replace("return a + b", "return a - b")))
    panel.get_by_role("button", name="Complete 01_numbers").click()
    expect(current_job(panel).locator(".jp-TitoBadge")).to_have_text("Failed", timeout=60_000)

    row = module(panel, "01_numbers")
    expect(row).to_contain_text("0 of 3 tests passed, 3 failed")
    badge = row.locator(".jp-TitoBadge")
    expect(badge).to_have_text("Tests failing")
    expect(badge).to_have_attribute("data-state", "tests_failing")
    expect(badge).to_have_attribute("title", "Completed earlier, but its latest test run failed (0 of 3 tests "
                                             "passed, 3 failed). Fix them and complete it again.")
    expect(current_job(panel).locator(".jp-TitoTests-count")).to_have_text(
        ["Tests 01_numbers: 0 of 3 tests passed, 3 failed"])
    timeline = panel.locator("li.jp-TitoTimeline-module").first  # the timeline agrees with the list
    expect(timeline).to_have_attribute("aria-label", "Module 01_numbers: Tests failing")
    screenshot(page, "sidebar-light-completed-then-failing", panel)
