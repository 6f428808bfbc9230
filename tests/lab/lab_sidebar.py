"""How the lab tests look at and work the tito sidebar, the way a student would (roles, names, visible text)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from lab_server import ARTIFACTS, Lab

SIDEBAR = "#tito-sidebar"


def open_lab(page: Page, lab: Lab, path: str = "lab") -> None:
    """Load JupyterLab (with a fresh workspace) and wait until its shell is up."""
    page.goto(lab.page_url(f"{path}?reset"))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    # On a busy machine (two test workers) plugins may still be starting when the splash goes: a key pressed then
    # is lost. Wait for the app's own word that it is restored (every plugin started, the layout back).
    # The app is on `window` only where the server exposes it (the test servers of lab_server.py do; `tito dev serve`
    # and a Hub's single-user servers do not): there, the splash going is the sign.
    exposed = page.evaluate("""() => {
        const config = document.getElementById('jupyter-config-data');
        return Boolean(config && JSON.parse(config.textContent).exposeAppInBrowser);
    }""")
    if exposed:
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
        page.evaluate("() => { window.jupyterapp.restored.then(() => { window.titoTestRestored = true; }); }")
        page.wait_for_function("() => window.titoTestRestored === true", timeout=60_000)
    expect(page.locator("#jp-main-dock-panel")).to_be_visible()


def open_sidebar(page: Page) -> Locator:
    """Click the tito tab in the left bar and return the panel."""
    tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="tito-sidebar"]')
    expect(tab).to_be_visible()
    if "lm-mod-current" not in (tab.get_attribute("class") or ""):
        tab.click()
    panel = page.locator(SIDEBAR)
    expect(panel).to_be_visible()
    return panel


def module(panel: Locator, module_id: str) -> Locator:
    return panel.locator(f'li.jp-TitoModule[data-module="{module_id}"]')


def expect_module_state(panel: Locator, module_id: str, label: str, timeout: float = 60_000) -> None:
    badge = module(panel, module_id).locator(".jp-TitoBadge")
    expect(badge).to_have_text(label, timeout=timeout)


def current_job(panel: Locator) -> Locator:
    return panel.locator("section.jp-TitoJob")


def run_command(page: Page, command: str, args: dict | None = None) -> None:
    """Run a JupyterLab command through the app the page exposes (the tests start lab with it exposed)."""
    page.evaluate("([id, args]) => window.jupyterapp.commands.execute(id, args)", [command, args or {}])


def run_from_palette(page: Page, label: str, also_listed: list[str], started) -> None:
    """Open the command palette, find ``label`` (and the other entries), run it with Enter, check it ``started``.

    JupyterLab's modal palette closes when it loses focus; on a loaded machine that can happen before the
    search is typed or Enter lands (a key press that opens it can be lost too), so the palette is opened again
    (three tries) rather than failing there. The entries must be there each time.
    """
    palette = page.locator(".lm-CommandPalette")
    for attempt in range(3):
        run_command(page, "apputils:activate-command-palette")
        try:
            palette.locator("input").fill("tito:", timeout=5_000)
            for other in also_listed:
                expect(palette.locator(".lm-CommandPalette-item", has_text=other)).to_have_count(1, timeout=5_000)
            palette.locator("input").fill(label, timeout=5_000)
            expect(palette.locator(".lm-CommandPalette-item", has_text=label)).to_have_count(1, timeout=5_000)
            palette.locator("input").press("Enter", timeout=5_000)
            started()
            return
        except (AssertionError, PlaywrightTimeout):
            if attempt == 2:
                raise


def set_theme(page: Page, theme: str) -> None:
    run_command(page, "apputils:change-theme", {"theme": theme})
    expected = "false" if theme == "JupyterLab Dark" else "true"
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", expected)


def set_cell_source(page: Page, index: int, source: str) -> None:
    """Change a cell of the current notebook as if typed (the notebook becomes dirty, nothing is saved)."""
    page.evaluate(
        "([i, source]) => window.jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel"
        ".setSource(source)",
        [index, source],
    )


def wait_for_kernel(page: Page) -> None:
    """Wait until the current notebook's kernel is up and idle (a cell run before that is dropped)."""
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=60_000,
    )


def notebook_is_dirty(page: Page) -> bool:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty")


def screenshot(page: Page, name: str, panel: Locator | None = None) -> Path:
    """Save a screenshot (of the panel when given) as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    (panel or page).screenshot(path=str(path))
    return path


def unnamed_controls(panel: Locator) -> list[str]:
    """Buttons in the panel without an accessible name (aria-label or visible text)."""
    return panel.evaluate(
        """panel => [...panel.querySelectorAll('button, [role=button], a, input, select')]
            .filter(el => !(el.getAttribute('aria-label') || el.textContent.trim() || el.getAttribute('title')))
            .map(el => el.outerHTML.slice(0, 120))"""
    )


def text_pattern(text: str) -> re.Pattern:
    return re.compile(re.escape(text))
