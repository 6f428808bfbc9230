"""`tito module start NN` (and its alias `tito module edit NN`): open a module's notebook where the student works.

The module must be one the course has, and its prerequisites complete (the rule of
:func:`progress.incomplete <tito_jupyter.engine.progress.incomplete>`), unless forced. Then:

- a JupyterLab already serving this course (jupyter_server's own list of running servers) is asked, through the
  tito server extension (``POST tito/api/open``), to open the notebook: the sidebar in every Lab page of that
  server opens it. When no Lab page is open there, the notebook's Lab URL is opened in the browser;
- with none running, a JupyterLab is started on the course (as ``tito dev serve`` does) with the notebook's URL,
  and runs until Ctrl-C.

A terminal command only (``server_job=False`` in the table): from a Lab page the sidebar opens a notebook with a
click, and a server job (or a kernel) must never start another JupyterLab that outlives it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import webbrowser
from pathlib import Path

from ..course import Course, Module
from ..errors import TitoError
from .context import Context
from .progress import ProgressStore, incomplete
from .results import Result

#: Seconds a running server gets to answer the open request (it answers from memory: generous for a slow machine).
OPEN_TIMEOUT = 20.0


class ModuleLocked(TitoError):
    """A module whose prerequisites are not complete: its notebook builds on code the student has not written."""

    kind = "module_locked"
    exit_code = 2  # the request cannot be honoured yet; the hint says what to do first


def refuse_if_locked(course: Course, module: Module, store: ProgressStore) -> None:
    """Raise :class:`ModuleLocked`, naming the modules to complete first, unless ``module`` is ready."""
    missing = incomplete(module.requires, store.read())
    if missing:
        raise ModuleLocked(
            f"Module {module.id} is locked: it builds on {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not complete yet.",
            hint=f"Complete {'it' if len(missing) == 1 else 'them'} first (`tito complete {missing[0]}`), or open "
                 f"it anyway with `tito module start {module.id} --force`.",
            module=module.id, missing_modules=missing,
        )


def running_servers(course_root: Path) -> list[dict]:
    """jupyter_server's running servers whose root folder holds the course, the closest root first.

    Servers on a Unix socket are left out: tito reaches a server over HTTP only.
    """
    from jupyter_server.serverapp import list_running_servers

    found = []
    for info in list_running_servers():
        if info.get("sock") or not info.get("url") or not info.get("root_dir"):
            continue
        root = Path(info["root_dir"]).expanduser().resolve()
        if root == course_root or root in course_root.parents:
            found.append((len(root.parts), info))
    return [info for _, info in sorted(found, key=lambda pair: -pair[0])]


def ask_to_open(info: dict, module: Module) -> dict:
    """``POST tito/api/open`` on a running server: its answer, or ``OSError`` when it cannot be asked."""
    request = urllib.request.Request(
        urllib.parse.urljoin(info["url"], "tito/api/open"), method="POST",
        data=json.dumps({"module": module.id}).encode(),
        headers={"Authorization": f"token {info.get('token', '')}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=OPEN_TIMEOUT) as response:
        return json.loads(response.read())


def lab_url(info: dict, contents_path: str) -> str:
    """The Lab page of a notebook on a running server, with the server's token (as `tito dev serve` prints it)."""
    url = urllib.parse.urljoin(info["url"], "lab/tree/" + urllib.parse.quote(contents_path))
    return f"{url}?token={info['token']}" if info.get("token") else url


def start(ctx: Context, module: str, force: bool = False, no_browser: bool = False, port: int | None = None) -> Result:
    """Open ``module``'s notebook in the student's JupyterLab, or in a new one on the course."""
    course = ctx.course
    mod = course.module(module)
    if not force:
        refuse_if_locked(course, mod, ProgressStore(course))
    notebook = mod.notebook.relative_to(course.root).as_posix()
    tried = []
    for info in running_servers(course.root):
        try:
            answer = ask_to_open(info, mod)
        except (OSError, ValueError) as exc:  # gone, no tito extension, not JSON: try the next one
            tried.append(f"{info['url']} ({getattr(exc, 'code', None) or exc})")
            continue
        url = lab_url(info, answer["path"])
        pages = answer.get("listeners")
        data = {"module": mod.id, "notebook": notebook, "server": info["url"], "url": url, "pages": pages,
                "started_server": False, "browser": False}
        if pages:
            summary = f"Opened {mod.id} in the JupyterLab at {info['url']} ({url})."
        else:  # nothing on that server listens: no Lab page is open, so open one on the notebook
            data["browser"] = not no_browser and webbrowser.open(url)
            summary = (f"No JupyterLab page is open on {info['url']}; "
                       f"{'opened' if data['browser'] else 'open'} {url}")
        ctx.events.log(summary)
        return Result(command="module.start", ok=True, summary=summary, data={**data, "tried": tried})
    if tried:
        ctx.events.log("No running JupyterLab could open it: " + "; ".join(tried) + ". Starting one.",
                       level="warning")
    from .dev import serve_course  # lazy: only when no JupyterLab runs on the course

    return serve_course(ctx, command="module.start", open_path=notebook, port=port,
                        open_browser=not no_browser, data={"module": mod.id, "notebook": notebook, "tried": tried})
