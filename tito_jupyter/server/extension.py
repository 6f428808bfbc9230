"""The server extension: which course the server serves, quick reads, jobs, live events, and kernels' way back.

``TitoExtension`` is a jupyter_server ExtensionApp (configure it as ``c.TitoExtension.<trait>``). Handlers
call its few methods and nothing else: reads run the engine in a thread (they are cheap, but they touch files
and the event loop must never wait on a disk), actions become :mod:`jobs <tito_jupyter.server.jobs>`. The status
reads (marked ``reads_only_course_and_progress`` in the command table) answer from :mod:`kept answers
<tito_jupyter.engine.kept_answers>` while the course and the progress are unchanged: a stat walk in that thread.

Kernels that this server starts inherit its environment, so once the server listens the extension puts its
own address and credentials there (``TITO_SERVER_URL``, ``TITO_SERVER_TOKEN``); the ``%tito`` magic in those
kernels then works through this server instead of guessing from runtime files.
"""

from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, CaselessStrEnum, Float, Integer, Unicode

from .. import engine
from ..contracts import JobBusEvent, NotebookModule
from ..commands import find
from ..course import Course, course_folder
from ..engine.kept_answers import KeptAnswers
from ..engine.modules import modules_meant
from ..errors import TitoError
from . import catalog, requests
from .errors import ApiError
from .jobs import Job, JobManager, NotStoppable, QueueFull
from .terminal_runs import TerminalRuns

HERE = Path(__file__).parent
JOB_EVENT_SCHEMA_ID = "https://tito-jupyter.org/events/job"
OPEN_EVENT_SCHEMA_ID = "https://tito-jupyter.org/events/open"
#: What kernels read to find this server (see tito_jupyter.magics).
ENV_URL, ENV_TOKEN = "TITO_SERVER_URL", "TITO_SERVER_TOKEN"
#: The page-config key with the server's root folder as an absolute path (JupyterLab's own may start with ~).
PAGE_CONFIG_ROOT = "titoServerRoot"
_WILDCARD_HOSTS = {"", "0.0.0.0", "*", "localhost"}


class TitoExtension(ExtensionApp):
    """tito inside Jupyter: the REST API under ``{base_url}tito/api/`` and the jobs behind it."""

    name = "tito_jupyter"
    description = "tito: build TinyTorch one module at a time."
    load_other_extensions = True

    project = Unicode(
        "", config=True,
        help="The course folder. Default: $TITO_PROJECT, else the server's root folder or the nearest folder "
             "above it that has a modules/ folder (the rule of tito_jupyter.course.course_folder).",
    )
    job_timeout = Float(
        1800.0, config=True,
        help="Seconds a job may run before it is stopped and ends `timed_out` (tests have their own, shorter "
             "timeout inside the engine; this is the backstop).",
    )
    max_running_jobs = Integer(2, config=True, help="Jobs that run at once; the others wait, `queued`.")
    max_kept_jobs = Integer(100, config=True, help="Finished jobs kept for GET jobs (the newest).")
    max_queued_jobs = Integer(
        100, config=True,
        help="Jobs that may wait for their turn; past that, a new job is refused (429) until some have run.",
    )
    terminal_runs_interval = Float(
        0.5, config=True,
        help="Seconds between looks at the course's runs folder, where `tito` runs typed in a terminal announce "
             "themselves; they show as jobs with origin `terminal`.",
    )
    job_niceness = Integer(
        10, config=True,
        help="How much lower the CPU priority of jobs (and of the tests they run) is than the server's (0-19, "
             "Unix `nice`): busy tests then never keep the server from answering.",
    )
    job_idle_scheduling = CaselessStrEnum(
        ("auto", "on", "off"), "auto", config=True,
        help="Also run jobs (and the tests they run) under Linux's idle policy (SCHED_IDLE), so that they get a core "
             "only when the server leaves it free. `auto`: where the kernel weighs sessions apart (autogroups, "
             "with the server in the root cgroup), where niceness alone does nothing between the server and a job "
             "and the idle policy starves no job; `on`: always on Linux (a busy kernel in the server's cgroup then "
             "keeps jobs waiting); `off`: niceness only.",
    )
    read_threads = Integer(4, config=True, help="Threads for reading the course, so the event loop never waits.")
    publish_to_kernels = Bool(
        True, config=True,
        help="Put this server's URL and token in the environment of the kernels it starts, for %tito.",
    )

    # -- setup ---------------------------------------------------------------------------------------

    def initialize_settings(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=max(1, self.read_threads), thread_name_prefix="tito-read")
        self.kept_answers = KeptAnswers()  # the status reads' answers while the course and progress are unchanged
        self.jobs = JobManager(listener=self._on_job_change, max_running=self.max_running_jobs,
                               max_kept=self.max_kept_jobs, max_queued=self.max_queued_jobs, log=self.log,
                               niceness=self.job_niceness,
                               idle_scheduling={"on": True, "off": False}.get(
                                   self.job_idle_scheduling.lower(), None))
        self.terminal_runs = TerminalRuns(self.jobs, self.course_root, self._in_thread,
                                          interval=max(0.05, self.terminal_runs_interval), log=self.log)
        # Started from the event loop once it runs (the server's start hook is not called under every runner).
        self.serverapp.io_loop.add_callback(self.terminal_runs.start)
        for name in ("job-event.schema.json", "open-event.schema.json"):
            schema = json.loads((HERE / name).read_text(encoding="utf-8"))
            self.serverapp.event_logger.register_event_schema(schema)
        self._saved_environ: dict[str, str | None] = {}
        # JupyterLab's `serverRoot` writes a root inside the home folder as "~/...", which the sidebar cannot
        # match with the course's absolute root: under JupyterHub (the course in the student's home) it took the
        # course for outside the server and could not open its notebooks. The sidebar reads this one first.
        page_config = self.serverapp.web_app.settings.setdefault("page_config_data", {})
        page_config[PAGE_CONFIG_ROOT] = str(self.root_dir())

    def initialize_handlers(self) -> None:
        from .handlers import handlers

        self.handlers.extend(handlers())

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        # The port is only certain once the server listens, and kernels only start after this point.
        if self.publish_to_kernels:
            self.publish_for_kernels()
        try:
            self.log.info("tito | serving the course in %s under %stito/api/", self.course_root(), serverapp.base_url)
        except TitoError as exc:
            self.log.warning("tito | %s", exc.message)

    async def stop_extension(self) -> None:
        await self.terminal_runs.stop()
        await self.jobs.shutdown()
        for key, value in self._saved_environ.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environ.clear()
        self.executor.shutdown(wait=False)

    # -- how kernels reach this server ---------------------------------------------------------------

    def kernel_url(self) -> str | None:
        """This server's address as a kernel on the same machine reaches it (base URL included)."""
        app = self.serverapp
        if app.sock:  # a Unix socket: the magic falls back to running the engine in the kernel
            return None
        ip = app.ip or ""
        host = "127.0.0.1" if ip in _WILDCARD_HOSTS else "[::1]" if ip == "::" else f"[{ip}]" if ":" in ip else ip
        scheme = "https" if app.certfile else "http"
        return f"{scheme}://{host}:{app.port}{app.base_url}"

    def publish_for_kernels(self) -> None:
        url = self.kernel_url()
        if not url:
            return
        # The server's own token works for its API; under JupyterHub the server's hub token does.
        token = self.serverapp.identity_provider.token or os.environ.get("JUPYTERHUB_API_TOKEN", "")
        for key, value in ((ENV_URL, url), (ENV_TOKEN, token)):
            self._saved_environ.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    # -- the course ----------------------------------------------------------------------------------

    def root_dir(self) -> Path:
        return Path(self.serverapp.root_dir).expanduser().resolve()

    def course_root(self) -> Path:
        """The course this server serves; raises ProjectNotFound (a 404) when there is none."""
        return course_folder(self.project or None, here=self.root_dir())

    async def _in_thread(self, func, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)

    def _read_now(self, command: str, args: dict | None, resolve: tuple[str, object] | None) -> dict:
        try:
            root = self.course_root()
            if resolve:
                kind, raw = resolve
                args = {**(args or {}), f"{kind}s": [requests.resolve_name(Course.load(root), kind, raw)]}
        except TitoError as exc:
            raise ApiError.from_tito_error(exc) from None

        def compute() -> dict:
            result = engine.run(command, args, engine.Context(project=root))
            if not result.ok:
                raise ApiError.from_error_dict(result.error or {"message": result.summary})
            return result.data

        if find(command).reads_only_course_and_progress:
            return self.kept_answers.answer(root, command, args, compute)
        return compute()

    async def read(self, command: str, args: dict | None = None) -> dict:
        """The ``data`` of a quick read command (module.list, module.status, checkpoint.status, ...)."""
        return await self._in_thread(self._read_now, command, args, None)

    def _class_now(self) -> dict:
        from ..engine.instructor.class_view import instructor_role

        try:
            root = self.course_root()
        except TitoError as exc:
            raise ApiError.from_tito_error(exc) from None
        role = instructor_role(root)
        if not role["instructor"]:
            return {**role, "class": None, "message": None}  # a student's server never opens a gradebook
        result = engine.run("class.status", {}, engine.Context(project=root))
        return {**role, "class": result.data if result.ok else None, "message": None if result.ok else result.summary}

    async def read_class(self) -> dict:
        """The instructor's class view: ``class.status`` for an instructor, nothing for anyone else."""
        return await self._in_thread(self._class_now)

    async def read_module(self, name: str) -> dict:
        """One row of module.status, for a module named any way the registry accepts."""
        data = await self._in_thread(self._read_now, "module.status", None, ("module", name))
        return data["modules"][0]

    async def commands(self) -> dict:
        """Every command of the table, plugins included (loading a plugin imports it: off the event loop)."""
        return await self._in_thread(catalog.list_commands)

    async def openapi_document(self) -> dict:
        """openapi.json as this server serves it: made from every command it has, plugins' included (a copy)."""
        from ..commands import all_commands
        from .openapi import served_document

        return await self._in_thread(lambda: served_document(all_commands()))

    def _open_now(self, name: str) -> dict:
        try:
            course = Course.load(self.course_root())
            module = course.module(requests.resolve_name(course, "module", name))
        except TitoError as exc:
            raise ApiError.from_tito_error(exc) from None
        try:
            path = module.notebook.relative_to(self.root_dir()).as_posix()
        except ValueError:  # $TITO_PROJECT names a course outside this server's folder: no Lab page can open it
            raise ApiError(409, f"{module.id}'s notebook is outside this server's root folder ({self.root_dir()}), "
                                "so JupyterLab cannot open it from here; start JupyterLab on the course folder "
                                "(`tito dev serve`).", "outside_server_root") from None
        return {"module": module.id, "path": path}

    def _notebook_now(self, path: str) -> NotebookModule:
        try:
            course = Course.load(self.course_root())
        except TitoError as exc:
            raise ApiError.from_tito_error(exc) from None
        notebook = requests.check_notebook(path, self.root_dir(), course.root)
        modules = modules_meant(course, "module", {}, notebook) if notebook else []
        return {"notebook": notebook, "module": modules[0] if modules else None}

    async def notebook_module(self, path: str) -> NotebookModule:
        """The module a notebook (a contents path, as JupyterLab names it) belongs to, by the rule a job from that
        notebook follows (:func:`~tito_jupyter.engine.modules.modules_meant`)."""
        return await self._in_thread(self._notebook_now, path)

    async def open_module(self, name: str) -> dict:
        """Ask every Lab page of this server to open a module's notebook: an event on the event bus, which the
        sidebar listens to. The answer says how many pages listen (0: none is open; None: unknown)."""
        answer = await self._in_thread(self._open_now, name)
        self.serverapp.event_logger.emit(schema_id=OPEN_EVENT_SCHEMA_ID, data=answer)
        return {**answer, "listeners": self._listeners(OPEN_EVENT_SCHEMA_ID)}

    def _listeners(self, schema_id: str) -> int | None:
        # jupyter_events keeps its listeners (one per open events websocket: a Lab page) in a private mapping
        # and offers no count; if that ever changes, the answer is "unknown", never a guess.
        listeners = getattr(self.serverapp.event_logger, "_modified_listeners", None)
        try:
            return len(listeners[schema_id])
        except (TypeError, KeyError):
            return None

    # -- jobs ----------------------------------------------------------------------------------------

    def _prepare_job(self, command_name, args, notebook, source, timeout) -> Job:
        command = requests.find_command(command_name)
        if timeout is not None:  # checked even where it is not used (export, validate): a bad value is a 400
            timeout = requests.check_timeout(timeout, f"{command.name}: argument 'timeout'")
        if timeout is not None and any(a.name == "timeout" for a in command.args):
            args = {**(args or {}), "timeout": timeout}
        try:
            root = self.course_root()
            course = Course.load(root)
        except TitoError as exc:
            raise ApiError.from_tito_error(exc) from None
        request = requests.job_request(course, self.root_dir(), command, args, notebook, source)
        limit = self.job_timeout
        if request.args.get("timeout"):
            limit = max(limit, float(request.args["timeout"]) + 60.0)
        return Job(command=command.name, args=request.args, project=root, notebook=request.notebook,
                   modules=modules_meant(course, command.acts_on, request.args, request.notebook),
                   source=request.source, timeout=limit)

    async def submit(self, command: str, args=None, notebook=None, source=None, timeout=None) -> Job:
        """Check the request against the command table and the course, then queue the job."""
        job = await self._in_thread(self._prepare_job, command, args, notebook, source, timeout)
        try:
            return self.jobs.submit(job)
        except QueueFull as exc:
            raise ApiError(429, str(exc), "too_many_jobs") from None

    async def find_action(self, kind: str, word: str):
        """The command a REST action runs (``POST modules/{module}/{word}``): the table's, plugins' included."""
        return await self._in_thread(requests.find_action, kind, word)

    def job(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"There is no job {job_id[:40]!r} (the server keeps the newest "
                                f"{self.max_kept_jobs} jobs until it restarts).", "unknown_job")
        return job

    async def cancel(self, job_id: str) -> Job:
        self.job(job_id)
        try:
            return await self.jobs.cancel(job_id)
        except NotStoppable as exc:
            raise ApiError(409, str(exc), "not_stoppable") from None

    def _on_job_change(self, job: Job, event: dict | None) -> None:
        data: JobBusEvent = {"job_id": job.id, "command": job.command, "state": job.state,
                             "event": json.dumps(event) if event is not None else ""}
        self.serverapp.event_logger.emit(schema_id=JOB_EVENT_SCHEMA_ID, data=data)
