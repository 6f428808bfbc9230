"""Developer operations: watch (re-export on save), serve (JupyterLab on the course), profile."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sys
import tempfile
import time
import urllib.parse
import webbrowser
from pathlib import Path

from .. import platform
from ..commands import find
from . import export as export_mod
from . import files
from . import processes
from . import run as run_command
from .context import Context
from .modules import select_modules
from .results import Result

#: Seconds JupyterLab gets to shut its kernels down after SIGTERM before it is killed.
LAB_STOP_GRACE = 10.0


def watch(ctx: Context, modules: list[str] | None = None, all_: bool = False, interval: float = 0.5,
          duration: float | None = None) -> Result:
    """Poll the notebooks' modification times and export a module when its notebook is saved.

    Polling (not inotify) works the same on laptops, Binder and network file systems.
    """
    course = ctx.course
    chosen = select_modules(course, modules, all_ or not modules, None)
    seen = {m.id: _mtime(m.notebook) for m in chosen}
    exports = []
    started = time.monotonic()
    ctx.events.log(f"Watching {len(chosen)} notebook(s); press Ctrl-C to stop.")
    try:
        while duration is None or time.monotonic() - started < duration:
            time.sleep(interval)
            for module in chosen:
                now = _mtime(module.notebook)
                if now != seen[module.id]:
                    seen[module.id] = now
                    result = export_mod.export_modules(course, [module], ctx.events)
                    exports.append({"module": module.id, "ok": result.ok, "summary": result.summary,
                                    "at": time.time()})
                    ctx.events.log(result.summary, level="info" if result.ok else "error")
    except KeyboardInterrupt:
        pass
    failed = sum(1 for e in exports if not e["ok"])
    return Result(command="dev.watch", ok=failed == 0,
                  summary=f"Watched for {time.monotonic() - started:.0f} s: {len(exports)} export(s), {failed} failed.",
                  data={"exports": exports})


def _mtime(path) -> float | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def free_port(preferred: int = 8888, host: str = "127.0.0.1") -> int:
    """``preferred`` if it is free, else the next free port after it (the caller says which it got)."""
    for port in range(preferred, preferred + 50):
        with socket.socket() as s:
            try:
                s.bind((host, port))
                return port
            except OSError:
                continue
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def lab_command(root, port: int, ip: str, token: str) -> list[str]:
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}", f"--ServerApp.port={port}",
           f"--ServerApp.ip={ip}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
           "--ServerApp.open_browser=False"]
    if platform.is_root():
        cmd.append("--allow-root")
    return cmd


#: What nbgrader turns on when it is installed (pip enables them for the whole environment). A student's
#: JupyterLab has none of them: no Nbgrader menu, no "Create Assignment" panel, no Validate button, no warnings.
NBGRADER_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",
                              "nbgrader.server_extensions.validate_assignment",
                              "nbgrader.server_extensions.assignment_list",
                              "nbgrader.server_extensions.course_list")
NBGRADER_LAB_EXTENSION = "@jupyter/nbgrader"


def write_student_config(folder: Path) -> None:
    """Jupyter configuration that switches nbgrader's server and lab extensions off, for a config dir put first
    on ``JUPYTER_CONFIG_PATH``: the first config dir wins over the environment's, which pip's install left on."""
    off = {name: False for name in NBGRADER_SERVER_EXTENSIONS}
    (folder / "jupyter_server_config.d").mkdir(parents=True, exist_ok=True)
    files.atomic_write_text(folder / "jupyter_server_config.d" / "tito_student.json",
                            json.dumps({"ServerApp": {"jpserver_extensions": off}}))
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    files.atomic_write_text(folder / "labconfig" / "page_config.json",
                            json.dumps({"disabledExtensions": {NBGRADER_LAB_EXTENSION: True}}))


def serve(ctx: Context, port: int | None = None, ip: str | None = None, open_browser: bool = False,
          instructor: bool = False) -> Result:
    """Start JupyterLab on the course, wait until it answers, print its URL with the token, keep it running.

    A student's JupyterLab (the default) has nbgrader's extensions off even where nbgrader is installed;
    ``instructor`` leaves them as the environment has them.
    """
    course = ctx.course
    first = course.modules[0].notebook.relative_to(course.root).as_posix() if course.modules else ""
    return serve_course(ctx, command="dev.serve", open_path=first, port=port, ip=ip, open_browser=open_browser,
                        instructor=instructor)


def serve_course(ctx: Context, command: str, open_path: str, port: int | None = None, ip: str | None = None,
                 open_browser: bool = False, instructor: bool = False, data: dict | None = None) -> Result:
    """JupyterLab on the course until Ctrl-C, its URL (with the token) on the notebook ``open_path`` (relative to
    the course); ``open_browser`` opens that URL once it answers. ``command`` and ``data`` go into the Result."""
    course = ctx.course
    ip = ip or "127.0.0.1"
    requested = port or 8888
    port = free_port(requested, ip)
    busy = None
    if port != requested:  # never silently: a bookmark or an SSH tunnel to the asked port would reach nothing
        busy = f"Port {requested} is busy; JupyterLab is on {port}."
        ctx.events.log(busy, level="warning")
    token = os.environ.get("TITO_TOKEN") or secrets.token_hex(24)
    host = "127.0.0.1" if ip in ("0.0.0.0", "::") else ip
    url = f"http://{host}:{port}/lab/tree/{urllib.parse.quote(open_path)}?token={token}"
    with tempfile.TemporaryDirectory(prefix="tito-jupyter-config-") as config:
        env = None
        if not instructor:
            write_student_config(Path(config))
            env = {**os.environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(
                p for p in (config, os.environ.get("JUPYTER_CONFIG_PATH", "")) if p)}
        # JupyterLab's log goes to our terminal; Ctrl-C reaches us only (it runs in a session of its own), and
        # we stop it with SIGTERM so that it shuts its kernels down first. The browser is opened by us, on the
        # notebook's URL (JupyterLab's own would open its home page).
        proc = processes.start(lab_command(course.root, port, ip, token), cwd=course.root, env=env)
        try:
            return _serve_until_stopped(ctx, proc, url, host, port, token, requested, busy, command=command,
                                        open_browser=open_browser, data=data or {})
        finally:
            processes.stop(proc, ask=signal.SIGTERM, grace=LAB_STOP_GRACE)


def _serve_until_stopped(ctx: Context, proc, url: str, host: str, port: int, token: str, requested: int,
                         busy: str | None, command: str, open_browser: bool, data: dict) -> Result:
    import http.client
    import urllib.request

    deadline = time.monotonic() + 90
    ready = False
    while time.monotonic() < deadline and not processes.exited(proc):
        try:
            urllib.request.urlopen(f"http://{host}:{port}/api/status?token={token}", timeout=2).read()
            ready = True
            break
        except (OSError, http.client.HTTPException):  # not up yet, or not HTTP yet (a self-connected socket)
            time.sleep(0.3)
    if not ready:
        return Result(command=command, ok=False,
                      summary=" ".join(filter(None, [busy, "JupyterLab did not start; see its output above."])),
                      data={**data, "port": port, "requested_port": requested},
                      error={"kind": "serve_failed", "message": "JupyterLab did not start"})
    try:  # from the moment the URL is out, Ctrl-C (or SIGTERM, SIGHUP) is how a person ends `tito dev serve`
        ctx.events.emit("serving", url=url, port=port, token=token, requested_port=requested, note=busy)
        if open_browser:
            webbrowser.open(url)
        processes.exited(proc, wait=float("inf"))
    except KeyboardInterrupt:
        pass
    code = processes.stop(proc, ask=signal.SIGTERM, grace=LAB_STOP_GRACE)
    return Result(command=command, ok=platform.stopped_as_asked(code),
                  summary=" ".join(filter(None, [busy, f"JupyterLab stopped (exit code {code})."])),
                  data={**data, "url": url, "port": port, "requested_port": requested, "exit_code": code,
                        "started_server": True})


def profile(ctx: Context, operation: str, module: str, top: int = 15) -> Result:
    """Run an operation under cProfile and report the functions where the time went."""
    import cProfile
    import pstats

    course = ctx.course
    mod = course.module(module)
    command = find(("module", operation)).name  # the table's module command of that word (its Arg's choices)
    args = {"modules": [mod.id]}
    if operation == "export":
        args["force"] = True
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    inner = run_command(command, args, ctx)
    profiler.disable()
    wall = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"function": f"{func} ({os.path.basename(filename)}:{line})", "calls": nc,
                     "own_seconds": round(tt, 4), "cumulative_seconds": round(ct, 4)})
    rows.sort(key=lambda r: r["cumulative_seconds"], reverse=True)
    tests = []
    for report in inner.data.get("modules", []) if isinstance(inner.data, dict) else []:
        for step in report.get("steps", [report]):
            tests.extend(step.get("tests") or [])
    slowest = sorted(tests, key=lambda t: t.get("duration", 0), reverse=True)[:top]
    return Result(command="dev.profile", ok=inner.ok,
                  summary=f"{operation} {mod.id} took {wall:.2f} s ({inner.summary})",
                  data={"operation": operation, "module": mod.id, "seconds": round(wall, 4),
                        "functions": rows[: top or 15], "slowest_tests": slowest, "result": inner.to_dict()})
