"""`tito module start 02` typed in a terminal while JupyterLab runs: the notebook opens as a tab in the Lab page.

A real `jupyter lab` on a course, the page in headless Chromium, and the CLI in a subprocess that finds the lab
through jupyter_server's runtime folder and asks it (POST tito/api/open); the sidebar hears the request on the
event bus and opens the notebook. Screenshot: test-artifacts/lab/test_module_start_opens_the_notebook_tab.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from lab_sidebar import expect_module_state, open_lab, open_sidebar, screenshot
from playwright.sync_api import expect
from real_course import record_complete

pytestmark = pytest.mark.timeout(600)

NOTEBOOK = "modules/02_doubling/02_doubling.ipynb"


def test_module_start_opens_the_notebook_tab(start_lab, page, course_dir):
    record_complete(course_dir, ["01"])
    lab = start_lab(course_dir)
    open_lab(page, lab)
    panel = open_sidebar(page)
    expect_module_state(panel, "01_numbers", "Complete")  # the page is up and hears the server
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="02_doubling.ipynb")
    expect(tab).to_have_count(0)

    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(lab.log_path.parent / "runtime"), "TITO_PROJECT": str(course_dir)}
    done = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "module", "start", "02", "--no-browser"],
                          env=env, cwd=course_dir, capture_output=True, text=True, timeout=120)
    result = json.loads(done.stdout)
    assert done.returncode == 0, result
    assert result["data"]["started_server"] is False and result["data"]["pages"] >= 1
    assert result["data"]["server"] == lab.url

    expect(tab).to_be_visible(timeout=60_000)
    page.wait_for_function(f"() => window.jupyterapp.shell.currentWidget?.context?.path === {json.dumps(NOTEBOOK)}",
                           timeout=60_000)
    screenshot(page, "test_module_start_opens_the_notebook_tab")
