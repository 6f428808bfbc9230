"""A ``tito`` run typed in a terminal is live in the sidebar, in a real JupyterLab in headless Chromium.

``python -m tito_jupyter test 01`` starts in the course as a terminal would (a process of its own, not a server
job); the sidebar shows it as a job "from a terminal" while it runs, its test count moves before it ends, and
it ends with the terminal's own result.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from course_factory import NUMBERS_EXPORT, notebook, write_notebook
from lab_sidebar import current_job, expect_module_state, open_lab, open_sidebar, screenshot
from test_sidebar_a11y import axe_violations, title_is_whole

from tito_jupyter.engine import runs

pytestmark = pytest.mark.timeout(300)

#: Inline tests that take a while each, so the count is seen moving.
SLOW_TESTS = tuple(
    ("code", f"def test_unit_slow_{i}():\n    import time\n    time.sleep(2.5)\n    assert add({i}, 1) == {i + 1}\n")
    for i in range(3))


def tito_in_a_terminal(course_dir, *args: str, wait: bool = False) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != runs.JOB_MARKER}
    proc = subprocess.Popen([sys.executable, "-m", "tito_jupyter", *args], cwd=course_dir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    if wait:
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, out.decode(errors="replace")
    return proc


def test_a_run_typed_in_a_terminal_is_live_in_the_sidebar(start_lab, page, course_dir):
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", notebook(
        ("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT), *SLOW_TESTS))
    tito_in_a_terminal(course_dir, "export", "01", wait=True)  # before the lab: an old run, not listed
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    expect(current_job(panel)).to_have_count(0)

    proc = tito_in_a_terminal(course_dir, "test", "01")
    try:
        job = current_job(panel)
        expect(job).to_contain_text("Test 01_numbers", timeout=60_000)
        expect(job.locator(".jp-TitoJob-source")).to_have_text("from a terminal")
        badge = job.locator(".jp-TitoBadge")
        counts = job.locator('.jp-TitoTests-count[data-step="test"]')
        seen_running: list[str] = []
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            state = badge.text_content(timeout=5_000)
            count = counts.text_content(timeout=5_000) if counts.count() else None
            if state == "Running" and count and count not in seen_running:
                seen_running.append(count)
                if len(seen_running) == 2:
                    screenshot(page, "sidebar-terminal-run-live", panel)
                    assert title_is_whole(job.locator(".jp-TitoJob-title")), "the label squeezed the title"
                    assert axe_violations(page, panel) == [], "while a terminal run is followed"
            time.sleep(0.1)
        assert len(seen_running) >= 2, f"the count did not move while the run ran: {seen_running}"

        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out.decode(errors="replace")
        expect(badge).to_have_text("Succeeded", timeout=30_000)
        expect(counts).to_have_text("Tests 01_numbers: 4 of 4 tests passed")
        expect(job.locator(".jp-TitoJob-source")).to_have_text("from a terminal")
        expect(job.get_by_role("button", name="Cancel Test 01_numbers")).to_have_count(0)
        expect_module_state(panel, "01_numbers", "Tests passing")
        screenshot(page, "sidebar-terminal-run-done", panel)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_cancel_in_the_sidebar_stops_the_terminal_run_as_ctrl_c_would(start_lab, page, course_dir):
    write_notebook(course_dir / "modules/01_numbers/01_numbers.ipynb", notebook(
        ("markdown", "# Numbers"), ("code", "#| default_exp core.numbers"), ("code", NUMBERS_EXPORT),
        ("code", "def test_unit_add():\n    while True:\n        pass\n")))
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)

    proc = tito_in_a_terminal(course_dir, "complete", "01", "--timeout", "600")
    try:
        job = current_job(panel)
        expect(job.locator(".jp-TitoJob-source")).to_have_text("from a terminal", timeout=60_000)
        expect(job.locator('.jp-TitoStep[data-state="running"]')).to_contain_text("Tests 01_numbers",
                                                                                  timeout=60_000)
        # The sidebar waits for it like for its own jobs: nothing else starts meanwhile.
        expect(panel.get_by_role("button", name="Complete 02_doubling")).to_be_disabled()
        job.get_by_role("button", name="Cancel Complete 01_numbers").click()
        expect(job.locator(".jp-TitoBadge")).to_have_text("Cancelled", timeout=60_000)
        expect(job.locator(".jp-TitoJob-summary")).to_contain_text("Stopped (SIGTERM)")
        screenshot(page, "sidebar-terminal-run-cancelled", panel)
        proc.communicate(timeout=60)
        assert proc.returncode == 128 + 15  # tito in the terminal unwound as on Ctrl-C, and said so
        expect(panel.get_by_role("button", name="Complete 02_doubling")).to_be_enabled()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
