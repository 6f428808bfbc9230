"""Where ``%tito`` runs a command: through the Jupyter server that started this kernel, or right here.

Inside a server with tito's extension, the kernel finds the server deterministically: the extension puts its
URL (base URL included) and token in the environment of the kernels it starts (``TITO_SERVER_URL``,
``TITO_SERVER_TOKEN``). The magic then posts a job and follows it (``GET jobs/{id}?since=N``), so the work runs
exactly as the sidebar's does, one export at a time per project. Without a server (plain IPython, nbclient,
a server without the extension) the engine runs in the kernel, its events fed to the same display.

Both give back the engine's ``Result.to_dict()``; errors of the request (an unknown module) are shaped like
the engine's failed results, so the display does not care which way the work went.

A server that cannot serve tito never costs the student more than a moment: a malformed ``TITO_SERVER_URL`` is
not tried at all, the first request waits at most ``PROBE_SECONDS``, and a server that did not answer is
remembered for the rest of the kernel's session (every later ``%tito`` runs here at once).
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable

from ..commands import Command

FINAL_STATES = {"succeeded", "failed", "cancelled", "timed_out"}
ENV_URL, ENV_TOKEN = "TITO_SERVER_URL", "TITO_SERVER_TOKEN"
OnEvent = Callable[[dict], None]

#: How long connecting to the server may take (it is this machine's, or one next to it: quick or never).
CONNECT_SECONDS = 1.0
#: How long the first request of a ``%tito`` (the version handshake) waits for an answer.
PROBE_SECONDS = 1.5
#: How long any later request waits for an answer (the server has just answered the handshake).
READ_SECONDS = 10.0
#: How long the server may hold a request for a job's news (less than READ_SECONDS: it answers in time).
LONG_POLL_SECONDS = 5

#: Servers that did not answer in this kernel's session: their URL and why, so no later call waits again.
_silent_servers: dict[str, str] = {}


class ServerUnavailable(Exception):
    """The server did not answer (connection refused, timeout); ``reason`` says which."""

    def __init__(self, url: str, reason: object):
        super().__init__(f"{url} did not answer ({reason})")
        self.reason = str(reason)


class _QuickConnect:
    """An HTTP(S) connection that gives connecting ``CONNECT_SECONDS`` at most, then reads with its own timeout."""

    def connect(self):
        read_timeout, self.timeout = self.timeout, min(self.timeout, CONNECT_SECONDS)
        try:
            super().connect()
        finally:
            self.timeout = read_timeout
        self.sock.settimeout(read_timeout)


class _HTTPConnection(_QuickConnect, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_QuickConnect, http.client.HTTPSConnection):
    pass


class _QuickHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _QuickHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a Jupyter server's address, or None when it can."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError as exc:
        return f"it is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it is not an http:// or https:// address with a host"
    return None


class ServerClient:
    """A small JSON client for this kernel's own Jupyter server (loopback; proxies never apply)."""

    Unavailable = ServerUnavailable

    def __init__(self, url: str, token: str = "", timeout: float = READ_SECONDS):
        self.url = url if url.endswith("/") else url + "/"
        self.token = token
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _QuickHTTPHandler(),
                                                   _QuickHTTPSHandler())

    def call(self, method: str, path: str, body=None, timeout: float | None = None) -> tuple[int, object]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        try:
            request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
            with self._opener.open(request, timeout=self.timeout if timeout is None else timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read()) or {"message": f"The server answered {exc.code}.", "reason": "http"}
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            raise ServerUnavailable(self.url, getattr(exc, "reason", exc)) from None


def connect() -> tuple["ServerRunner | None", str | None]:
    """The runner for the server named in this kernel's environment, and a note when there is one but tito runs
    here instead (it is malformed, it refused, it did not answer now or earlier in this session)."""
    url = os.environ.get(ENV_URL)
    if not url:
        return None, None
    problem = url_problem(url)
    if problem:
        return None, f"{ENV_URL} ({url!r}) is not a server address ({problem}), so tito runs in this kernel."
    client = ServerClient(url, os.environ.get(ENV_TOKEN, ""))
    if client.url in _silent_servers:
        return None, (f"The Jupyter server at {client.url} did not answer earlier in this session "
                      f"({_silent_servers[client.url]}), so tito runs in this kernel without asking it again "
                      "(restart the kernel to try the server again).")
    runner = ServerRunner(client)
    problem = runner.problem()
    if problem is None:
        return runner, None
    return None, f"The Jupyter server at {client.url} {problem}, so tito runs in this kernel."


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

    def __init__(self, project=None, here=None):
        self.project = project
        self.here = here

    def run(self, command: Command, kwargs: dict, notebook: str | None, on_event: OnEvent) -> dict:
        from ..engine import Context, EventSink, run

        ctx = Context(project=self.project, here=self.here, events=EventSink(on_event), notebook_path=notebook)
        return run(command, kwargs, ctx).to_dict()


class ServerRunner:
    """Runs a command as a job of this kernel's Jupyter server and follows it until it ends."""

    def __init__(self, client: ServerClient, poll: float = 0.05, max_poll: float = 0.25):
        self.client = client
        self.poll, self.max_poll = poll, max_poll
        self.where = f"on the Jupyter server ({client.url})"

    def problem(self) -> str | None:
        """None when the server serves tito's API, else what it did instead ("did not answer (timed out)").

        The handshake waits ``PROBE_SECONDS`` at most; a server that did not answer is remembered for the session.
        """
        try:
            status, body = self.client.call("GET", "tito/api/version", timeout=PROBE_SECONDS)
        except ServerUnavailable as exc:
            _silent_servers[self.client.url] = exc.reason
            return f"did not answer ({exc.reason})"
        if status == 200 and isinstance(body, dict) and body.get("api") == 1:
            return None
        if status in (401, 403):
            return f"refused tito's request ({status}: {ENV_TOKEN} does not let this kernel in)"
        if status == 404:
            return "has no tito server extension (404 for tito/api/version)"
        if status == 200 and not isinstance(body, dict):
            return f"answered with a page that is not tito's API (a login page? check {ENV_TOKEN})"
        if status == 200:
            return "speaks another version of tito's API"
        return f"answered tito's handshake with {status}"

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
        """Follow the job by long polls: the server answers as soon as there is news (an event, the end), so the
        result shows the moment the job ends. A server that answers at once with nothing new (one that does not
        know ``wait``) is asked again after a pause that grows, as before long polls."""
        seen, delay = 0, self.poll
        while True:
            for event in job.get("events", []):
                on_event(event)
            seen += len(job.get("events", []))
            if job.get("state") in FINAL_STATES:
                return job["result"]
            asked = time.monotonic()
            status, job = self.client.call("GET", f"tito/api/jobs/{job['id']}?since={seen}&wait={LONG_POLL_SECONDS}")
            if status != 200 or not isinstance(job, dict):
                raise ServerUnavailable(f"the server lost the job ({status})")
            if not job.get("events") and job.get("state") not in FINAL_STATES and \
                    time.monotonic() - asked < LONG_POLL_SECONDS / 2:
                time.sleep(delay)
                delay = min(self.max_poll, delay * 1.5)
