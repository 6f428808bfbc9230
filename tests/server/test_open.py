"""`tito module start NN` against a real jupyter_server with tito's extension, and `POST tito/api/open` itself.

The server is pytest-jupyter's (in this process, on a real port, token auth, base URL ``/a%40b/``); it writes its
``jpserver-<pid>.json`` as a started server does, so the engine finds it through jupyter_server's own
``list_running_servers``. The engine runs in a thread: it makes real HTTP requests to the server on this loop.
A listener on the server's event bus stands for a Lab page's sidebar and records what it is asked to open.
"""

from __future__ import annotations

import asyncio

import pytest
from real_course import record_complete

from tito_jupyter import engine
from tito_jupyter.server.extension import OPEN_EVENT_SCHEMA_ID


@pytest.fixture
def opened(jp_serverapp):
    """What the server's event bus publishes on the open schema, as a Lab page's sidebar would receive it."""
    seen: list[dict] = []

    async def listener(logger, schema_id: str, data: dict) -> None:
        seen.append({"schema_id": schema_id, **data})

    jp_serverapp.event_logger.add_listener(schema_id=OPEN_EVENT_SCHEMA_ID, listener=listener)
    yield seen
    jp_serverapp.event_logger.remove_listener(schema_id=OPEN_EVENT_SCHEMA_ID, listener=listener)


@pytest.fixture
def announced(jp_serverapp, jp_fetch):
    """The server's jpserver-<pid>.json, as `jupyter lab` writes it once it listens (pytest-jupyter's server
    answers once its HTTP client fixture, ``jp_fetch``, is set up)."""
    jp_serverapp.write_server_info_file()
    yield jp_serverapp
    jp_serverapp.remove_server_info_file()


async def _until(condition, timeout: float = 30.0) -> None:
    """Wait for the listener (it runs as a task on this loop) without ever asserting on elapsed time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the open event never came"
        await asyncio.sleep(0.02)


def _start(course_dir, **args) -> engine.Result:
    return engine.run("module.start", {"no_browser": True, **args}, engine.Context(project=course_dir))


async def test_the_open_request_reaches_the_event_bus(api, opened, course_dir):
    status, answer = await api("POST", "open", {"module": "2"})
    assert status == 200, answer
    assert answer == {"module": "02_doubling", "path": "modules/02_doubling/02_doubling.ipynb", "listeners": 1}
    await _until(lambda: opened)
    assert opened == [{"schema_id": OPEN_EVENT_SCHEMA_ID, "module": "02_doubling",
                       "path": "modules/02_doubling/02_doubling.ipynb"}]


@pytest.mark.parametrize("body, status, reason", [
    ({"module": "nope"}, 404, "unknown_name"),
    ({"module": "../01_numbers"}, 400, "invalid_name"),
    ({"module": 1.5}, 400, "invalid_name"),
    ({}, 400, "invalid_body"),
    ({"module": "01", "path": "/etc/passwd"}, 400, "invalid_body"),
])
async def test_a_bad_open_request_is_refused_and_opens_nothing(api, opened, body, status, reason):
    code, answer = await api("POST", "open", body)
    assert (code, answer["reason"]) == (status, reason), answer
    if reason == "unknown_name":  # the course's own sentence: what it has, and the closest name
        assert "01_numbers, 02_doubling" in answer["message"] and answer["choices"] == ["01_numbers", "02_doubling"]
    await asyncio.sleep(0.2)  # a listener task would have run by now
    assert opened == []


async def test_module_start_opens_the_notebook_in_the_running_lab(announced, opened, course_dir):
    record_complete(course_dir, ["01"])
    result = await asyncio.to_thread(_start, course_dir, module="doubling")
    assert result.ok, result.summary
    await _until(lambda: opened)
    assert [e["path"] for e in opened] == ["modules/02_doubling/02_doubling.ipynb"]
    assert result.data["started_server"] is False and result.data["pages"] == 1
    assert result.data["url"].startswith(announced.connection_url)
    assert "/a%40b/lab/tree/modules/02_doubling/02_doubling.ipynb?token=" in result.data["url"]
    assert result.summary.startswith("Opened 02_doubling in the JupyterLab at ")


async def test_a_locked_module_is_refused_with_the_reason_and_nothing_opens(announced, opened, course_dir):
    result = await asyncio.to_thread(_start, course_dir, module="02")
    assert not result.ok
    assert result.error["kind"] == "module_locked" and result.error["missing_modules"] == ["01_numbers"]
    assert result.error["message"] == ("Module 02_doubling is locked: it builds on 01_numbers, which is not "
                                       "complete yet.")
    assert "`tito complete 01_numbers`" in result.error["hint"] and "--force" in result.error["hint"]
    await asyncio.sleep(0.2)
    assert opened == []


async def test_force_opens_a_locked_module(announced, opened, course_dir):
    result = await asyncio.to_thread(_start, course_dir, module="02", force=True)
    assert result.ok, result.summary
    await _until(lambda: opened)
    assert opened[0]["module"] == "02_doubling"


async def test_an_unknown_module_gets_the_course_sentence(announced, opened, course_dir):
    result = await asyncio.to_thread(_start, course_dir, module="doubbling")
    assert not result.ok and result.error["kind"] == "unknown_name"
    assert "02_doubling" in result.error["message"] + (result.error.get("hint") or "")
    assert result.error.get("suggestion") == "02_doubling"
    await asyncio.sleep(0.2)
    assert opened == []


async def test_with_no_lab_page_open_the_url_is_given_to_open(announced, jp_serverapp, course_dir):
    # No listener: no Lab page is open on this server. The notebook's URL is what the student gets.
    result = await asyncio.to_thread(_start, course_dir, module="01")
    assert result.ok, result.summary
    assert result.data["pages"] == 0 and result.data["browser"] is False  # --no-browser
    assert result.data["url"] in result.summary and "01_numbers/01_numbers.ipynb?token=" in result.data["url"]

