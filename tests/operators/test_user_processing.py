"""The seed notes' user_processing DAG (dags/user_processing.py), end to end with
`tradewind dags test`: PostgresOperator, HttpSensor, SimpleHttpOperator, PythonOperator and
PostgresHook.copy_expert against the real local Postgres and an HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.hooks import PostgresHook

REPO = Path(__file__).resolve().parents[2]

USER = {
    "results": [
        {
            "name": {"first": "Ada", "last": "Lovelace"},
            "location": {"country": "United Kingdom"},
            "login": {"username": "ada", "password": "analytical-engine"},
            "email": "ada@example.com",
        }
    ]
}


class _RandomUserApi(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, body = (200, json.dumps(USER)) if self.path.startswith("/api/") else (404, "{}")
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def user_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RandomUserApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.postgres
def test_user_processing_loads_the_api_user_into_postgres(
    sqlite_metastore, postgres_database, user_api, monkeypatch, capsys
):
    dbname = postgres_database.rsplit("/", 1)[1]
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(REPO / "dags"))
    monkeypatch.setenv("TRADEWIND_CONN_POSTGRES", f"postgresql://postgres@127.0.0.1:5432/{dbname}")
    monkeypatch.setenv("TRADEWIND_CONN_USER_API", user_api)
    hook = PostgresHook(postgres_conn_id="postgres")
    hook.run("DROP TABLE IF EXISTS users")
    try:
        code = run_with_error_boundary(
            cli, ["dags", "test", "user_processing", "2024-01-01", "-o", "json"]
        )
        out = capsys.readouterr().out
        assert code == 0, out
        result = json.loads(out)
        assert result["state"] == "success"
        assert {t["task_id"]: t["state"] for t in result["tasks"]} == {
            "create_table": "success",
            "is_api_available": "success",
            "extract_user": "success",
            "process_user": "success",
            "store_user": "success",
        }
        assert hook.get_records("SELECT * FROM users") == [
            ("Ada", "Lovelace", "United Kingdom", "ada", "analytical-engine", "ada@example.com")
        ]
    finally:
        hook.run("DROP TABLE IF EXISTS users")
