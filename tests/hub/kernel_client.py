"""Running cells in a user's kernel through the Hub, as the notebook page does: a session through the
Hub-proxied REST API, then execute requests over the kernel's websocket, authenticated with the user's token."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

import websocket

from hub_server import Hub, HubUser


@dataclass
class Kernel:
    hub: Hub
    user: HubUser
    kernel_id: str
    session_id: str
    ws: websocket.WebSocket

    def run(self, code: str, timeout: float = 600) -> tuple[str, dict | None]:
        """Run ``code`` as a cell; return (everything it showed, as text; the error if the cell raised)."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user.name, "session": self.session_id,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        shown, error = [], None
        deadline = time.monotonic() + timeout
        self.ws.settimeout(5)
        while time.monotonic() < deadline:
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if message.get("parent_header", {}).get("msg_id") != msg_id or message.get("channel") != "iopub":
                continue
            kind, content = message["header"]["msg_type"], message["content"]
            if kind == "stream":
                shown.append(content["text"])
            elif kind in ("display_data", "execute_result", "update_display_data"):
                shown.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                error = content
                shown.append("\n".join(content.get("traceback", [])))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(shown), error
        raise TimeoutError(f"the cell did not finish within {timeout} s in {self.user.name}'s kernel:\n{code}")

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.hub.as_user(self.user, "DELETE", self.user, f"api/sessions/{self.session_id}")


def open_notebook_kernel(hub: Hub, user: HubUser, notebook: str, wait: float = 180) -> Kernel:
    """A kernel for ``notebook`` in the user's server (a session, as JupyterLab makes when it opens one)."""
    response = hub.as_user(user, "POST", user, "api/sessions",
                           json={"path": notebook, "name": notebook.rsplit("/", 1)[-1], "type": "notebook",
                                 "kernel": {"name": "python3"}})
    if response.status_code != 201:
        raise RuntimeError(f"{user.name}'s server would not start a kernel: {response.status_code} {response.text}")
    session = response.json()
    kernel_id = session["kernel"]["id"]
    ws_url = hub.user_url(user, f"api/kernels/{kernel_id}/channels?session_id={session['id']}")
    ws = websocket.create_connection(ws_url.replace("http://", "ws://", 1), timeout=wait,
                                     header=[f"Authorization: token {user.token}"])
    kernel = Kernel(hub=hub, user=user, kernel_id=kernel_id, session_id=session["id"], ws=ws)
    # The first request is answered once the kernel is up (a loaded machine may take a while).
    kernel.run("pass", timeout=wait)
    return kernel


SHELL_CELL = '''import json as _json, subprocess as _subprocess
_done = _subprocess.run({args!r}, cwd={cwd!r}, capture_output=True, text=True, timeout={timeout!r})
print("TITO-SHELL " + _json.dumps({{"rc": _done.returncode, "stdout": _done.stdout, "stderr": _done.stderr}}))
'''


def shell(kernel: Kernel, args: list[str], cwd: str | None = None, timeout: float = 600) -> dict:
    """Run a command from the user's kernel (as ``!command`` in a cell, or a Hub terminal, would); return its exit
    code and output."""
    shown, error = kernel.run(SHELL_CELL.format(args=args, cwd=cwd, timeout=timeout), timeout=timeout + 60)
    if error is not None:
        raise RuntimeError(f"the cell failed in {kernel.user.name}'s kernel:\n{shown}")
    try:
        line = next(line for line in shown.splitlines() if line.startswith("TITO-SHELL "))
        return json.loads(line.removeprefix("TITO-SHELL "))
    except (StopIteration, ValueError):
        raise RuntimeError(f"{' '.join(args)} in {kernel.user.name}'s kernel showed no result line:\n{shown!r}")
