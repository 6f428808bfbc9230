"""Which notebook is this cell running in? And what does its saved copy say?

Asked in this order, the first answer wins (``how`` says which one it was):

1. ``%tito --notebook PATH`` — the student said so;
2. the Jupyter server that started this kernel: its session whose kernel id is ours (``GET api/sessions``) —
   current even after the notebook was renamed;
3. ``JPY_SESSION_NAME``, which jupyter_server puts in the environment of kernels it starts for a notebook
   (an absolute path when the frontend sends the file name, as JupyterLab does; else the session path);
4. ``__vsc_ipynb_file__``, which VS Code sets in the namespace;
5. the only notebook in the kernel's working folder (kernels start in their notebook's folder; a module
   folder holds one notebook).

When none answers, ``why_unknown`` says so in a sentence.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class NotebookRef:
    server_path: str | None = None  # relative to the server's root folder (the contents API's path)
    local_path: Path | None = None  # absolute, on this machine
    how: str = ""
    why_unknown: str | None = None

    @property
    def known(self) -> bool:
        return self.server_path is not None or self.local_path is not None

    @property
    def for_server(self) -> str | None:
        return self.server_path if self.server_path is not None else (str(self.local_path) if self.local_path else None)

    def __str__(self) -> str:
        return self.server_path or (str(self.local_path) if self.local_path else "(unknown notebook)")


def kernel_id() -> str | None:
    """This kernel's id, from its connection file name (``kernel-<id>.json``), if it runs under ipykernel."""
    try:
        from ipykernel.connect import get_connection_file

        name = Path(get_connection_file()).name
    except Exception:
        return None
    if name.startswith("kernel-") and name.endswith(".json"):
        return name[len("kernel-"):-len(".json")]
    return None


def find_notebook(shell, client=None, explicit: str | None = None) -> NotebookRef:
    """The notebook this kernel runs, asking the sources above in order."""
    if explicit:
        path = Path(explicit).expanduser()
        return NotebookRef(local_path=path.resolve() if path.is_absolute() or path.exists() else None,
                           server_path=None if path.is_absolute() else explicit, how="--notebook")
    if client is not None:
        kid = kernel_id()
        if kid:
            try:
                status, sessions = client.call("GET", "api/sessions")
            except client.Unavailable:
                status, sessions = 0, None
            if status == 200 and isinstance(sessions, list):
                for session in sessions:
                    if (session.get("kernel") or {}).get("id") == kid and session.get("path"):
                        return NotebookRef(server_path=session["path"], how="the server's session for this kernel")
    session_name = os.environ.get("JPY_SESSION_NAME")
    if session_name:
        path = Path(session_name)
        if path.is_absolute():
            return NotebookRef(local_path=path, how="JPY_SESSION_NAME")
        here = Path.cwd() / path.name
        return NotebookRef(server_path=session_name, local_path=here if here.is_file() else None,
                           how="JPY_SESSION_NAME")
    vscode = (getattr(shell, "user_ns", None) or {}).get("__vsc_ipynb_file__")
    if isinstance(vscode, str) and vscode:
        return NotebookRef(local_path=Path(vscode), how="VS Code")
    here = sorted(p for p in Path.cwd().glob("*.ipynb") if not p.name.startswith("."))
    if len(here) == 1:
        return NotebookRef(local_path=here[0].resolve(), how="the only notebook in the kernel's folder")
    reason = ("this kernel was not started by a Jupyter server for a notebook (no JPY_SESSION_NAME), and its folder "
              f"{Path.cwd()} holds {len(here) or 'no'} notebook{'s' if len(here) != 1 else ''}")
    return NotebookRef(why_unknown=reason)


def parse_time(text: object) -> float | None:
    """A Jupyter contents model's ``last_modified`` (ISO 8601, ``Z`` for UTC) as seconds since the epoch."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


#: How long a notebook caught in the middle of a save (its text cut short) is read again before giving up.
PARTIAL_READ_SECONDS = 2.0


def read_saved(ref: NotebookRef, client=None) -> tuple[dict, float | None] | None:
    """The saved notebook's JSON and when it was saved, from the server's contents API or the file itself.

    The server is asked for the file's text (``type=file``), never for a notebook: Jupyter saves a notebook in
    place, and a notebook read (``type=notebook``) that lands mid-save finds it cut short and "recovers" it,
    moving it aside as ``.invalid`` and putting the copy the save made back; when the save ends in between, the
    copy is gone and the student's notebook with it (only the ``.invalid`` file is left: seen in a test that runs
    ``%tito complete`` straight after a cell, while the magic waited for Lab's save). Text cut short is read
    again (a save takes milliseconds) for up to :data:`PARTIAL_READ_SECONDS`.
    """
    if client is not None and ref.server_path is not None:
        from urllib.parse import quote

        deadline = time.monotonic() + PARTIAL_READ_SECONDS
        while True:
            try:
                status, model = client.call("GET", "api/contents/" + quote(ref.server_path)
                                            + "?content=1&type=file&format=text")
            except client.Unavailable:
                status, model = 0, None
            if status != 200 or not isinstance(model, dict) or not isinstance(model.get("content"), str):
                break
            try:
                content = json.loads(model["content"])
            except ValueError:  # cut short by a save under way: read it again
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.05)
                continue
            if isinstance(content, dict):
                return content, parse_time(model.get("last_modified"))
            break
    if ref.local_path is not None:
        try:
            return json.loads(ref.local_path.read_text(encoding="utf-8")), ref.local_path.stat().st_mtime
        except (OSError, ValueError):
            return None
    return None
