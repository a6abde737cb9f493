"""The metastore engine: SQLite in WAL mode (several processes at once), aware UTC datetimes on
every backend, and clear errors for URLs that cannot work."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from tradewind.errors import MetastoreError
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import Base, DagRun


def test_sqlite_runs_in_wal_mode_so_another_process_can_write_while_one_reads(tw_home) -> None:
    path = tw_home / "wal.db"
    store = Metastore(f"sqlite:///{path}")
    try:
        Base.metadata.create_all(store.engine)
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        with store.session() as session:
            session.add(DagRun(dag_id="d", run_id="mine", logical_date=datetime.now(UTC)))
    finally:
        store.dispose()
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")  # a long read: with a rollback journal it would block writers
        assert reader.execute("SELECT count(*) FROM dag_run").fetchone() == (1,)
        writer = subprocess.run(
            [sys.executable, "-c", _WRITER, str(path)], capture_output=True, text=True, timeout=30
        )
        assert writer.returncode == 0, writer.stderr
        assert reader.execute("SELECT count(*) FROM dag_run").fetchone() == (1,)  # its snapshot
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM dag_run").fetchone() == (2,)
    finally:
        reader.close()


_WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=1)
conn.execute(
    "INSERT INTO dag_run (dag_id, run_id, logical_date, run_type, state, external_trigger, conf)"
    " VALUES ('d', 'theirs', '2024-01-01 00:00:00', 'manual', 'queued', 0, '{}')"
)
conn.commit()
"""


def test_datetimes_come_back_aware_and_in_utc(metastore: Metastore) -> None:
    paris = timezone(timedelta(hours=2))
    with metastore.session() as session:
        session.add(
            DagRun(dag_id="d", run_id="r", logical_date=datetime(2024, 6, 1, 8, tzinfo=paris))
        )
    with metastore.session() as session:
        stored = session.execute(select(DagRun.logical_date)).scalar_one()
    assert stored == datetime(2024, 6, 1, 6, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_an_unknown_driver_is_one_clear_error_with_the_password_masked() -> None:
    with pytest.raises(MetastoreError, match=r"cannot use database URL nosuch://bob:\*\*\*@h/db"):
        Metastore("nosuch://bob:hunter2@h/db")


def test_a_postgres_connection_killed_while_idle_is_replaced_transparently(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg2

    import tradewind.metastore.engine as engine_module

    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    store = engine_module.Metastore(postgres_database)
    with store.session() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()
    with store.session() as session:
        assert session.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    store.dispose()
