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


def test_the_workers_claim_and_start_take_three_statements(metastore):
    """The claim's compare-and-set, the try's history row, and one read of the run, the
    instance's columns and the DAG's file (no previous successful run: read on demand)."""
    from sqlalchemy import event

    from tradewind.metastore.models import DagModel
    from tradewind.runtime.try_start import TryStart, load_start_in

    _queued_try(metastore)
    with metastore.session() as session:
        session.add(DagModel(dag_id="d", fileloc="/dags/d.py"))
    statements: list[str] = []

    def count(_conn, _cursor, sql, *_args):
        if not sql.lstrip().upper().startswith("BEGIN"):
            statements.append(sql)

    event.listen(metastore.engine, "before_cursor_execute", count)
    try:
        with metastore.session() as session:
            assert claim_try(session, KEY, hostname="h1", pid=11)
            start = load_start_in(session, KEY)
    finally:
        event.remove(metastore.engine, "before_cursor_execute", count)
    assert len(statements) == 3, statements
    assert isinstance(start, TryStart)
    assert (start.fileloc, start.max_tries, start.prev_success_loaded) == ("/dags/d.py", 0, False)
    assert start.dag_run.run_id == "r" and start.dag_run.logical_date == datetime(
        2024, 1, 1, tzinfo=UTC
    )


def test_a_start_read_without_the_previous_success_still_gives_its_context_entries(metastore):
    from types import SimpleNamespace

    from tradewind.runtime.context import build_context
    from tradewind.runtime.task_instance import RuntimeTaskInstance
    from tradewind.runtime.try_start import load_start_in

    earlier = {
        "data_interval_start": datetime(2023, 12, 30, tzinfo=UTC),
        "data_interval_end": datetime(2023, 12, 31, tzinfo=UTC),
        "start_date": datetime(2023, 12, 31, 1, tzinfo=UTC),
        "end_date": datetime(2023, 12, 31, 2, tzinfo=UTC),
    }
    _queued_try(metastore)
    with metastore.session() as session:
        session.add(
            DagRun(
                dag_id="d",
                run_id="ok",
                logical_date=datetime(2023, 12, 31, tzinfo=UTC),
                state="success",
                **earlier,
            )
        )
        session.add(
            DagRun(
                dag_id="d",
                run_id="bad",
                logical_date=datetime(2023, 12, 31, 12, tzinfo=UTC),  # later, but failed
                state="failed",
            )
        )
    with metastore.session() as session:
        assert claim_try(session, KEY, hostname="h1", pid=11)
        start = load_start_in(session, KEY)
    task = SimpleNamespace(task_id="t", outlets=[], inlets=[], params=None)
    ti = RuntimeTaskInstance(key=KEY, task=task, metastore=metastore)
    context = build_context(dag=None, task=task, ti=ti, dag_run=start.dag_run, metastore=metastore)
    assert context["prev_data_interval_start_success"] == earlier["data_interval_start"]
    assert context["prev_data_interval_end_success"] == earlier["data_interval_end"]
    assert context["prev_start_date_success"] == earlier["start_date"]
    assert context["prev_end_date_success"] == earlier["end_date"]
    assert context["prev_execution_date_success"] == datetime(2023, 12, 31, tzinfo=UTC)
