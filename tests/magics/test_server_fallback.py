"""``%tito`` when ``TITO_SERVER_URL`` names a server that cannot serve it: a sentence, then the work runs here.

Real sockets: a listening socket that accepts connections and never answers, an HTTP server that answers 403.
No server ever costs the student more than a moment, and one that did not answer is not asked again.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest
from IPython.utils.capture import capture_output

from tito_jupyter.magics import last_result, runners


def tito(shell, line: str):
    """Run ``%tito line``; return (its result dict, everything it showed)."""
    before = last_result()
    with capture_output() as captured:
        shell.run_line_magic("tito", line)
    shown = captured.stdout + captured.stderr + "".join(out.data.get("text/plain", "") for out in captured.outputs)
    after = last_result()
    return (after if after is not before else None), shown


@pytest.mark.parametrize("url", ["not-a-url", "http://[::1", "http://127.0.0.1:port/", "ftp://127.0.0.1/", "http://"])
def test_a_malformed_server_url_is_a_sentence_and_the_work_runs_here(shell, in_module, monkeypatch, url):
    monkeypatch.setenv("TITO_SERVER_URL", url)
    result, shown = tito(shell, "status")
    assert result is not None and result["ok"], shown
    assert f"TITO_SERVER_URL ({url!r}) is not a server address" in shown
    assert "so tito runs in this kernel" in shown
    assert "Please report this" not in shown and "Traceback" not in shown


@pytest.fixture
def silent_server():
    """A socket that accepts connections (the kernel's backlog does it) and never answers a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    listener.close()


def test_a_server_that_never_answers_costs_a_moment_once_per_session(shell, in_module, monkeypatch, silent_server):
    monkeypatch.setenv("TITO_SERVER_URL", silent_server)

    # As the student sees it: a short wait, a sentence, and the work runs here (the old code waited 10 s per call).
    started = time.monotonic()
    result, shown = tito(shell, "status")
    first = time.monotonic() - started
    assert result["ok"], shown
    assert "did not answer (timed out), so tito runs in this kernel" in shown
    assert first < 4.0, f"%tito status took {first:.1f} s with a server that never answers"

    # The handshake alone, now that the server is known to be silent: no wait at all.
    started = time.monotonic()
    runner, note = runners.connect()
    second = time.monotonic() - started
    assert runner is None and "did not answer earlier in this session" in note and "restart the kernel" in note
    assert second < 0.2, f"the second call waited {second:.1f} s again"

    _, shown = tito(shell, "status")
    assert "did not answer earlier in this session" in shown


def _serving(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _Quiet(http.server.BaseHTTPRequestHandler):
    def answer(self, status: int, body: bytes, content_type: str, **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_server():
    """An HTTP server that answers every request with 403, as Jupyter does for a wrong token."""

    class Refuse(_Quiet):
        def do_GET(self):  # noqa: N802  (http.server's naming)
            self.answer(403, b'{"message": "Forbidden", "reason": null}', "application/json")

    yield from _serving(Refuse)


@pytest.fixture
def login_page_server():
    """A server that sends every API request to a login page, as JupyterHub does without a valid token."""

    class Login(_Quiet):
        def do_GET(self):  # noqa: N802
            if self.path.startswith("/hub/login"):
                self.answer(200, "<html><body>Sign in · Anmelden</body></html>".encode(), "text/html; charset=utf-8")
            else:
                self.answer(302, b"", "text/plain", Location="/hub/login?next=" + self.path)

    yield from _serving(Login)


def test_a_login_page_instead_of_tito_is_said_so(shell, in_module, monkeypatch, login_page_server):
    monkeypatch.setenv("TITO_SERVER_URL", login_page_server)
    result, shown = tito(shell, "status")
    assert result["ok"], shown
    assert "answered with a page that is not tito's API (a login page? check TITO_SERVER_TOKEN)" in shown
    assert "Please report this" not in shown


def test_a_server_that_refuses_is_said_to_refuse_not_to_be_silent(shell, in_module, monkeypatch, refusing_server):
    monkeypatch.setenv("TITO_SERVER_URL", refusing_server)
    monkeypatch.setenv("TITO_SERVER_TOKEN", "wrong")
    result, shown = tito(shell, "status")
    assert result["ok"], shown
    assert f"The Jupyter server at {refusing_server} refused tito's request (403" in shown
    assert "TITO_SERVER_TOKEN" in shown
    assert "did not answer" not in shown
    # A refusal is an answer: the server is asked again next time (the token may be fixed by then).
    assert refusing_server not in runners._silent_servers
