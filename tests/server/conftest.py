"""A real jupyter_server (pytest-jupyter) with tito's extension, serving a fresh course per test.

Authentication is on and required everywhere (``allow_unauthenticated_access = False``); ``jp_fetch`` sends the
token and runs every request under the base URL ``/a%40b/``, and holds every answer of tito's API to
openapi.json (tests/openapi_contract.py). ``tito_config`` lets a test set ``c.TitoExtension`` traits
(job timeout, concurrency) before the server starts.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from openapi_contract import check_url
from tornado.httpclient import HTTPClientError
from traitlets.config import Config

FINAL = {"succeeded", "failed", "cancelled", "timed_out"}


@pytest.fixture
def tito_config() -> dict:
    return {}


@pytest.fixture
def allow_unauthenticated_access() -> bool:
    return False


@pytest.fixture
def jp_root_dir(course_dir: Path) -> Path:
    return course_dir


@pytest.fixture
def jp_server_config(tito_config, allow_unauthenticated_access, monkeypatch):
    monkeypatch.delenv("TITO_PROJECT", raising=False)
    monkeypatch.delenv("TITO_FAULT", raising=False)
    return Config({
        "ServerApp": {"jpserver_extensions": {"tito_jupyter": True, "jupyter_server_terminals": False},
                      "allow_unauthenticated_access": allow_unauthenticated_access},
        "FileContentsManager": {"delete_to_trash": False},
        "TitoExtension": dict(tito_config),
    })


@pytest.fixture
def http_server_client(http_server_client):
    """pytest-jupyter's client of the test server (``jp_fetch`` sends through it), with every answer of tito's API
    checked against openapi.json: a status the operation documents and a body that fits its schema."""
    fetch = http_server_client.fetch

    async def checked_fetch(path, **kwargs):
        method = kwargs.get("method", "GET")
        try:
            response = await fetch(path, **kwargs)
        except HTTPClientError as exc:  # raise_error=True and a 4xx/5xx: the answer is still held to the document
            if exc.response is not None:
                check_url(method, path, exc.code, exc.response.body)
            raise
        check_url(method, path, response.code, response.body)
        return response

    http_server_client.fetch = checked_fetch
    return http_server_client


class Api:
    """``await api("GET", "modules")`` -> (status, JSON body), never raising for 4xx/5xx."""

    def __init__(self, fetch):
        self.fetch = fetch

    async def __call__(self, method: str, path: str, body=None, params=None, headers=None, raw_body=None):
        kwargs = {"method": method, "raise_error": False, "headers": headers, "params": params}
        if raw_body is not None:
            kwargs["body"] = raw_body
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = ""
        response = await self.fetch("tito", "api", *path.split("/"), **kwargs)
        text = response.body.decode("utf-8") if response.body else ""
        return response.code, (json.loads(text) if text else None)

    async def wait(self, job_id: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            status, job = await self("GET", f"jobs/{job_id}")
            assert status == 200, job
            if job["state"] in FINAL:
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['state']} after {timeout} s"
            await asyncio.sleep(0.05)

    async def wait_for_event(self, job_id: str, predicate, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            _, job = await self("GET", f"jobs/{job_id}")
            if any(predicate(e) for e in job["events"]):
                return job
            assert job["state"] not in FINAL, f"job ended ({job['state']}) before the event: {job['result']}"
            assert time.monotonic() < deadline, "the event never came"
            await asyncio.sleep(0.05)


@pytest.fixture
def api(jp_fetch) -> Api:
    return Api(jp_fetch)


@pytest.fixture
def tito_ext(jp_serverapp):
    return jp_serverapp.web_app.settings["tito_jupyter"]
