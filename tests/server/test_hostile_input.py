"""Hostile input on a real server: odd digits, lone surrogates, floods of jobs, wrong verbs, endless names.

Each case here once got a 500 with a traceback, resolved to the wrong module, or was accepted without limit; now
each is a 4xx with ``{message, reason}`` (or the right module), and nothing runs that was not asked for.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse

import pytest

def assert_error(status, body, expected_status, reason):
    assert status == expected_status, (status, body)
    assert set(body) >= {"message", "reason"} and body["message"] and body["reason"] == reason, body
    assert "Traceback" not in body["message"] and "internal error" not in body["message"]


#: They pass str.isdigit(); some crash int(), others are read as 01. Only ASCII digits are numbers.
UNICODE_DIGITS = ["²", "①", "¹", "٠١", "١", "१", "𝟎𝟏", "０１", "𝟏", "¹²"]


async def fetch_raw(http_server_client, jp_base_url, jp_auth_header, method, path, body=None):
    """A request with the path sent exactly as given (percent-encoded here, never re-escaped by the client)."""
    response = await http_server_client.fetch(
        f"{jp_base_url}tito/api/{path}", method=method, headers=dict(jp_auth_header), raise_error=False,
        body=body, allow_nonstandard_methods=True)
    return response.code, (json.loads(response.body) if response.body else None), response


@pytest.mark.parametrize("name", UNICODE_DIGITS)
async def test_names_in_other_digits_are_unknown_names_not_500s(name, api, http_server_client, jp_base_url,
                                                                  jp_auth_header):
    quoted = urllib.parse.quote(name, safe="")
    for method, path in (("GET", f"modules/{quoted}"), ("POST", f"modules/{quoted}/export"),
                         ("POST", f"checkpoints/{quoted}/test"), ("POST", f"checkpoints/c{quoted}/run")):
        status, body, _ = await fetch_raw(http_server_client, jp_base_url, jp_auth_header, method, path,
                                          body="{}" if method == "POST" else None)
        assert_error(status, body, 404, "unknown_name")
        assert name in body["message"] and "internal" not in body["message"]
    for command, args in (("module.export", {"modules": [name]}), ("checkpoint.test", {"checkpoint": name}),
                          ("checkpoint.test", {"checkpoint": f"c{name}"})):
        assert_error(*await api("POST", "jobs", body={"command": command, "args": args}), 404, "unknown_name")
    _, jobs = await api("GET", "jobs")
    assert jobs["jobs"] == []  # nothing ran under a name the course does not have


async def test_since_is_ascii_digits_only(api, http_server_client, jp_base_url, jp_auth_header):
    _, job = await api("POST", "modules/01_numbers/validate", body={})
    for since in [*UNICODE_DIGITS, "1" * 13, "", "1.0", "-1", "0x1"]:
        assert_error(*await api("GET", f"jobs/{job['id']}", params={"since": since}), 400, "invalid_since")
    for raw in ("%ff", "%ed%a0%80", "%00"):  # not UTF-8 / a surrogate / NUL, as the client sent them
        status, body, _ = await fetch_raw(http_server_client, jp_base_url, jp_auth_header, "GET",
                                          f"jobs/{job['id']}?since={raw}")
        assert 400 <= status < 500 and body["message"] and body["reason"], (raw, status, body)
    done = await api.wait(job["id"])
    for since, expected in (("0", done["events"]), ("000", done["events"]), (str(done["event_count"]), [])):
        status, read = await api("GET", f"jobs/{job['id']}", params={"since": since})
        assert status == 200 and read["events"] == expected, since


@pytest.mark.parametrize("raw", [
    b'{"notebook": "\\ud800"}',
    b'{"source": "\\udfff"}',
    b'{"source": "ok\\ud800"}',
    b'{"\\ud800": 1}',
    b'{"timeout": 5, "notebook": "modules/01_numbers/\\udc80.ipynb"}',
])
async def test_a_lone_surrogate_in_a_body_is_a_400(api, raw):
    assert_error(*await api("POST", "modules/01_numbers/test", raw_body=raw), 400, "invalid_json")
    assert_error(*await api("POST", "jobs", raw_body=raw.replace(b"{", b'{"command": "module.export", ', 1)),
                 400, "invalid_json")
    _, jobs = await api("GET", "jobs")
    assert jobs["jobs"] == []


@pytest.mark.parametrize("raw", [b"\n", b"   ", b"\t\r\n"])
async def test_whitespace_alone_is_not_a_body(api, raw):
    assert_error(*await api("POST", "modules/01_numbers/validate", raw_body=raw), 400, "invalid_json")
    assert_error(*await api("POST", "jobs", raw_body=raw), 400, "invalid_json")
    status, job = await api("POST", "modules/01_numbers/validate")  # no body at all is {}
    assert status == 202
    await api.wait(job["id"])


async def test_a_surrogate_pair_is_text_and_is_accepted(api):
    status, job = await api("POST", "modules/01_numbers/validate", raw_body=b'{"source": "\\ud83d\\ude00"}')
    assert status == 202 and job["source"] == "\U0001F600"
    await api.wait(job["id"])


@pytest.mark.parametrize("method, path, allowed", [
    ("GET", "modules/01_numbers/export", "POST, OPTIONS"),
    ("PUT", "version", "GET, OPTIONS"),
    ("DELETE", "jobs", "GET, POST, OPTIONS"),
    ("POST", "jobs/anything", "GET, DELETE, OPTIONS"),
    ("PATCH", "modules", "GET, OPTIONS"),
    ("HEAD", "checkpoints/c01/test", "POST, OPTIONS"),
    ("TRACE", "course", "GET, OPTIONS"),
])
async def test_a_wrong_verb_is_a_405_that_says_which_verbs_there_are(http_server_client, jp_base_url,
                                                                     jp_auth_header, method, path, allowed):
    status, body, response = await fetch_raw(http_server_client, jp_base_url, jp_auth_header, method, path,
                                             body="{}" if method in ("POST", "PUT", "PATCH") else None)
    assert status == 405
    assert response.headers.get("Allow") == allowed
    if method != "HEAD":  # a HEAD answer has no body
        assert body["message"] and body["reason"] == "method_not_allowed", body


async def test_a_name_of_100000_characters_is_echoed_short(api):
    for name in ("x" * 250, "é" * 290):
        status, body = await api("POST", "jobs", body={"command": "module.test", "args": {"modules": [name]}})
        assert_error(status, body, 400, "invalid_name")
        assert len(body["message"]) < 300 and f"({len(name)} characters)" in body["message"], body["message"]
    status, body = await api("POST", "jobs", body={"command": "module.test", "args": {"modules": ["x" * 100_000]}})
    assert_error(status, body, 400, "invalid_argument")
    assert len(body["message"]) < 300, len(body["message"])


SLOW_CHECKPOINT = '''"""Does time pass?"""
import time


def test_waits():
    time.sleep(600)
'''


class TestTheQueueHasACap:
    @pytest.fixture
    def tito_config(self):
        return {"max_running_jobs": 1}

    async def test_past_the_cap_a_job_is_refused_with_429(self, api, course_dir, tito_ext):
        (course_dir / "tests/checkpoints/c02_waiting.py").write_text(SLOW_CHECKPOINT)
        _, slow = await api("POST", "checkpoints/c02_waiting/test", body={})
        deadline = time.monotonic() + 60
        while (await api("GET", f"jobs/{slow['id']}"))[1]["state"] != "running":
            assert time.monotonic() < deadline, "the slow job never started"
            await asyncio.sleep(0.1)

        answers = [await api("POST", "jobs", body={"command": "module.validate", "args": {"modules": ["01"]}})
                   for _ in range(131)]
        accepted = [job for status, job in answers if status == 202]
        refused = [(status, body) for status, body in answers if status != 202]
        assert len(accepted) == tito_ext.max_queued_jobs == 100
        assert all(job["state"] == "queued" for job in accepted)
        assert len(refused) == 31
        for status, body in refused:
            assert_error(status, body, 429, "too_many_jobs")
            assert "100 jobs are already waiting" in body["message"]
        _, listed = await api("GET", "jobs")
        assert len(listed["jobs"]) == 101  # the refused ones left no trace

        # A place frees up when a waiting job is cancelled; then one more is accepted, and no more.
        _, cancelled = await api("DELETE", f"jobs/{accepted[0]['id']}")
        assert cancelled["state"] == "cancelled"
        status, _ = await api("POST", "modules/01_numbers/validate", body={})
        assert status == 202
        assert_error(*await api("POST", "modules/01_numbers/validate", body={}), 429, "too_many_jobs")
        for job in accepted[1:]:
            await api("DELETE", f"jobs/{job['id']}")
        await api("DELETE", f"jobs/{slow['id']}")
