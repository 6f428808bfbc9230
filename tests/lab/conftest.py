"""Fixtures for the browser tests: a real JupyterLab on a real course, driven by headless Chromium (Playwright).

Each test gets its own course (``course_dir``), its own ``jupyter lab`` subprocess (free loopback port, a token,
temporary runtime/data/config/settings/workspace folders) and a fresh browser page. Screenshots and, on
failure, the page, its console and the server log land in ``test-artifacts/lab/`` at the repository root.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from lab_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Lab, start_lab as _start, stop_lab  # noqa: E402
from subprocess_jupyter import jp_asyncio_loop, jp_server_cleanup  # noqa: E402,F401  (switch pytest-jupyter's off)



@pytest.fixture
def start_lab(tmp_path: Path, request) -> Iterator[Callable[..., Lab]]:
    """``start_lab(root, extra_args=[...], settings={...}, env={...})`` starts a lab; every one is stopped after
    the test. ``env`` is added to the lab's environment (``PYTHONPATH`` to install a plugin, say). A student's lab
    unless ``student=False`` (lab_server.NOT_A_STUDENTS)."""
    labs: list[Lab] = []

    def start(root: Path, extra_args: list[str] | None = None, settings: dict | None = None,
              env: dict | None = None, student: bool = True) -> Lab:
        lab = _start(root, tmp_path / f"jupyter-{len(labs)}", extra_args or [], settings or {}, env or {}, student)
        labs.append(lab)
        return lab

    yield start
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for lab in labs:
        stop_lab(lab)
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(lab.log_path, ARTIFACTS / f"{request.node.name}.jupyter.log")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from the system (never a downloaded one).

    Module-scoped: Playwright's sync API holds the thread's event loop while it runs, and the tests after these
    (pytest-jupyter's fixtures) need it back.
    """
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (or set TITO_CHROMIUM)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; on failure its screenshot and console go to test-artifacts/lab/."""
    from playwright import sync_api as playwright_api

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.set_default_timeout(30_000)
    # Playwright's expect() waits 5 s by default: too short for a lab on a machine shared by two test workers.
    # A longer wait changes nothing for a test that passes; it only waits longer before saying no.
    playwright_api.expect.set_options(timeout=30_000)
    yield page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.failure.png"))
        except Exception:  # the page may be gone; the log below still helps
            pass
        (ARTIFACTS / f"{request.node.name}.console.log").write_text("\n".join(console))
    context.close()
