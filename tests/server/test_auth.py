"""Nobody reaches tito without credentials: every route, every verb, token and cookie, XSRF, authorization."""

from __future__ import annotations

import json
import re

import pytest
from jupyter_server.auth.authorizer import Authorizer

from tito_jupyter.server.handlers import AUTH_RESOURCE, CATCH_ALL, ROUTES, handlers

VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
SAMPLES = {"module": "01_numbers", "checkpoint": "c01", "action": "export", "job_id": "0" * 32}


def every_tito_url() -> list[tuple[str, type]]:
    """One concrete URL (under tito/api/) per route of the extension's handler list, the catch-all included."""
    urls = [(re.sub(r"\{(\w+)\}", lambda m: SAMPLES[m.group(1)], template), handler) for template, handler in ROUTES]
    urls.append(("anything/else", CATCH_ALL[1]))
    assert [handler for _, handler in urls] == [handler for _, handler in handlers()]  # every one the server gets
    return urls


async def _fetch(http_server_client, jp_base_url, path, method, headers=None):
    return await http_server_client.fetch(
        f"{jp_base_url}tito/api/{path}", method=method, headers=headers or {}, raise_error=False,
        body="{}" if method in ("POST", "PUT", "PATCH") else None, allow_nonstandard_methods=True,
        follow_redirects=False)


def _implements(handler: type, verb: str) -> bool:
    return any(verb.lower() in vars(cls) for cls in handler.__mro__ if cls.__module__.startswith("tito_jupyter"))


class TestEveryRouteNeedsCredentials:
    @pytest.fixture(params=[False, True], ids=["server-requires-auth", "server-allows-unauthenticated"])
    def allow_unauthenticated_access(self, request) -> bool:
        # With True, only tito's own decorators stand between a stranger and the course: they must suffice.
        return request.param

    @pytest.mark.parametrize("credentials", [{}, {"Authorization": "token wrong-token"},
                                             {"Cookie": "username-127-0-0-1=forged"}],
                             ids=["none", "wrong-token", "forged-cookie"])
    async def test_no_tito_route_answers_without_valid_credentials(self, credentials, http_server_client,
                                                                   jp_base_url, tito_ext):
        assert len(every_tito_url()) == len(ROUTES) + 1
        for path, handler in every_tito_url():
            for verb in VERBS:
                response = await _fetch(http_server_client, jp_base_url, path, verb, dict(credentials))
                allowed = {403} if _implements(handler, verb) else {403, 405}
                assert response.code in allowed, (verb, path, response.code, response.body[:200])
                if verb != "HEAD" and response.body:
                    assert "version" not in json.loads(response.body)  # no data, only the refusal
        assert tito_ext.jobs.list() == []  # and nothing was started


async def test_the_token_opens_every_route(http_server_client, jp_base_url, jp_auth_header):
    for path, handler in every_tito_url():
        for verb in ("GET", "POST", "DELETE"):
            if not _implements(handler, verb):
                continue
            response = await _fetch(http_server_client, jp_base_url, path, verb, dict(jp_auth_header))
            assert response.code != 403, (verb, path, response.body)


def _cookies(response) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


async def test_cookie_writes_need_the_xsrf_token(http_server_client, jp_base_url, jp_auth_header):
    # A browser session: the token once, then the login cookie; the login page gives the _xsrf cookie.
    first = await _fetch(http_server_client, jp_base_url, "version", "GET", dict(jp_auth_header))
    login = {k: v for k, v in _cookies(first).items() if k.startswith("username-")}
    assert login, "token authentication should set the login cookie"
    page = await http_server_client.fetch(f"{jp_base_url}login", raise_error=False, follow_redirects=False)
    xsrf = _cookies(page)["_xsrf"]
    cookie = "; ".join(f"{k}={v}" for k, v in {**login, "_xsrf": xsrf}.items())

    read = await _fetch(http_server_client, jp_base_url, "modules", "GET", {"Cookie": cookie})
    assert read.code == 200  # reads with the cookie are fine
    for path, verb in (("modules/01_numbers/export", "POST"), ("jobs", "POST"), (f"jobs/{'0' * 32}", "DELETE")):
        refused = await _fetch(http_server_client, jp_base_url, path, verb, {"Cookie": cookie})
        assert refused.code == 403, (verb, path, refused.code)
        assert "_xsrf" in json.loads(refused.body)["message"]
    accepted = await _fetch(http_server_client, jp_base_url, "modules/01_numbers/export", "POST",
                            {"Cookie": cookie, "X-XSRFToken": xsrf})
    assert accepted.code == 202, accepted.body


class DenyTito(Authorizer):
    """Allows everything but tito's resource."""

    def is_authorized(self, handler, user, action, resource):
        return resource != AUTH_RESOURCE


class TestEveryVerbIsAuthorized:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        jp_server_config.ServerApp.authorizer_class = DenyTito
        return jp_server_config

    async def test_an_authorizer_that_denies_tito_closes_every_route(self, http_server_client, jp_base_url,
                                                                    jp_auth_header, jp_fetch, tito_ext):
        assert (await jp_fetch("api", "status")).code == 200  # the rest of the server is open to this user
        for path, handler in every_tito_url():
            for verb in VERBS:
                if not _implements(handler, verb):
                    continue
                response = await _fetch(http_server_client, jp_base_url, path, verb, dict(jp_auth_header))
                assert response.code == 403, (verb, path, response.code)
        assert tito_ext.jobs.list() == []
