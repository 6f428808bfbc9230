"""Commands a third-party package adds to tito, in the sidebar and the command palette of a real JupyterLab.

The lab runs with the tito-hello plugin on its PYTHONPATH (as if pip-installed): its commands hello.greet (for a
module) and hello.wave (no arguments) appear under "More commands" and in the palette, and run as jobs whose
summary the sidebar shows like any other.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from lab_sidebar import current_job, open_lab, open_sidebar, run_from_palette, screenshot, unnamed_controls
from plugin_factory import write_plugin

pytestmark = pytest.mark.timeout(240)


def with_plugin(tmp_path) -> dict:
    site = write_plugin(tmp_path / "site")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}


def test_plugin_commands_appear_and_run_from_the_sidebar_and_the_palette(start_lab, page, course_dir, tmp_path):
    lab = start_lab(course_dir, env=with_plugin(tmp_path))
    open_lab(page, lab)
    panel = open_sidebar(page)

    more = panel.get_by_role("list", name="More commands")
    expect(more.locator("li")).to_have_count(3)  # tito benchmark, then the plugin's two
    greet = more.locator('li[data-command="hello.greet"]')
    expect(greet).to_contain_text("Say hello to a module.")
    expect(greet).to_contain_text("From tito-hello")
    expect(more.locator('li[data-command="hello.wave"]')).to_contain_text("Wave at the course.")
    chooser = panel.get_by_label("Module for these commands")
    expect(chooser).to_have_value("01_numbers")  # where the student stands: the first module not complete
    assert unnamed_controls(panel) == []

    chooser.select_option("02_doubling")
    panel.get_by_role("button", name="Run hello.greet for 02_doubling").click()
    job = current_job(panel)
    expect(job).to_contain_text("hello.greet 02_doubling")
    expect(job.locator(".jp-TitoJob-summary")).to_have_text("Hello, Doubling!", timeout=60_000)
    expect(job.locator(".jp-TitoBadge")).to_have_text("Succeeded")
    screenshot(page, "sidebar-more-commands", panel)

    # The sidebar is idle again once its run buttons are enabled; then the palette has both entries.
    expect(more.get_by_role("button", name="Run hello.wave")).to_be_enabled(timeout=60_000)
    run_from_palette(page, "tito: Wave at the course", also_listed=["tito: Say hello to a module"],
                     started=lambda: expect(current_job(panel)).to_contain_text("hello.wave", timeout=10_000))
    expect(current_job(panel).locator(".jp-TitoJob-summary")).to_have_text("Waving at 2 modules.", timeout=60_000)


def test_without_plugins_more_commands_offers_tito_benchmark_and_shows_why_it_cannot_run(start_lab, page, course_dir):
    """tito benchmark has no button of its own: it is the one built-in under "More commands". On a course without
    module 19 its job ends with the sentence that says so, shown like any other summary."""
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    expect(panel.get_by_role("list", name="Modules")).to_be_visible()
    more = panel.get_by_role("list", name="More commands")
    expect(more.locator("li")).to_have_count(1)
    expect(more.locator('li[data-command="benchmark"]')).to_contain_text("Time your framework with your own harness")
    more.get_by_role("button", name="Run benchmark").click()
    job = current_job(panel)
    expect(job.locator(".jp-TitoJob-summary")).to_contain_text("This course has no module 19 (benchmarking)",
                                                                timeout=60_000)
    screenshot(page, "sidebar-more-commands-benchmark", panel)
