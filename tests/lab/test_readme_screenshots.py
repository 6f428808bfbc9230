"""The pictures in the README and docs/, taken from the real UI: JupyterLab on the course's own student edition,
worked as a student does, in headless Chromium, light and dark theme.

``bash scripts/screenshots.sh`` runs this test with ``TITO_SCREENSHOTS_DIR=docs/images`` (and optimizes the
PNGs); in a normal test run the pictures go to a temporary folder, so the test checks the script still produces
every one of them from what is on screen. Each picture is cropped to the part it shows:

- ``sidebar-modules-{theme}.png``: the sidebar on a fresh student edition, with the module list;
- ``magic-not-written-{theme}.png``: ``%tito complete`` in a fresh 01_tensor notebook: nothing is written yet,
  start with ``Tensor.__init__``, the functions to write in order, each linked to its cell;
- ``sidebar-not-written-{theme}.png``: the same result in the sidebar, grouped by function;
- ``magic-complete-{theme}.png``: ``%tito complete`` once 01_tensor is written: tests and checkpoint pass;
- ``checkpoint-timeline-{theme}.png``: the checkpoint timeline after that: 01_tensor complete, c01 passed.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from lab_server import REPO
from lab_sidebar import current_job, expect_module_state, open_lab, open_sidebar, set_theme, wait_for_kernel

pytestmark = pytest.mark.timeout(600)

THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
NB = "modules/01_tensor/01_tensor.ipynb"
PICTURES = ("sidebar-modules", "magic-not-written", "sidebar-not-written", "magic-complete", "checkpoint-timeline")
TITO_CELL = "%tito complete"


def student_edition(out: Path) -> Path:
    """The course's student edition as ``tito release student`` builds it, with a ``%tito complete`` cell at the
    end of 01_tensor (where a student would type it)."""
    from tito_jupyter import engine
    from tito_jupyter.engine.context import Context

    result = engine.run("release.student", {"out": str(out), "skip_tests": True, "allow_dirty": True},
                        Context(project=REPO))
    assert result.ok, result.summary
    add_tito_cell(out / NB)
    return out


def add_tito_cell(path: Path) -> None:
    nb = json.loads(path.read_text())
    nb["cells"].append({"cell_type": "code", "id": "tito-complete", "metadata": {}, "outputs": [],
                        "execution_count": None, "source": TITO_CELL})
    path.write_text(json.dumps(nb, indent=1))


def shoot(page: Page, out: Path, name: str, top: Locator, bottom: Locator | None = None) -> None:
    """Both themes of what lies between the top of ``top`` and the bottom of ``bottom`` (default: ``top``)."""
    for theme, label in THEMES.items():
        set_theme(page, label)
        page.wait_for_timeout(300)  # the theme's stylesheet is applied a frame after the attribute changes
        top.evaluate("el => el.scrollIntoView({block: 'start'})")  # the top at the top: the rest fits below
        first, last = top.bounding_box(), (bottom or top).bounding_box()
        assert first and last, f"{name}: nothing to shoot"
        left, right = min(first["x"], last["x"]), max(first["x"] + first["width"], last["x"] + last["width"])
        clip = {"x": left, "y": first["y"], "width": right - left, "height": last["y"] + last["height"] - first["y"]}
        page.screenshot(path=str(out / f"{name}-{theme}.png"), clip=clip)
    set_theme(page, THEMES["light"])


def run_tito_cell(page: Page, ends_with: str) -> Locator:
    """Run the notebook's last cell (``%tito complete``); return it once its result says ``ends_with``."""
    # The notebook renders only the cells near the view (windowing): go to the last one first.
    index = page.evaluate(
        "async () => { const nb = window.jupyterapp.shell.currentWidget.content; const i = nb.widgets.length - 1;"
        " nb.activeCellIndex = i; await nb.scrollToCell(nb.widgets[i]); return i; }")
    cell = page.locator(f'.jp-NotebookPanel:visible .jp-Cell[data-windowed-list-index="{index}"]')
    expect(cell).to_contain_text(TITO_CELL)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+Enter")  # run it and stay (Shift+Enter would add a cell below)
    expect(cell.locator(".jp-OutputArea")).to_contain_text(ends_with, timeout=300_000)
    page.wait_for_function(
        "i => { const panel = window.jupyterapp.shell.currentWidget;"
        " return panel.content.widgets[i].model.executionCount !== null"
        " && panel.sessionContext.session.kernel.status === 'idle'; }", arg=index, timeout=60_000)
    page.mouse.move(1, 1)  # away from the cell, so no hover shows in the picture
    return cell


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_readme_screenshots_are_taken_from_the_real_ui(start_lab, page, tmp_path):
    out = Path(os.environ.get("TITO_SCREENSHOTS_DIR") or tmp_path / "images").resolve()
    out.mkdir(parents=True, exist_ok=True)
    course = student_edition(tmp_path / "student")
    lab = start_lab(course)
    page.set_viewport_size({"width": 1280, "height": 900})
    open_lab(page, lab)
    panel = open_sidebar(page)
    expect_module_state(panel, "01_tensor", "Not started")

    modules = panel.locator("section.jp-TitoSection", has=page.locator("#jp-TitoModules-heading"))
    shoot(page, out, "sidebar-modules", panel.locator("header.jp-TitoSidebar-header"),
          modules.locator("li.jp-TitoModule").nth(5))

    # A fresh notebook: %tito complete says nothing is written yet, and where to start.
    panel.get_by_role("button", name="Open the notebook of 01_tensor").click()
    wait_for_kernel(page)
    cell = run_tito_cell(page, "Nothing is written yet in 01_tensor: start with `Tensor.__init__`")
    output = cell.locator(".jp-OutputArea")
    expect(output.get_by_role("link", name=f"cell 6 of {NB}")).to_be_visible()
    shoot(page, out, "magic-not-written", cell)
    job = current_job(panel)
    todo = job.get_by_role("region", name="Nothing written yet")
    items = todo.locator("li.jp-TitoNotWritten-item")
    expect(items).to_have_count(3)
    expect(items.first).to_have_attribute("data-function", "Tensor.__init__")
    # All of them in view once the card is (the module list above it grows with the course), none scrolled away
    # inside the job's card.
    todo.scroll_into_view_if_needed()
    expect(items.last).to_be_in_viewport()
    shoot(page, out, "sidebar-not-written", job)

    # The student writes 01_tensor (the instructor's solution stands in), then completes it again.
    written = course / NB
    shutil.copy(REPO / NB, written)
    add_tito_cell(written)
    page.evaluate("() => window.jupyterapp.shell.currentWidget.context.revert()")
    page.wait_for_function(
        "() => { const nb = window.jupyterapp.shell.currentWidget.content;"
        " return nb.widgets.at(-1)?.model.outputs.length === 0 && !nb.widgets.at(-1).model.executionCount; }")
    cell = run_tito_cell(page, "01_tensor is complete")
    expect_module_state(panel, "01_tensor", "Complete")
    shoot(page, out, "magic-complete", cell)

    timeline = panel.get_by_role("list", name="Checkpoint timeline")
    checkpoint = timeline.locator('li.jp-TitoCheckpoint[data-checkpoint="c01_tensors"]')
    expect(checkpoint.locator(".jp-TitoBadge")).to_have_text("Passed")
    shoot(page, out, "checkpoint-timeline", panel.locator("#jp-TitoCheckpoints-heading"),
          timeline.locator("li").nth(5))

    for name in PICTURES:
        sizes = {theme: png_size(out / f"{name}-{theme}.png") for theme in THEMES}
        for theme, (width, height) in sizes.items():
            assert 150 <= width <= 1280 and 60 <= height <= 900, f"{name}-{theme}: {width}x{height}"
        assert sizes["light"] == sizes["dark"], f"{name}: the two themes show different things: {sizes}"
        assert (out / f"{name}-light.png").read_bytes() != (out / f"{name}-dark.png").read_bytes(), name
