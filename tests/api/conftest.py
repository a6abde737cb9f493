"""The ``api`` fixture: the dashboard app over a metastore synced from tests/api/dags, with one
user per role (username = role in lower case) and an API client that speaks basic auth."""

from __future__ import annotations

import base64
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
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

DAGS = Path(__file__).parent / "dags"
ROLES = ("Admin", "Op", "User", "Viewer")
PASSWORD = "secret-pw"


@lru_cache(maxsize=1)
def _fast_hash() -> str:
    """A bcrypt hash with few rounds, so basic auth does not dominate the tests' time."""
    import bcrypt

    return bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()


def basic(role: str) -> dict[str, str]:
    token = base64.b64encode(f"{role.lower()}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Api:
    """The app, its metastore, and clients per role (HTTP basic auth, no cookie)."""

    def __init__(self, settings: Settings, metastore: Metastore) -> None:
        from dashboard.app import create_app

        self.settings = settings
        self.metastore = metastore
        self.app = create_app(settings, metastore)
        self._clients: list[TestClient] = []

    def client(self, role: str | None = "Admin", *, raise_errors: bool = True) -> TestClient:
        """A client as the user of ``role`` (None: anonymous). With ``raise_errors=False`` a
        server error comes back as a 500 answer instead of an exception."""
        client = TestClient(self.app, follow_redirects=False, raise_server_exceptions=raise_errors)
        if role is not None:
            client.headers.update(basic(role))
        self._clients.append(client)
        return client

    def cookie_client(self, role: str) -> tuple[TestClient, str]:
        """A client logged in through /login (a session cookie) and the session's CSRF token."""
        import re

        client = TestClient(self.app, follow_redirects=False)
        self._clients.append(client)
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = client.post(
            "/login", data={"username": role.lower(), "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 303, answer.text
        return client, token

    def trigger(self, dag_id: str, day: int = 1, **kwargs: Any) -> str:
        from tradewind.metastore.runs import trigger_dag

        with self.metastore.session() as session:
            return trigger_dag(
                session, dag_id, logical_date=datetime(2024, 3, day, tzinfo=UTC), **kwargs
            ).run_id

    def set_state(self, dag_id: str, run_id: str, task_id: str, state: str, **cols: Any) -> None:
        from tradewind.core.keys import TaskInstanceKey
        from tradewind.metastore.transitions import set_task_state

        with self.metastore.session() as session:
            assert set_task_state(
                session,
                TaskInstanceKey(dag_id, run_id, task_id),
                state,
                expected=_sources(state),
                **cols,
            )

    def ti_state(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
        from tradewind.metastore.models import TaskInstance

        with self.metastore.session() as session:
            return session.get(TaskInstance, (dag_id, run_id, task_id, map_index)).state

    def close(self) -> None:
        for client in self._clients:
            client.close()


def _sources(state: str) -> list[str]:
    from tradewind.core.states import TaskState, is_task_transition_allowed

    return [s.value for s in TaskState if s != state and is_task_transition_allowed(s, state)]


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


@pytest.fixture
def api(settings: Settings, metastore: Metastore) -> Iterator[Api]:
    """The app over both backends (the ``metastore`` fixture is sqlite + postgres)."""
    from tradewind.metastore.pools import ensure_default_pool, set_pool

    sync_folder(metastore)
    add_users(metastore)
    with metastore.session() as session:
        ensure_default_pool(session)
        set_pool(session, "api_pool", 3, "for the API tests")
    app = Api(settings, metastore)
    yield app
    app.close()


@pytest.fixture
def sqlite_api(tw_home: Path, sqlite_metastore: Metastore) -> Iterator[Api]:
    """The same over SQLite only, for tests where the backend does not matter."""
    from tradewind.config import load_settings
    from tradewind.metastore.pools import ensure_default_pool, set_pool

    sync_folder(sqlite_metastore)
    add_users(sqlite_metastore)
    with sqlite_metastore.session() as session:
        ensure_default_pool(session)
        set_pool(session, "api_pool", 3, "for the API tests")
    app = Api(load_settings(), sqlite_metastore)
    yield app
    app.close()
