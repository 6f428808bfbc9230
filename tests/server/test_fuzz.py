"""Hostile input, generated: schemathesis over the OpenAPI document, hypothesis over names and bodies.

Both run against a real server (a ``jupyter lab`` subprocess with tito's extension, on a throwaway course), as
a client would reach it: over HTTP, with a token. The promise checked: no input gets a 500, every answer fits
the document (status, headers, body), and every 4xx is ``{message, reason}``.

Examples are bounded so the whole file stays well under two minutes on two cores.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))
from lab_server import start_lab, stop_lab  # noqa: E402

from course_factory import make_course  # noqa: E402

from tito_jupyter.server.handlers import OPENAPI_FILE  # noqa: E402

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, unsupported_method]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A real Jupyter server with tito on a fresh course, for every test of this file."""
    home = tmp_path_factory.mktemp("fuzz")
    lab = start_lab(make_course(home / "course"), home / "jupyter", [], {})
    session = requests.Session()
    session.headers["Authorization"] = f"token {lab.token}"
    lab.session = session
    lab.api_url = f"{lab.url}tito/api/"
    yield lab
    session.close()
    stop_lab(lab)


# The document as shipped (the server serves this file, with its own base URL under `servers`).
schema = schemathesis.openapi.from_dict(json.loads(OPENAPI_FILE.read_text(encoding="utf-8")),
                                        config=SchemathesisConfig.from_dict({"generation": {"max-examples": 30, "database": "none"}}))


@schema.parametrize()
def test_the_server_keeps_the_openapi_promise(case, live):
    case.call_and_validate(base_url=live.api_url.rstrip("/"), session=live.session, checks=CHECKS)


def assert_json_answer(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert body["message"] and body["reason"], body
        assert len(body["message"]) < 2000, len(body["message"])  # a long name is echoed cut, not whole


names = st.one_of(
    st.text(max_size=120),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=4),
    st.sampled_from(["²", "①", "¹", "٠١", "१", "𝟎𝟏", "０１", "c²", "c٠١", "..", ".", "01_numbers/..", "x" * 5000]),
)


@FUZZ
@given(name=names)
def test_any_name_is_answered_with_json_never_a_500(live, name):
    quoted = urllib.parse.quote(name, safe="")
    if not quoted:
        return
    for method, path in (("GET", f"modules/{quoted}"), ("POST", f"checkpoints/{quoted}/test")):
        response = live.session.request(method, live.api_url + path, data=b"{}" if method == "POST" else None,
                                        timeout=60)
        assert_json_answer(response)
        if response.status_code < 300:  # a name that resolved is ASCII, as every name of the course is
            assert name.strip().isascii(), name
    response = live.session.post(live.api_url + "jobs", json={"command": "module.validate",
                                                              "args": {"modules": [name]}}, timeout=60)
    assert_json_answer(response)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(st.sampled_from(["command", "args", "notebook", "source", "timeout", "x"]), json_values,
                    max_size=4).map(lambda d: json.dumps(d).encode()),
    # JSON that spells lone surrogates and other odd escapes
    st.lists(st.sampled_from(["\\ud800", "\\udfff", "\\u0000", "\\ud83d\\ude00", "a", "\\n"]), max_size=6)
    .map(lambda parts: ('{"notebook": "%s"}' % "".join(parts)).encode()),
)


@FUZZ
@given(body=bodies)
def test_any_body_is_answered_with_json_never_a_500(live, body):
    # unknown module: the body is checked first, and a good body still starts nothing
    for path in ("modules/zz_nothing/test", "checkpoints/zz_nothing/run", "jobs"):
        response = live.session.post(live.api_url + path, data=body, timeout=60)
        assert_json_answer(response)
        if path == "jobs" and response.status_code == 202:  # a generated body named a real command: fine
            live.session.delete(live.api_url + f"jobs/{response.json()['id']}", timeout=60)
