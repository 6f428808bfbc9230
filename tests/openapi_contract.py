"""Every answer of tito's REST API, held to openapi.json: its status is one the operation documents, its body fits
the schema documented for that status, and each result's ``data`` the shape openapi.json's ResultData gives its
command (every command of the table has one: the CLI's ``--json`` prints the same Result).

tests/server/conftest.py wraps the HTTP client of pytest-jupyter's server (``http_server_client``, which ``jp_fetch``
uses too) with :func:`check_url`, so any test that reaches the API also checks the document: a response that
drifts from it fails the test that made it.
OpenAPI 3.0's schema dialect (``nullable``) is read by openapi-schema-validator's ``OAS30Validator``.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from functools import lru_cache

from openapi_schema_validator import OAS30Validator

from tito_jupyter.server.openapi import OPENAPI_FILE

#: Answers of the catch-all (no such endpoint, a verb the endpoint lacks; authenticated like every endpoint, so a
#: stranger gets a 403) are errors the document names in words.
UNDOCUMENTED_STATUSES = {403, 404, 405}


@lru_cache(maxsize=1)
def document() -> dict:
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _templates() -> list[tuple[re.Pattern, str]]:
    """Each path template as a pattern; templates with fewer ``{}`` first, so ``/checkpoints/timeline`` wins."""
    paths = sorted(document()["paths"], key=lambda p: (p.count("{"), p))
    return [(re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(p)) + "$"), p) for p in paths]


def template_of(path: str) -> str | None:
    """The document's template for ``path`` (``/modules/01/export`` -> ``/modules/{module}/{action}``)."""
    return next((template for pattern, template in _templates() if pattern.match(path)), None)


def validate(instance, schema: dict, where: str) -> None:
    """``instance`` fits ``schema`` (refs into the document's components), else AssertionError naming ``where``."""
    validator = OAS30Validator({**schema, "components": document()["components"]})
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        at = "/".join(map(str, first.absolute_path)) or "(the body)"
        raise AssertionError(f"{where}: the answer does not fit openapi.json at {at}: {first.message[:300]}")


def validate_component(instance, name: str) -> None:
    """``instance`` is a ``components/schemas/<name>`` of the document."""
    validate(instance, {"$ref": f"#/components/schemas/{name}"}, name)


def check_response(method: str, path: str, status: int, body: bytes) -> None:
    """The answer to ``method`` on ``path`` (below ``tito/api``, as sent: ``/modules/01``, escapes kept, so an
    escaped slash stays inside its segment as the server's router sees it) fits the document."""
    if method.upper() in ("OPTIONS", "HEAD"):
        return  # a verb with no body to hold to a schema
    where = f"{method.upper()} {path} -> {status}"
    text = body.decode("utf-8") if body else ""
    assert text, f"{where}: an empty body; every tito answer is JSON"
    data = json.loads(text)
    template = template_of(path)
    operation = document()["paths"].get(template, {}).get(method.lower()) if template else None
    if operation is None:
        assert status in UNDOCUMENTED_STATUSES, f"{where}: no documented operation, yet not a 403/404/405"
        validate_component(data, "Error")
        return
    response = operation["responses"].get(str(status))
    assert response is not None, (f"{where}: status {status} is not one openapi.json documents for "
                                  f"{method.upper()} {template} ({', '.join(operation['responses'])}): {text[:300]}")
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        validate(data, schema, where)
        check_result_data(data, where)


#: The fields of a Result (openapi.json's Result is closed: an object with exactly these is one).
_RESULT_FIELDS = frozenset(("command", "ok", "summary", "data", "error", "duration"))


def results_in(instance):
    """Every Result inside an answer (a job's ``result``, the jobs of a list or of the overview)."""
    if isinstance(instance, dict):
        if set(instance) == _RESULT_FIELDS:
            yield instance
        for value in instance.values():
            yield from results_in(value)
    elif isinstance(instance, list):
        for value in instance:
            yield from results_in(value)


def check_result_data(instance, where: str) -> None:
    """Each Result in ``instance`` whose ``error`` is null has the ``data`` that ResultData gives its command."""
    shapes = document()["components"]["schemas"]["ResultData"]["properties"]
    for result in results_in(instance):
        if result["error"] is None and result["command"] in shapes:
            validate(result["data"], shapes[result["command"]], f"{where}: the data of {result['command']}")


def holding_engine_results(monkeypatch) -> list[str]:
    """From now until the test ends, every :func:`tito_jupyter.engine.run` in this process holds its Result to the
    document (:func:`check_result_data`); returns the list of the commands it checked, in order."""
    from tito_jupyter import engine

    checked: list[str] = []
    run = engine.run

    def checked_run(command, *args, **kwargs):
        result = run(command, *args, **kwargs)
        answer = result.to_dict()
        check_result_data(answer, f"engine.run({answer['command']!r})")
        checked.append(answer["command"])
        return result

    monkeypatch.setattr(engine, "run", checked_run)
    return checked


_API_PATH = re.compile(r"(?:^|/)tito/api/(?P<rest>[^?#]*)")


def check_url(method: str, url: str, status: int, body: bytes) -> None:
    """:func:`check_response` for a request URL as the HTTP client sends it (base URL, escapes and query included);
    anything not under ``tito/api/`` (jupyter_server's own endpoints) is not tito's to check."""
    found = _API_PATH.search(urllib.parse.urlsplit(url).path)
    if found is not None:
        check_response(method, "/" + found["rest"], status, body)
