"""The ``dash`` fixture: a dashboard over a metastore synced from tests/dashboard/dags."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dash_helpers import Dash, add_users, sync_folder

from tradewind.config import Settings
from tradewind.metastore.engine import Metastore


@pytest.fixture
def dash(settings: Settings, metastore: Metastore) -> Iterator[Dash]:
    from tradewind.metastore.pools import ensure_default_pool

    sync_folder(metastore)
    add_users(metastore)
    with metastore.session() as session:
        ensure_default_pool(session)
    app = Dash(settings, metastore)
    yield app
    app.close()
