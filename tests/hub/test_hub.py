"""Every face of tito per user under a real JupyterHub, and students kept apart by it.

Two students and an instructor log in through the Hub's login form; each gets a single-user server running as
their own Linux user on their own course. The tests check that tito's REST API answers at
``/user/NAME/tito/api/`` with the Hub's auth (the owner's cookie and token in, the other student's out), that
``%tito complete`` in a student's kernel runs through that student's own server and records progress in that
student's course only, that the other student can neither see nor change it, and that the sidebar loads under
``/user/NAME/lab`` and lists the modules.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kernel_client import open_notebook_kernel  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "hub"

NOTEBOOK = "modules/01_numbers/01_numbers.ipynb"


def test_a_students_cookie_opens_their_own_tito_api_and_not_the_others(campus):
    hub, s1, s2 = campus.hub, campus.s1, campus.s2
    own = s1.session.get(hub.user_url(s1, "tito/api/modules"), timeout=60)
    assert own.status_code == 200, own.text[:500]
    assert [m["id"] for m in own.json()["modules"]] == ["01_numbers", "02_doubling"]
    assert s2.session.get(hub.user_url(s2, "tito/api/version"), timeout=60).status_code == 200

    # s2's browser, sent to s1's server: the Hub refuses the OAuth hand-over, so s2 never gets s1's cookie.
    page = hub.open_in_browser(s2, s1)
    assert page.status_code == 403, (page.status_code, page.url)
    assert f"jupyterhub-user-{s1.name}" in s1.session.cookies  # the server's login cookie ...
    assert f"jupyterhub-user-{s1.name}" not in s2.session.cookies  # ... which s2 never gets
    other = s2.session.get(hub.user_url(s1, "tito/api/modules"), timeout=60)
    assert other.status_code == 403, (other.status_code, other.url, other.text[:300])
    assert "01_numbers" not in other.text


def test_a_students_token_opens_their_own_tito_api_and_not_the_others(campus):
    hub, s1, s2 = campus.hub, campus.s1, campus.s2
    assert hub.as_user(s1, "GET", s1, "tito/api/modules").status_code == 200
    for method, path, body in (("GET", "tito/api/modules", None), ("GET", "tito/api/jobs", None),
                               ("POST", "tito/api/modules/01/complete", {})):
        refused = hub.as_user(s2, method, s1, path, json=body)
        assert refused.status_code == 403, (method, path, refused.status_code, refused.text[:300])
    # Nothing of it started a job on s1's server.
    assert hub.as_user(s1, "GET", s1, "tito/api/jobs").json()["jobs"] == []


def test_tito_complete_in_a_students_kernel_records_progress_in_their_course_only(campus):
    hub, s1, s2 = campus.hub, campus.s1, campus.s2
    with campus.time("%tito complete 01 (s1's kernel, through the Hub)"):
        kernel = open_notebook_kernel(hub, s1, NOTEBOOK)
        try:
            shown, error = kernel.run("%tito complete 01 --text")
            assert error is None, shown
            summary, error = kernel.run(
                "import json, os\nfrom tito_jupyter.magics import last_result\n"
                "print(json.dumps({'result': last_result(), 'server': os.environ.get('TITO_SERVER_URL'),"
                " 'uid': os.getuid()}))")
            assert error is None, summary
        finally:
            kernel.close()
    facts = json.loads(summary.strip().splitlines()[-1])
    assert facts["result"]["ok"], shown
    assert facts["uid"] == s1.uid
    assert facts["server"].endswith(f"/user/{s1.name}/"), facts["server"]

    # It ran as a job of s1's own server (the magic went through the REST API with the server's Hub token).
    jobs = hub.as_user(s1, "GET", s1, "tito/api/jobs").json()["jobs"]
    assert [(j["command"], j["state"]) for j in jobs] == [("module.complete", "succeeded")], jobs

    progress = json.loads((s1.course / ".tito" / "progress.json").read_text())
    assert progress["modules"]["01_numbers"]["completed_at"]
    assert not (s2.course / ".tito" / "progress.json").exists()
    rows = {m["id"]: m for m in hub.as_user(s2, "GET", s2, "tito/api/modules").json()["modules"]}
    assert rows["01_numbers"]["state"] != "complete", rows["01_numbers"]
    assert (s1.course / "tinytorch" / "core" / "numbers.py").exists()
    assert not (s2.course / "tinytorch" / "core" / "numbers.py").exists()


def test_the_other_student_completes_in_their_own_server_and_leaves_the_first_alone(campus):
    hub, s1, s2 = campus.hub, campus.s1, campus.s2
    s1_progress = s1.course / ".tito" / "progress.json"
    s1_before = s1_progress.read_bytes() if s1_progress.exists() else None
    s1_jobs_before = hub.as_user(s1, "GET", s1, "tito/api/jobs").json()["jobs"]
    kernel = open_notebook_kernel(hub, s2, NOTEBOOK)
    try:
        shown, error = kernel.run("%tito complete 01 --text")
        assert error is None, shown
    finally:
        kernel.close()
    jobs = hub.as_user(s2, "GET", s2, "tito/api/jobs").json()["jobs"]
    assert [(j["command"], j["state"]) for j in jobs] == [("module.complete", "succeeded")], jobs
    assert json.loads((s2.course / ".tito" / "progress.json").read_text())["modules"]["01_numbers"]["completed_at"]
    assert (s1_progress.read_bytes() if s1_progress.exists() else None) == s1_before
    assert hub.as_user(s1, "GET", s1, "tito/api/jobs").json()["jobs"] == s1_jobs_before


def test_a_student_cannot_read_or_change_the_others_course_from_their_kernel(campus):
    hub, s1, s2 = campus.hub, campus.s1, campus.s2
    kernel = open_notebook_kernel(hub, s2, NOTEBOOK)
    try:
        shown, error = kernel.run(
            "import json, pathlib\nattempts = {}\n"
            f"target = pathlib.Path({str(s1.course)!r})\n"
            "for name, act in (('list', lambda: list(target.iterdir())),\n"
            "                  ('read', lambda: (target / 'modules/01_numbers/01_numbers.ipynb').read_text()),\n"
            "                  ('write', lambda: (target / '.tito' / 'progress.json').write_text('{}'))):\n"
            "    try:\n        act()\n        attempts[name] = 'allowed'\n"
            "    except PermissionError:\n        attempts[name] = 'refused'\n"
            "print(json.dumps(attempts))")
        assert error is None, shown
    finally:
        kernel.close()
    assert json.loads(shown.strip().splitlines()[-1]) == {"list": "refused", "read": "refused", "write": "refused"}


@pytest.fixture
def lab_page(campus):
    """Chromium with s1's Hub cookies (the login form's session), as the student's browser."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).parents[1] / "lab"))
    from lab_server import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (or set TITO_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        context.add_cookies([{"name": c.name, "value": c.value, "domain": "127.0.0.1", "path": c.path or "/"}
                             for c in campus.s1.session.cookies])
        page = context.new_page()
        page.set_default_timeout(60_000)
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        try:
            yield page
        finally:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "sidebar.console.log").write_text("\n".join(console))
            try:
                page.screenshot(path=str(ARTIFACTS / "sidebar.last.png"))
            except Exception:  # the page may be gone; the console log above still helps
                pass
            browser.close()


def test_the_sidebar_loads_under_the_hub_and_lists_the_students_modules(campus, lab_page):
    from lab_sidebar import module, open_sidebar, screenshot
    from playwright.sync_api import expect

    hub, s1 = campus.hub, campus.s1
    with campus.time("sidebar under /user/s1/lab"):
        lab_page.goto(hub.user_url(s1, "lab?reset"))
        lab_page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=120_000)
        assert f"/user/{s1.name}/lab" in lab_page.url
        # Lab's extensions come up after its splash; on a loaded machine that takes more than expect's 5 s.
        lab_page.wait_for_selector('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="tito-sidebar"]',
                                   timeout=120_000)
        panel = open_sidebar(lab_page)
        expect(module(panel, "01_numbers")).to_be_visible(timeout=60_000)
        expect(module(panel, "02_doubling")).to_be_visible()
        # The course is the folder s1's server serves (~/course), not "outside" it (titoServerRoot).
        expect(panel.locator('.jp-TitoNotice[data-kind="warning"]')).to_have_count(0)
    screenshot(lab_page, "hub-sidebar-s1", panel)
    # The sidebar shows s1's own state, as s1's server reports it (complete, once the kernel test has run).
    for row in hub.as_user(s1, "GET", s1, "tito/api/modules").json()["modules"]:
        expect(module(panel, row["id"]).locator(".jp-TitoBadge")).to_have_attribute("data-state", row["state"])
