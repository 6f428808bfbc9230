"""Where ``%tito`` runs a command: through the Jupyter server that started this kernel, or right here.

Inside a server with tito's extension, the kernel finds the server deterministically: the extension puts its
URL (base URL included) and token in the environment of the kernels it starts (``TITO_SERVER_URL``,
``TITO_SERVER_TOKEN``). The magic then posts a job and follows it (``GET jobs/{id}?since=N``), so the work runs
exactly as the sidebar's does, one export at a time per project. Without a server (plain IPython, nbclient,
a server without the extension) the engine runs in the kernel, its events fed to the same display.

Both give back the engine's ``Result.to_dict()``; errors of the request (an unknown module) are shaped like
the engine's failed results, so the display does not care which way the work went.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Callable

from ..commands import Command

FINAL_STATES = {"succeeded", "failed", "cancelled", "timed_out"}
ENV_URL, ENV_TOKEN = "TITO_SERVER_URL", "TITO_SERVER_TOKEN"
OnEvent = Callable[[dict], None]


class ServerUnavailable(Exception):
    """The server did not answer (connection refused, timeout)."""


class ServerClient:
    """A small JSON client for this kernel's own Jupyter server (loopback; proxies never apply)."""

    Unavailable = ServerUnavailable

    def __init__(self, url: str, token: str = "", timeout: float = 10.0):
        self.url = url if url.endswith("/") else url + "/"
        self.token = token
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @classmethod
    def from_environment(cls) -> "ServerClient | None":
        url = os.environ.get(ENV_URL)
        return cls(url, os.environ.get(ENV_TOKEN, "")) if url else None

    def call(self, method: str, path: str, body=None) -> tuple[int, object]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read()) or {"message": f"The server answered {exc.code}.", "reason": "http"}
        except (urllib.error.URLError, OSError) as exc:
            raise ServerUnavailable(f"{self.url} did not answer ({getattr(exc, 'reason', exc)})") from None


def _json(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _request_failed(command: Command, status: int, body) -> dict:
    body = body if isinstance(body, dict) else {}
    message = body.get("message") or f"The server refused the request ({status})."
    error = {"kind": body.get("reason") or "http", "message": message, "exit_code": 2 if 400 <= status < 500 else 1}
    error.update({k: body[k] for k in ("suggestion", "choices") if k in body})
    return {"command": command.name, "ok": False, "summary": message, "data": {}, "error": error, "duration": 0.0}


def job_args(kwargs: dict) -> dict:
    """The parsed arguments as the API takes them (unset ones left out)."""
    return {k: v for k, v in kwargs.items() if v is not None and v is not False and v != []}


class LocalRunner:
    """Runs the engine in this kernel."""

    where = "in this kernel"

    def __init__(self, project=None):
        self.project = project

    def run(self, command: Command, kwargs: dict, notebook: str | None, on_event: OnEvent) -> dict:
        from ..engine import Context, EventSink, run

        ctx = Context(project=self.project, events=EventSink(on_event), notebook_path=notebook)
        return run(command, kwargs, ctx).to_dict()


class ServerRunner:
    """Runs a command as a job of this kernel's Jupyter server and follows it until it ends."""

    def __init__(self, client: ServerClient, poll: float = 0.05, max_poll: float = 0.25):
        self.client = client
        self.poll, self.max_poll = poll, max_poll
        self.where = f"on the Jupyter server ({client.url})"

    def available(self) -> bool:
        try:
            status, body = self.client.call("GET", "tito/api/version")
        except ServerUnavailable:
            return False
        return status == 200 and isinstance(body, dict) and body.get("api") == 1

    def run(self, command: Command, kwargs: dict, notebook: str | None, on_event: OnEvent) -> dict:
        body = {"command": command.name, "args": job_args(kwargs), "source": "magic"}
        if notebook:
            body["notebook"] = notebook
        status, job = self.client.call("POST", "tito/api/jobs", body)
        if status != 202 or not isinstance(job, dict):
            return _request_failed(command, status, job)
        try:
            return self._follow(job, on_event)
        except KeyboardInterrupt:  # Kernel > Interrupt: stop the job, not just the waiting
            status, ended = self.client.call("DELETE", f"tito/api/jobs/{job['id']}")
            if status == 200 and isinstance(ended, dict) and ended.get("result"):
                return ended["result"]
            raise

    def _follow(self, job: dict, on_event: OnEvent) -> dict:
        seen, delay = 0, self.poll
        while True:
            for event in job.get("events", []):
                on_event(event)
            seen += len(job.get("events", []))
            if job.get("state") in FINAL_STATES:
                return job["result"]
            time.sleep(delay)
            delay = min(self.max_poll, delay * 1.5)
            status, job = self.client.call("GET", f"tito/api/jobs/{job['id']}?since={seen}")
            if status != 200 or not isinstance(job, dict):
                raise ServerUnavailable(f"the server lost the job ({status})")
