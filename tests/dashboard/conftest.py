"""The ``dash`` fixture: the dashboard over a metastore synced from tests/dashboard/dags, with
logged-in clients (one per role: Admin, Op, User, Viewer; the username is the role in lower
case) and form posts that carry the CSRF token.

Tests import nothing from here at run time (pytest runs with --import-mode=importlib); they
annotate ``dash`` with ``Dash`` under TYPE_CHECKING."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from tradewind.config import Settings
from tradewind.metastore.engine import Metastore

with warnings.catch_warnings():
    # Starlette asks for httpx2, which is not installed; httpx works the same for these tests
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

DAGS = Path(__file__).parent / "dags"
ROLES = ("Admin", "Op", "User", "Viewer")
PASSWORD = "secret-pw"


@lru_cache(maxsize=1)
def _fast_hash() -> str:
    """A bcrypt hash with few rounds, so logging in does not dominate the tests' time."""
    import bcrypt

    return bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()


def _shared_app(settings: Settings, metastore: Metastore) -> Any:
    """One app for the whole test session (its templates compile once), pointed at this
    test's settings and metastore."""
    global _APP
    if _APP is None:
        from dashboard.app import create_app

        _APP = create_app(settings, metastore)
    app = _APP
    app.state.settings = settings
    app.state.metastore = metastore
    return app


_APP: Any = None


class Dash:
    def __init__(self, settings: Settings, metastore: Metastore) -> None:
        self.settings = settings
        self.metastore = metastore
        self.app = _shared_app(settings, metastore)
        self._clients: list[TestClient] = []

    def client(self, role: str | None = "Admin") -> TestClient:
        """A client logged in as the user of ``role`` (None: not logged in)."""
        client = TestClient(self.app, follow_redirects=False)
        self._clients.append(client)
        if role is not None:
            token = self.csrf(client, "/login")
            answer = client.post(
                "/login",
                data={"username": role.lower(), "password": PASSWORD, "csrf_token": token},
            )
            assert answer.status_code == 303, answer.text
        return client

    @staticmethod
    def csrf(client: TestClient, page: str = "/") -> str:
        html = client.get(page).text
        found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
            r'name="csrf_token" value="([^"]+)"', html
        )
        assert found, f"no CSRF token on {page}"
        return found.group(1)

    def post(self, client: TestClient, url: str, data: dict[str, Any] | None = None, **kw: Any):
        """A form post carrying the session's CSRF token."""
        return client.post(url, data={**(data or {}), "csrf_token": self.csrf(client)}, **kw)

    def trigger(self, dag_id: str, **kwargs: Any) -> str:
        from tradewind.metastore.runs import trigger_dag

        with self.metastore.session() as session:
            return trigger_dag(session, dag_id, **kwargs).run_id

    def session(self):
        return self.metastore.session()

    @staticmethod
    def at(day: int, hour: int = 0) -> datetime:
        """A UTC moment in March 2024."""
        return datetime(2024, 3, day, hour, tzinfo=UTC)

    def close(self) -> None:
        for client in self._clients:
            client.close()


def sync_folder(metastore: Metastore, folder: Path = DAGS) -> None:
    from tradewind.metastore.dag_sync import sync_dagbag
    from tradewind.parsing.dagbag import DagBag

    with metastore.session() as session:
        sync_dagbag(session, DagBag(folder), paused_at_creation=True)


def add_users(metastore: Metastore) -> None:
    from tradewind.metastore.models import User

    with metastore.session() as session:
        for role in ROLES:
            session.add(
                User(
                    username=role.lower(),
                    email=f"{role.lower()}@x",
                    role=role,
                    password_hash=_fast_hash(),
                )
            )


def _build(settings: Settings, metastore: Metastore) -> Dash:
    from tradewind.metastore.pools import ensure_default_pool

    sync_folder(metastore)
    add_users(metastore)
    with metastore.session() as session:
        ensure_default_pool(session)
    return Dash(settings, metastore)


@pytest.fixture
def dash(settings: Settings, metastore: Metastore) -> Iterator[Dash]:
    """On SQLite and on Postgres."""
    app = _build(settings, metastore)
    yield app
    app.close()


@pytest.fixture
def sqlite_dash(sqlite_metastore: Metastore) -> Iterator[Dash]:
    """On SQLite only, for what does not depend on the database."""
    from tradewind.config import load_settings

    app = _build(load_settings(), sqlite_metastore)
    yield app
    app.close()
