"""Planner statistics refreshed when a large run lands in a table Postgres has not analyzed,
so that a try's compare-and-set finds its row by the primary key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.conftest import _empty_postgres
from tests.metastore.test_run_progress import _make_run, _spec, _step
from tradewind.metastore.engine import Metastore
from tradewind.metastore.statistics import refresh_if_stale


@pytest.fixture
def pg_store(postgres_database: str) -> Iterator[Metastore]:
    """The session's Postgres database, emptied (planner statistics are Postgres's)."""
    _empty_postgres(postgres_database)
    store = Metastore(postgres_database)
    yield store
    store.dispose()


def _claim_plan(store: Metastore) -> str:
    with store.engine.connect() as conn:
        lines = conn.execute(
            text(
                "EXPLAIN UPDATE task_instance SET state = 'running' WHERE dag_id = 'd' "
                "AND run_id = 'r1' AND task_id = 't7' AND map_index = -1 AND state = 'queued'"
            )
        ).scalars()
        return "\n".join(lines)


def test_a_large_new_run_gets_the_primary_key_plan_for_its_claims(pg_store: Metastore) -> None:
    metastore = pg_store
    spec = _spec(tasks={f"t{i}": {} for i in range(400)})
    _make_run(metastore, spec)
    _step(metastore, spec)
    with metastore.engine.begin() as conn:  # every instance waiting in queued, as in a fan-out
        conn.execute(text("UPDATE task_instance SET state = 'queued'"))

    assert refresh_if_stale(metastore, len(spec.tasks))

    assert "pk_task_instance" in _claim_plan(metastore)
    # fresh statistics that already count these rows: no second ANALYZE
    assert not refresh_if_stale(metastore, len(spec.tasks))


def test_small_runs_and_sqlite_never_analyze(metastore: Metastore) -> None:
    assert not refresh_if_stale(metastore, 10)
    if metastore.engine.dialect.name != "postgresql":
        assert not refresh_if_stale(metastore, 10_000)
