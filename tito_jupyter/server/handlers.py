"""The REST API's handlers: parse the request, call the extension, answer JSON. Nothing else lives here.

Every route is written once, as the path template the OpenAPI document uses (``modules/{module}``); the tornado
pattern is made from it, so the routes and ``openapi.json`` cannot drift apart silently (a test compares them).
Every verb is ``@web.authenticated`` and ``@authorized`` on the resource ``tito``; one base handler turns
every error into ``{message, reason}``.
"""

from __future__ import annotations

import json
import re
from http.client import responses

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .._version import __version__
from ..commands import BUILTIN, rest_actions
from ..course import whole_number
from .errors import ApiError
from . import openapi
from .requests import action_args

API_PREFIX = "tito/api/"
API_VERSION = 1
AUTH_RESOURCE = "tito"
MAX_BODY = 1024 * 1024
#: The longest `since` (a count of events) GET jobs/{job_id} reads; openapi.json declares the same.
MAX_SINCE_DIGITS = 12
#: The longest a GET jobs/{job_id}?wait=S holds its answer for news (openapi.json declares the same).
MAX_WAIT_SECONDS = 30
_VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
OPENAPI_FILE = openapi.OPENAPI_FILE

#: The fields of a REST action's body (POST modules/{module}/{action} and the like), for every action alike.
ACTION_BODY = {"timeout", "notebook", "source"}


class TitoHandler(APIHandler):
    """Base of every tito handler: auth resource, JSON in and out, errors as ``{message, reason}``."""

    auth_resource = AUTH_RESOURCE

    @property
    def tito(self):
        return self.settings["tito_jupyter"]

    def write_json(self, data, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data))

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        if isinstance(exc, ApiError):
            body = exc.to_dict()
        elif isinstance(exc, web.HTTPError):
            phrase = responses.get(status_code, "error")
            body = {"message": exc.log_message or phrase, "reason": phrase.lower().replace(" ", "_")}
        else:  # a bug: the traceback goes to the server's log, never to the client
            body = {"message": "tito hit an internal error in the server; the details are in the server's log.",
                    "reason": "internal"}
        if status_code == 405:  # RFC 9110: a 405 says which methods the resource does have
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    @classmethod
    def allowed_methods(cls) -> list[str]:
        """The HTTP methods this handler answers (those it defines itself, and OPTIONS)."""
        defined = [verb for verb in _VERBS
                   if getattr(cls, verb.lower()) is not getattr(web.RequestHandler, verb.lower())]
        return [*defined, "OPTIONS"]

    def json_body(self, allowed: set[str]) -> dict:
        """The request body as a JSON object with only ``allowed`` keys (no body is ``{}``)."""
        raw = self.request.body or b""
        if len(raw) > MAX_BODY:
            raise ApiError(413, f"The request body has {len(raw)} bytes; tito accepts at most {MAX_BODY}.",
                           "body_too_large")
        if not raw:  # no body at all is {}; whitespace alone is not JSON
            return {}
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise ApiError(400, "The request body is not valid JSON.", "invalid_json") from None
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.", "invalid_body")
        try:  # JSON may spell a lone surrogate ("\ud800"), which is no text: no path, log or reply can hold it
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(400, "The request body holds a lone surrogate escape (such as \\ud800), which is not "
                                "text; send strings of real characters.", "invalid_json") from None
        unknown = sorted(str(k)[:40] for k in set(body) - allowed)
        if unknown:
            raise ApiError(400, f"Unexpected field(s) {', '.join(map(repr, unknown))}; this takes: "
                                f"{', '.join(sorted(allowed))}.", "invalid_body")
        return body

    def accepted(self, job) -> None:
        self.set_header("Location", url_path_join(self.base_url, API_PREFIX, "jobs", job.id))
        self.write_json(job.to_dict(), status=202)

    @web.authenticated
    @authorized
    def options(self, *args, **kwargs) -> None:
        # CORS preflight, authenticated like every other tito verb.
        super().options(*args, **kwargs)


class VersionHandler(TitoHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json({"version": __version__, "api": API_VERSION})


class CourseHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.tito.read("module.list"))


class ModulesHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.tito.read("module.status"))


class ModuleHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def get(self, module: str) -> None:
        self.write_json(await self.tito.read_module(module))


class ActionHandler(TitoHandler):
    """``POST {kind}s/{name}/{action}``: the command of the table whose ``action`` it is, run as a job.

    Which actions there are is the command table's to say (``Command.rest_action``), plugins' included; a
    subclass per resource kind only says which kind its route names.
    """

    kind = ""

    @web.authenticated
    @authorized
    async def post(self, name: str, action: str) -> None:
        command = await self.tito.find_action(self.kind, action)
        body = self.json_body(ACTION_BODY)
        job = await self.tito.submit(command.name, action_args(command, name), notebook=body.get("notebook"),
                                     source=body.get("source", "rest"), timeout=body.get("timeout"))
        self.accepted(job)


class OverviewHandler(TitoHandler):
    """What a sidebar refresh needs, in one answer: ``module.overview`` (one read of the progress) and the jobs."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        overview = await self.tito.read("module.overview")
        self.write_json({**overview, "jobs": [job.to_dict() for job in self.tito.jobs.list()]})


class NotebookHandler(TitoHandler):
    """``GET notebook?path=``: which module a notebook belongs to (the sidebar's "current module")."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        # Read as sent: tornado's get_query_argument would turn control characters into spaces and strip the ends,
        # answering for another path than the one asked about.
        raw = self.request.query_arguments.get("path") or [b""]
        try:
            path = raw[-1].decode("utf-8")
        except UnicodeDecodeError:
            path = ""
        if not path:
            raise ApiError(400, "Say which notebook: `?path=` and its path (UTF-8) as the contents API names it.",
                           "invalid_notebook")
        self.write_json(await self.tito.notebook_module(path))


class OpenHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body({"module"})
        if "module" not in body:
            raise ApiError(400, "Say which module to open: {\"module\": \"02_activations\"}.", "invalid_body")
        self.write_json(await self.tito.open_module(body["module"]))


class CheckpointsHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.tito.read("checkpoint.status"))


class TimelineHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.tito.read("checkpoint.timeline"))


class ClassHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.tito.read_class())


class CommandsHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.tito.commands())


class JobsHandler(TitoHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json({"jobs": [job.to_dict() for job in self.tito.jobs.list()]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body({"command", "args", "notebook", "source"})
        if "command" not in body:
            raise ApiError(400, "Say which command to run: {\"command\": \"module.complete\", \"args\": {...}}.",
                           "invalid_body")
        job = await self.tito.submit(body["command"], body.get("args"), notebook=body.get("notebook"),
                                     source=body.get("source", "rest"))
        self.accepted(job)


class JobHandler(TitoHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        raw = self.get_query_argument("since", "0")
        since = whole_number(raw) if len(raw) <= MAX_SINCE_DIGITS else None
        if since is None:
            raise ApiError(400, f"`since` must be a number of events (0 or more, at most {MAX_SINCE_DIGITS} "
                                "digits 0-9).", "invalid_since")
        raw_wait = self.get_query_argument("wait", "0")
        wait = whole_number(raw_wait) if len(raw_wait) <= 2 else None
        if wait is None or wait > MAX_WAIT_SECONDS:
            raise ApiError(400, f"`wait` must be a whole number of seconds from 0 to {MAX_WAIT_SECONDS}.",
                           "invalid_wait")
        job = self.tito.job(job_id)
        if wait:
            await self.tito.jobs.wait_for_news(job, since, wait)
        self.write_json(job.to_dict(since=since))

    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        job = await self.tito.cancel(job_id)
        self.write_json(job.to_dict())


class OpenAPIHandler(TitoHandler):
    """The document, with the REST actions and the job arguments of every command this server has (plugins')."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        document = await self.tito.openapi_document()
        document["servers"] = [{"url": url_path_join(self.base_url, API_PREFIX.rstrip("/"))}]
        self.write_json(document)


class NotFoundHandler(TitoHandler):
    """Anything else under tito/api/: a JSON 404 (after authentication, like everything else)."""

    def _missing(self, path: str = "") -> None:
        raise ApiError(404, f"There is no tito endpoint {path[:80]!r}; see {API_PREFIX}openapi.json.", "not_found")

    @web.authenticated
    @authorized
    def get(self, path: str) -> None:
        self._missing(path)

    @web.authenticated
    @authorized
    def post(self, path: str) -> None:
        self._missing(path)

    @web.authenticated
    @authorized
    def put(self, path: str) -> None:
        self._missing(path)

    @web.authenticated
    @authorized
    def patch(self, path: str) -> None:
        self._missing(path)

    @web.authenticated
    @authorized
    def delete(self, path: str) -> None:
        self._missing(path)


def action_routes() -> list[tuple[str, type[ActionHandler]]]:
    """``{kind}s/{{kind}}/{action}`` for each kind of resource the built-in commands have REST actions on.

    Plugins' actions on these kinds are served too (the handler looks them up per request); a plugin cannot add a
    kind of resource, which keeps the routes and openapi.json the same on every server.
    """
    return [(f"{kind}s/{{{kind}}}/{{action}}", type(f"{kind.capitalize()}ActionHandler", (ActionHandler,), {"kind": kind}))
            for kind in rest_actions(list(BUILTIN))]


#: Path template (as in openapi.json) -> handler. Order matters only for tornado's first match.
ROUTES: list[tuple[str, type[TitoHandler]]] = [
    ("version", VersionHandler),
    ("course", CourseHandler),
    ("overview", OverviewHandler),
    ("modules", ModulesHandler),
    ("modules/{module}", ModuleHandler),
    *action_routes(),
    ("open", OpenHandler),
    ("notebook", NotebookHandler),
    ("checkpoints", CheckpointsHandler),
    ("checkpoints/timeline", TimelineHandler),
    ("class", ClassHandler),
    ("commands", CommandsHandler),
    ("jobs", JobsHandler),
    ("jobs/{job_id}", JobHandler),
    ("openapi.json", OpenAPIHandler),
]
CATCH_ALL = (API_PREFIX + "(.*)", NotFoundHandler)


def route_pattern(template: str) -> str:
    """The tornado pattern of a path template: each ``{name}`` is one path segment."""
    parts = re.split(r"(\{\w+\})", template)
    return "".join("([^/]+)" if part.startswith("{") else re.escape(part) for part in parts)


def handlers() -> list[tuple[str, type[TitoHandler]]]:
    """Every tito handler, patterns relative to the server's base URL."""
    return [(API_PREFIX + route_pattern(t), h) for t, h in ROUTES] + [CATCH_ALL]
