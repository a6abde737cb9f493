"""HttpOperator / SimpleHttpOperator against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tradewind.errors import TaskFailure
from tradewind.hooks.http import HttpResponseError
from tradewind.operators.http import HttpOperator, SimpleHttpOperator


class _Handler(BaseHTTPRequestHandler):
    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.bodies.append(self.rfile.read(length) if length else b"")  # type: ignore[attr-defined]
        status, data = (
            (200, {"results": [{"name": "ann"}]}) if self.path.startswith("/api") else (500, "boom")
        )
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _respond

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def api(tw_home, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.bodies = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("TRADEWIND_CONN_USER_API", f"http://127.0.0.1:{server.server_address[1]}")
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_response_text_is_returned_for_xcom(api):
    op = HttpOperator(task_id="t", http_conn_id="user_api", endpoint="api/", method="GET")
    assert json.loads(op.execute({})) == {"results": [{"name": "ann"}]}


def test_response_filter_shapes_the_returned_value(api, caplog):
    op = SimpleHttpOperator(
        task_id="extract_user",
        http_conn_id="user_api",
        endpoint="api/",
        method="GET",
        response_filter=lambda response: json.loads(response.text),
        log_response=True,
    )
    with caplog.at_level(logging.INFO):
        assert op.execute({}) == {"results": [{"name": "ann"}]}
    assert '"results"' in caplog.text


def test_a_false_response_check_fails_the_task(api):
    op = HttpOperator(
        task_id="t",
        http_conn_id="user_api",
        endpoint="api/",
        method="GET",
        response_check=lambda response: "nobody" in response.text,
    )
    with pytest.raises(TaskFailure, match="Response check returned False"):
        op.execute({})


def test_response_check_may_ask_for_context_keys(api):
    seen = {}

    def check(response, ds):
        seen["ds"] = ds
        return response.ok

    HttpOperator(
        task_id="t", http_conn_id="user_api", endpoint="api/", method="GET", response_check=check
    ).execute({"ds": "2024-01-01", "ti": None})
    assert seen == {"ds": "2024-01-01"}


def test_post_sends_data_as_the_body(api):
    HttpOperator(task_id="t", http_conn_id="user_api", endpoint="api/", data='{"a": 1}').execute({})
    assert api.bodies[-1] == b'{"a": 1}'


def test_a_server_error_fails_the_task_naming_the_status(api):
    op = HttpOperator(task_id="t", http_conn_id="user_api", endpoint="other", method="GET")
    with pytest.raises(HttpResponseError, match="500:Internal Server Error"):
        op.execute({})


def test_endpoint_data_and_headers_are_templated():
    assert set(HttpOperator.template_fields) == {"endpoint", "data", "headers"}
