"""One real JupyterHub for the tests of this folder: two students and an instructor, each a Linux user.

The Hub is session-scoped (starting it and spawning three servers is the slow part); each student has their own
course in their home folder (``~/course``, the single-user server's root), the instructor has the course too.
The timings of each step are written to ``test-artifacts/hub/timings.json`` and printed at the end.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

import hub_server  # noqa: E402
from course_factory import make_course  # noqa: E402
from hub_server import Hub, HubUser  # noqa: E402
from subprocess_jupyter import jp_asyncio_loop, jp_server_cleanup  # noqa: E402,F401  (switch pytest-jupyter's off)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "hub"


class Campus:
    """The Hub and its people."""

    def __init__(self, hub: Hub, s1: HubUser, s2: HubUser, teacher: HubUser):
        self.hub, self.s1, self.s2, self.teacher = hub, s1, s2, teacher
        self.timings = hub.timings

    def time(self, name: str):
        campus = self

        class _Timer:
            def __enter__(self):
                self.started = time.monotonic()

            def __exit__(self, *exc):
                campus.timings[name] = round(time.monotonic() - self.started, 2)

        return _Timer()


@pytest.fixture(scope="session")
def campus() -> Campus:
    problems = hub_server.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    run = hub_server.run_name()
    users: list[HubUser] = []
    state = Path(tempfile.mkdtemp(prefix="tito-hub-"))
    with contextlib.ExitStack() as cleanup:
        opened = cleanup.enter_context(hub_server.folders_opened_for_users())
        if opened:
            print("\nopened for the students' servers (o+x, until the Hub stops):", *map(str, opened))
        yield from _run_campus(run, state, users)


def _run_campus(run: str, state: Path, users: list[HubUser]):
    hub = None
    try:
        for role in ("s1", "s2", "teacher"):
            users.append(hub_server.create_user(f"tito-{run}-{role}"))
        for user in users:
            make_course(user.course)
            hub_server.give(user, user.course)
            hub_server.write_lab_settings(user)
        hub = hub_server.start_hub(state, users)
        s1, s2, teacher = users
        started = time.monotonic()
        for user in users:
            response = hub.login(user)
            assert response.ok, f"{user.name} could not log in: {response.status_code}"
            hub.mint_token(user)
        for user in users:
            hub.timings[f"spawn {user.name.rsplit('-', 1)[-1]}"] = round(hub.wait_until_ready(user), 2)
        for user in users:
            page = hub.open_in_browser(user, user)
            assert page.ok and f"/user/{user.name}/lab" in page.url, (user.name, page.status_code, page.url)
        hub.timings["login and spawn, all three"] = round(time.monotonic() - started, 2)
        hub.timings["hub start"] = round(hub.timings["hub start"], 2)
        yield Campus(hub, s1, s2, teacher)
    finally:
        if hub:
            hub_server.stop_hub(hub)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(hub.log_path, ARTIFACTS / "jupyterhub.log")
            (ARTIFACTS / "timings.json").write_text(json.dumps(hub.timings, indent=1))
            print("\nJupyterHub test timings (s):", json.dumps(hub.timings, indent=1))
        for user in users:
            hub_server.remove_user(user)
        shutil.rmtree(state, ignore_errors=True)
