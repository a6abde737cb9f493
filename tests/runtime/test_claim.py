"""Claiming a try is a compare-and-set: exactly one claimer wins, stale tries lose."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tradewind.core.keys import TryKey
from tradewind.metastore.models import DagRun, TaskInstance, TaskTry
from tradewind.runtime.claim import claim_try

KEY = TryKey("d", "r", "t", -1, 1)


def _queued_try(metastore) -> None:
    with metastore.session() as session:
        session.add(DagRun(dag_id="d", run_id="r", logical_date=datetime(2024, 1, 1, tzinfo=UTC)))
        session.add(TaskInstance(dag_id="d", run_id="r", task_id="t", state="queued", try_number=1))


def test_the_first_claim_wins_and_records_a_running_try(metastore):
    _queued_try(metastore)
    with metastore.session() as session:
        assert claim_try(session, KEY, hostname="h1", worker_name="w1", pid=11)
    with metastore.session() as session:
        assert not claim_try(session, KEY, hostname="h2", pid=22)
    with metastore.session() as session:
        ti = session.execute(select(TaskInstance)).scalar_one()
        assert (ti.state, ti.hostname, ti.pid, ti.worker_name) == ("running", "h1", 11, "w1")
        assert ti.start_date is not None and ti.last_heartbeat is not None
        history = session.execute(select(TaskTry)).scalar_one()
        assert (history.state, history.try_number, history.hostname) == ("running", 1, "h1")


def test_a_stale_try_number_cannot_claim(metastore):
    _queued_try(metastore)
    with metastore.session() as session:
        assert not claim_try(session, KEY._replace(try_number=2), hostname="h", pid=1)
