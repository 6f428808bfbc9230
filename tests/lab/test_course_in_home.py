"""A course inside the home folder: the sidebar still knows it is the folder Jupyter serves.

JupyterLab's page config writes a server root inside the home folder as ``~/...``. Under JupyterHub every
student's course is in their home (and so is a student's own ``~/tinytorch`` on a laptop), so a sidebar that
compared that with the course's absolute root took the course for outside the server: it showed a warning and
could not open the notebooks. The server extension hands the sidebar the absolute root (``titoServerRoot``).
"""

from __future__ import annotations

from playwright.sync_api import expect

from lab_sidebar import open_lab, open_sidebar


def test_a_course_in_the_home_folder_is_not_taken_for_outside_the_server(start_lab, page, course_dir):
    # The server's home folder is the course's parent, as on a Hub (/home/NAME/course).
    lab = start_lab(course_dir, env={"HOME": str(course_dir.parent)})
    open_lab(page, lab)
    assert page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent)"
                         ".serverRoot") == "~/course"  # what JupyterLab itself says
    panel = open_sidebar(page)
    expect(panel.locator('li.jp-TitoModule[data-module="01_numbers"]')).to_be_visible()
    expect(panel.locator('.jp-TitoNotice[data-kind="warning"]')).to_have_count(0)
    panel.get_by_role("button", name="Open the notebook of 01_numbers").click()
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.context?.path === 'modules/01_numbers/01_numbers.ipynb'",
        timeout=60_000)
