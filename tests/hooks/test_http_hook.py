"""HttpHook against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from tradewind.errors import ConnectionNotFound
from tradewind.hooks import HttpHook
from tradewind.hooks.http import HttpConnectionError, HttpResponseError


@pytest.fixture
def api(http_server, tw_home, monkeypatch):
    monkeypatch.setenv(
        "TRADEWIND_CONN_API",
        json.dumps(
            {
                "conn_type": "http",
                "host": "127.0.0.1",
                "port": http_server.port,
                "login": "user",
                "password": "pw",
                "extra": {"X-Team": "data", "timeout": 5},
            }
        ),
    )
    return http_server


def test_a_get_sends_data_as_the_query_string_with_auth_and_extra_headers(api):
    api.routes["/api/users"] = (200, {"results": [1]})
    response = HttpHook(method="GET", http_conn_id="api").run(
        "api/users", data={"page": 2}, headers={"X-Req": "1"}
    )
    assert response.status_code == 200 and response.ok and response.json() == {"results": [1]}
    request = api.requests[-1]
    assert request["path"] == "/api/users?page=2"
    assert request["headers"]["X-Team"] == "data" and request["headers"]["X-Req"] == "1"
    assert request["headers"]["Authorization"].startswith("Basic ")
    assert "timeout" not in {k.lower() for k in request["headers"]}


def test_a_post_sends_data_as_the_body(api):
    api.routes["/submit"] = (201, "created")
    response = HttpHook(http_conn_id="api").run("/submit", data='{"a": 1}')
    assert response.text == "created"
    assert api.requests[-1]["method"] == "POST" and api.requests[-1]["body"] == b'{"a": 1}'


def test_an_error_status_raises_naming_the_status(api):
    with pytest.raises(HttpResponseError, match="^404:Not Found") as info:
        HttpHook(method="GET", http_conn_id="api").run("missing")
    assert info.value.status_code == 404


def test_check_response_false_returns_the_error_response(api):
    response = HttpHook(method="GET", http_conn_id="api").run(
        "missing", extra_options={"check_response": False}
    )
    assert response.status_code == 404 and not response.ok


def test_the_base_url_uses_schema_host_and_port(tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND_CONN_S", "http://example.com:8443/https")
    hook = HttpHook(http_conn_id="s")
    hook.get_conn().close()
    assert hook.base_url == "https://example.com:8443"
    assert hook.url_from_endpoint("v1/x") == "https://example.com:8443/v1/x"


def test_an_unreachable_server_raises_a_connection_error(tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND_CONN_DOWN", "http://127.0.0.1:1")
    with pytest.raises(HttpConnectionError, match="cannot reach http://127.0.0.1:1/x"):
        HttpHook(method="GET", http_conn_id="down").run("x")


def test_an_undefined_connection_is_named(sqlite_metastore):
    with pytest.raises(ConnectionNotFound, match="`nope`"):
        HttpHook(http_conn_id="nope").run("x")
