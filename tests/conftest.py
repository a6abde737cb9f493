"""Shared fixtures: an isolated TRADEWIND_HOME per test and a metastore on SQLite and Postgres.

Postgres is the local server on 127.0.0.1:5432; a test that needs it fails (never skips) when it
is down. Each test session gets its own Postgres database, emptied between tests.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tradewind.config import Settings, load_settings
from tradewind.metastore.engine import Metastore, set_default_metastore
from tradewind.metastore.models import Base

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "TRADEWIND_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)


def _pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh Postgres database for this test session; dropped at the end."""
    name = f"tw_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        # a test that ran `db upgrade` here leaves alembic's table, which changes `db check`
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture
def tw_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty TRADEWIND_HOME, with every TRADEWIND__* variable of the outer shell removed."""
    home = tmp_path / "tw_home"
    (home / "dags").mkdir(parents=True)
    for key in list(os.environ):
        if key.startswith(("TRADEWIND__", "TRADEWIND_CONN_", "TRADEWIND_VAR_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TRADEWIND_HOME", str(home))
    monkeypatch.setenv(
        "TRADEWIND__CORE__FERNET_KEY", "3ZxW-7QdP5t2Sg1dS0_dG6WJ7a3pZr4p8vZ2Y0XKq1A="
    )
    monkeypatch.setenv("TRADEWIND__CORE__SECRET_KEY", "test-secret-key")
    return home


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tw_home: Path) -> str:
    """The metastore URL for this test: a SQLite file, or the session's Postgres database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tw_home / 'tradewind.db'}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        return url
    url = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for this test, with TRADEWIND__DATABASE__URL pointing at ``db_url``."""
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", db_url)
    return load_settings()


@pytest.fixture
def metastore(settings: Settings) -> Iterator[Metastore]:
    store = Metastore.from_settings(settings)
    set_default_metastore(store)
    yield store
    set_default_metastore(None)
    store.dispose()


@pytest.fixture
def sqlite_metastore(tw_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Metastore]:
    """A SQLite-only metastore, for tests where the backend does not matter."""
    url = f"sqlite:///{tw_home / 'tradewind.db'}"
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", url)
    store = Metastore(url)
    Base.metadata.create_all(store.engine)
    set_default_metastore(store)
    yield store
    set_default_metastore(None)
    store.dispose()


# -- a real HTTP server on 127.0.0.1, for hooks, operators and sensors -----------------------


class _Handler(BaseHTTPRequestHandler):
    server: LocalHttpServer

    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        status, payload = self.server.routes.get(self.path.split("?")[0], (404, "not found"))
        data = payload if isinstance(payload, str) else json.dumps(payload)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data.encode())))
        self.end_headers()
        self.wfile.write(data.encode())

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _respond

    def log_message(self, *args: Any) -> None:
        pass


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, tuple[int, Any]] = {}
        self.requests: list[dict[str, Any]] = []

    @property
    def port(self) -> int:
        return self.server_address[1]


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    server = LocalHttpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


#: queues the worker, fleet and broker tests declare under a random per-test prefix
_TEST_QUEUE = r"^(twt[0-9a-f]{8}\.|fleet[0-9a-f]{8}\.|twtest_[0-9a-f]{8}_|bw-worker-[0-9a-f]{6}-)"


@pytest.fixture(scope="session", autouse=True)
def _delete_test_queues() -> Iterator[None]:
    """Delete, at the end of the session, the durable RabbitMQ queues its tests declared (so that
    runs do not pile up queues in the broker the next run uses)."""
    yield
    import re
    import subprocess

    try:
        listed = subprocess.run(
            ["rabbitmqctl", "-q", "list_queues", "name"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return
    names = [n for n in listed if re.match(_TEST_QUEUE, n)]
    if not names:
        return
    import pika

    try:
        connection = pika.BlockingConnection(
            pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/")
        )
    except Exception:
        return
    channel = connection.channel()
    for name in names:
        channel.queue_delete(name)
    connection.close()
