"""openapi.json and job-event.schema.json: the parts the command table and the typed contracts decide, written.

Both documents are committed files: people read them, schemathesis fuzzes the server with openapi.json and the
sidebar's TypeScript types are generated from it. Their prose (summaries, error responses, what a field means)
is written by hand in the files; what would drift if it were written twice is made here and put in its place:

- each REST action route (``POST modules/{module}/{action}``, ...) with its words, from the commands whose
  ``rest_action`` is on (:func:`tito_jupyter.commands.rest_actions`);
- ``CommandArgs``: every server job's ``args`` object as ``POST jobs`` takes it, from its :class:`Arg` list;
- the response schemas of :data:`tito_jupyter.contracts.COMPONENTS` (Job, Result, Event, Command, ...) and the
  bus event's schema, from the TypedDicts (the descriptions already in the file are kept);
- ``ResultData``: the shape of a result's ``data`` for each command of :data:`tito_jupyter.contracts.RESULT_DATA`
  (every built-in one), and ``Event``: one shape for each kind of engine event.

``python -m tito_jupyter.server.openapi`` rewrites both files from the built-in commands; ``--check`` writes
nothing and exits 1 if either is stale (a test runs it). The server serves the document made from every command
it has, plugins' included.
"""

from __future__ import annotations

import copy
import json
import sys
import types
import typing
from pathlib import Path

from .. import contracts
from ..engine.files import atomic_write_text
from ..commands import BUILTIN, MAX_SECONDS, Arg, Command, rest_actions

HERE = Path(__file__).parent
OPENAPI_FILE = HERE / "openapi.json"
JOB_EVENT_SCHEMA_FILE = HERE / "job-event.schema.json"

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_FORBIDDEN = "Not authenticated, not authorized, or a write without XSRF token (cookie auth)."
_TOO_MANY = ("Too many jobs are already waiting for their turn (TitoExtension.max_queued_jobs, 100 by default); "
             "try again once some have finished.")
#: How a resource's name is typed, per kind; a kind not listed gets the general sentence.
_NAME_HELP = {
    "module": "A module name as the course registry knows it: 01_tensor, 01, 1 or tensor.",
    "checkpoint": "A checkpoint name: c01_tensors, c01, 1 or tensors.",
    "milestone": "A milestone name: 1957_perceptron, 1957 or perceptron.",
}


# -- TypedDict -> an OpenAPI 3.0 schema ----------------------------------------------------------------------------


#: The one way to say "or null" beside a $ref in OpenAPI 3.0. ``{"allOf": [ref], "nullable": true}`` reads as
#: "null allowed" to some tools and not to others (3.0.3: ``nullable`` only widens a ``type`` in its own schema,
#: so the referenced object still refuses null); a second branch that is null and nothing else is read alike by all.
NULL_BRANCH = {"type": "object", "nullable": True, "enum": [None]}


def _nullable(schema: dict) -> dict:
    if "$ref" in schema:  # OpenAPI 3.0 ignores siblings of $ref
        return {"anyOf": [schema, NULL_BRANCH]}
    return {**schema, "nullable": True}


def schema_of(tp, named: bool = True) -> dict:
    """The OpenAPI 3.0 schema of a type used in :mod:`tito_jupyter.contracts`: a reference to its component if it is
    one (unless ``named`` is off: the component's own definition)."""
    names = {cls: name for name, cls in contracts.COMPONENTS.items()}
    if named and tp in names:
        return {"$ref": f"#/components/schemas/{names[tp]}"}
    if tp is typing.Any:
        return {"nullable": True}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Literal:
        values = list(args)
        present = [v for v in values if v is not None]
        kinds = {type(v) for v in present}
        schema: dict = {"type": {str: "string", int: "integer", bool: "boolean"}[kinds.pop()]} if kinds else {}
        schema["enum"] = values
        return {**schema, "nullable": True} if None in values else schema
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            inner = schema_of(rest[0])
            return _nullable(inner) if type(None) in args else inner
        if all(typing.is_typeddict(a) for a in rest):  # closed shapes: one of them fits, by its fields
            return {"anyOf": [schema_of(a) for a in rest] + ([NULL_BRANCH] if type(None) in args else [])}
        raise TypeError(f"a union of several types other than TypedDicts is not described: {tp}")
    if origin is list:
        return {"type": "array", "items": schema_of(args[0])}
    if origin is dict:  # dict[str, V]: an object whose every value is a V
        return {"type": "object", "additionalProperties": schema_of(args[1])}
    if tp is dict:
        return {"type": "object"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return {"type": simple[tp]}
    if typing.is_typeddict(tp):
        return typed_dict_schema(tp)
    raise TypeError(f"no schema for {tp!r}")


def typed_dict_schema(cls) -> dict:
    hints = typing.get_type_hints(cls)
    schema: dict = {"type": "object"}
    required = [name for name in hints if name in cls.__required_keys__]
    if required:
        schema["required"] = required
    schema["properties"] = {name: schema_of(tp) for name, tp in hints.items()}
    schema["additionalProperties"] = False
    return schema


def result_data_schema() -> dict:
    """``ResultData``: the shape of a result's ``data``, by its command, from :data:`contracts.RESULT_DATA`."""
    return {"type": "object",
            "description": "The `data` of a Result, by the Result's `command`, for every built-in command (a plugin's "
                           "data is its own): when the Result's `error` is null, its `data` is this shape (with an "
                           "error, it holds what was computed before it, often nothing). The same Result is what `tito "
                           "--json` prints. Generated from tito_jupyter/contracts.py.",
            "properties": {command: schema_of(tp) for command, tp in contracts.RESULT_DATA.items()},
            "additionalProperties": False}


def _keep_prose(new: dict, old: dict | None) -> dict:
    """``new`` with the descriptions (and other words for people) that ``old`` had at the same places."""
    if not isinstance(old, dict):
        return new
    merged = dict(new)
    for key in ("description", "additionalProperties", "title"):
        if key in old and key not in merged and not (key == "additionalProperties" and "anyOf" in merged):
            merged[key] = old[key]
    old_props = old.get("properties") or {}
    if "properties" in merged:
        merged["properties"] = {name: _keep_prose(value, old_props.get(name))
                                for name, value in merged["properties"].items()}
    return merged


# -- the command table -> request bodies and action routes ----------------------------------------------------


def arg_schema(arg: Arg) -> dict:
    """What ``POST jobs`` takes for ``arg`` (the server's checks, server/requests.py, are the rule)."""
    if arg.kind == "bool":
        value: dict = {"type": "boolean"}
    elif arg.kind == "int":
        value = {"type": "integer", "minimum": 0}
    elif arg.kind == "float":
        value = {"type": "number", "minimum": 0}
    elif arg.kind == "seconds":
        value = {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": int(MAX_SECONDS)}
    else:
        value = {"type": "string", "minLength": 1}
        if arg.choices:
            value["enum"] = list(arg.choices)
    if arg.nargs in ("*", "+"):
        value = {"type": "array", "items": value, **({"minItems": 1} if arg.nargs == "+" else {})}
    help_text = arg.help
    if arg.kind == "address":
        help_text += " (given only from a terminal: the server refuses it, 400 terminal_only)"
    elif arg.kind in ("path", "database"):
        help_text += " (inside the course, else 400 outside_course)"
    return {**value, "description": help_text}


def command_args_schema(command: Command) -> dict:
    properties = {("all" if arg.name == "all_" else arg.name): arg_schema(arg) for arg in command.args}
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "description": command.help}


def action_path(kind: str, actions: dict[str, Command]) -> dict:
    """The path item of ``POST {kind}s/{{kind}}/{action}``."""
    words = list(actions)
    phrase = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]
    listing = "; ".join(f"{word}: {command.help.rstrip('.')} ({command.name})" for word, command in actions.items())
    return {"post": {
        "summary": f"{phrase[:1].upper()}{phrase[1:]} a {kind}, as a job.",
        "description": f"Runs the command of the table that the action names, for this {kind}: {listing}. The "
                       f"same as POST jobs with that command and the {kind} as its argument.",
        "responses": {
            "202": {"description": "The job was accepted; follow it at the Location header (GET jobs/{job_id}).",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
            "400": {"description": "Malformed body or bad value.", **_ERROR},
            "404": {"description": f"Unknown {kind} or action.", **_ERROR},
            "413": {"description": "Body over 1 MB.", **_ERROR},
            "403": {"description": _FORBIDDEN, **_ERROR},
            "429": {"description": _TOO_MANY, **_ERROR},
        },
        "parameters": [
            {"name": kind, "in": "path", "required": True, "schema": {"$ref": "#/components/schemas/Name"},
             "description": _NAME_HELP.get(kind, f"A {kind} name as the course registry knows it.")},
            {"name": "action", "in": "path", "required": True, "schema": {"type": "string", "enum": words}},
        ],
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ActionBody"}}}},
    }}


# -- the documents -----------------------------------------------------------------------------------------------


def document(base: dict, commands: list[Command]) -> dict:
    """``base`` (openapi.json as written) with its derived parts made from ``commands`` and the contracts."""
    doc = copy.deepcopy(base)
    paths = doc["paths"]
    routed = {c.acts_on for c in BUILTIN if c.action}  # the kinds with a route (server/handlers.action_routes)
    for kind, actions in rest_actions(commands).items():
        if kind in routed:
            paths[f"/{kind}s/{{{kind}}}/{{action}}"] = action_path(kind, actions)
    schemas = doc["components"]["schemas"]
    for name, cls in contracts.COMPONENTS.items():
        schemas[name] = _keep_prose(schema_of(cls, named=False), schemas.get(name))
    schemas["ResultData"] = result_data_schema()
    schemas["CommandArgs"] = {
        "type": "object",
        "description": "The `args` of POST jobs for each command it can run, by the command's name (the arguments "
                       "of the command table; `all` is the Python name `all_`). Generated from the table.",
        "properties": {c.name: command_args_schema(c) for c in commands if c.server_job},
    }
    return doc


def job_event_schema(base: dict) -> dict:
    """``job-event.schema.json`` as written, its properties made from :class:`contracts.JobBusEvent`."""
    schema = dict(base)
    made = typed_dict_schema(contracts.JobBusEvent)
    properties = {}
    for name, value in made["properties"].items():  # JSON Schema (the event bus), not OpenAPI: no `nullable`
        properties[name] = {**value, **({"description": base["properties"][name]["description"]}
                                        if "description" in base.get("properties", {}).get(name, {}) else {})}
    schema["required"] = made["required"]
    schema["properties"] = properties
    return schema


def _text(data: dict, indent: int) -> str:
    return json.dumps(data, indent=indent, ensure_ascii=True) + "\n"


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def served_document(commands: list[Command]) -> dict:
    """The document the server answers with: the committed one, its derived parts made from ``commands``."""
    return document(_read(OPENAPI_FILE), commands)


def outputs() -> dict[Path, str]:
    """Each file's text as it must be, from the built-in commands and the contracts."""
    return {OPENAPI_FILE: _text(document(_read(OPENAPI_FILE), list(BUILTIN)), 1),
            JOB_EVENT_SCHEMA_FILE: _text(job_event_schema(_read(JOB_EVENT_SCHEMA_FILE)), 2)}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    stale = []
    for path, text in outputs().items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not check:
                atomic_write_text(path, text)
    for path in stale:
        verb = "is stale" if check else "written"
        print(f"{path.name} {verb}" + ("; run `python -m tito_jupyter.server.openapi` and commit it." if check else ""))
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
