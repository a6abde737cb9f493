"""The worker's one-statement claim and finish on Postgres write what the portable path writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from tradewind.core.states import TaskState
from tradewind.metastore.engine import session_connection
from tradewind.metastore.models import TaskInstance, TaskTry
from tradewind.metastore.transitions_pg import finish_is_common, write_common_finish
from tradewind.runtime.claim import claim_try
from tradewind.runtime.try_record import FinishPlan, record_finish, write_finish_portable
from tradewind.runtime.try_start import TryStart, claim_and_start, claim_and_start_in, load_start_in

IGNORED = {"run_id", "start_date", "end_date", "last_heartbeat", "duration", "id", "queued_at"}


def _rows(harness, key) -> tuple[dict[str, Any], dict[str, Any]]:
    with harness.metastore.session() as session:
        ti = session.execute(
            select(TaskInstance.__table__).where(
                TaskInstance.run_id == key.run_id, TaskInstance.task_id == key.task_id
            )
        ).one()
        tr = session.execute(
            select(TaskTry.__table__).where(
                TaskTry.run_id == key.run_id, TaskTry.task_id == key.task_id
            )
        ).one()
    strip = lambda row: {k: v for k, v in row._mapping.items() if k not in IGNORED}  # noqa: E731
    return strip(ti), strip(tr)


def _plan(start: TryStart, state: TaskState) -> FinishPlan:
    now = datetime.now(UTC)
    fields = {
        "end_date": now,
        "duration": (now - start.start_date).total_seconds(),
        "next_try_at": None,
        "first_poke_at": None,
        "rendered_fields": {"op_args": [1, "two"], "op_kwargs": {"k": None}},
    }
    return FinishPlan(
        state=state, fields=fields, now=now, error="boom" if state != "success" else None
    )


def _both(harness, state: TaskState) -> None:
    fast_key = harness.queue(harness.new_run(), "quick")
    portable_key = harness.queue(harness.new_run(), "quick")
    who = {"hostname": "host-1", "worker_name": "w1", "pid": 4242}
    fast = claim_and_start(harness.metastore, fast_key, **who)  # the worker's own transaction
    with harness.metastore.session() as session:
        assert claim_try(session, portable_key, **who)
        portable = load_start_in(session, portable_key)
    assert isinstance(fast, TryStart) and isinstance(portable, TryStart)
    assert _rows(harness, fast_key) == _rows(harness, portable_key)
    for name in ("max_tries", "operator", "queue", "pool", "priority_weight", "fileloc"):
        assert getattr(fast, name) == getattr(portable, name), name
    assert fast.start_date.tzinfo is not None
    assert fast.dag_run.run_id == fast_key.run_id
    assert fast.dag_run.logical_date.utcoffset().total_seconds() == 0
    assert {"conf", "run_type", "state"} <= set(vars(fast.dag_run))

    plan_fast, plan_portable = _plan(fast, state), _plan(portable, state)
    assert finish_is_common(plan_fast)
    assert record_finish(harness.metastore, fast_key, fast, plan_fast, hostname="h", notify=True)
    with harness.metastore.session() as session:
        assert write_finish_portable(session, portable_key, portable, plan_portable, hostname="h")
    assert _rows(harness, fast_key) == _rows(harness, portable_key)
    assert harness.state(fast_key) == state.value


def test_claim_and_success_write_the_same_rows_as_the_portable_path(harness) -> None:
    _both(harness, TaskState.SUCCESS)


def test_claim_and_failure_write_the_same_rows_as_the_portable_path(harness) -> None:
    _both(harness, TaskState.FAILED)


def test_a_message_for_a_try_that_is_not_queued_claims_nothing(harness) -> None:
    key = harness.queue(harness.new_run(), "quick")
    who = {"hostname": "host-1", "worker_name": "w1", "pid": 4242}
    with harness.metastore.session() as session:
        assert isinstance(claim_and_start_in(session, key, **who), TryStart)
    with harness.metastore.session() as session:  # the duplicate
        assert claim_and_start_in(session, key, **who) is None
    with harness.metastore.session() as session:  # a stale try number
        assert claim_and_start_in(session, key._replace(try_number=7), **who) is None
    start_row = _rows(harness, key)
    assert start_row[0]["state"] == "running" and start_row[1]["state"] == "running"


def test_a_finish_for_a_try_no_longer_running_writes_nothing(harness) -> None:
    key = harness.queue(harness.new_run(), "quick")
    with harness.metastore.session() as session:
        start = claim_and_start_in(session, key, hostname="h", worker_name="w", pid=1)
    from tradewind.metastore.transitions import set_task_state

    with harness.metastore.session() as session:  # marked failed from the dashboard meanwhile
        assert set_task_state(session, key.ti_key, "failed", expected=["running"])
    with harness.metastore.session() as session:
        assert not write_common_finish(
            session_connection(session).connection,
            key,
            start,
            _plan(start, TaskState.SUCCESS),
            hostname="h",
            notify=True,
        )
    assert not record_finish(
        harness.metastore, key, start, _plan(start, TaskState.SUCCESS), hostname="h"
    )
    assert harness.state(key) == "failed"
    assert _rows(harness, key)[1]["state"] == "running"  # no history row says it succeeded


def _notifications(harness, action) -> int:
    """How many scheduler wake-ups ``action`` sent (LISTEN on the wake-up channel)."""
    import select as select_module

    from tradewind.metastore.wakeup import CHANNEL

    raw = harness.metastore.engine.raw_connection()
    try:
        listener = raw.dbapi_connection
        listener.autocommit = True
        listener.cursor().execute(f"LISTEN {CHANNEL}")
        action()
        select_module.select([listener], [], [], 1.0)
        listener.poll()
        count = len(listener.notifies)
        listener.cursor().execute(f"UNLISTEN {CHANNEL}")
        return count
    finally:
        raw.close()


def test_one_statement_claims_the_claimable_tries_of_a_batch_and_one_finishes_them(
    harness,
) -> None:
    from tradewind.runtime.try_record import record_finishes
    from tradewind.runtime.try_start import claim_and_start_many

    run_id = harness.new_run()
    keys = [harness.queue(run_id, task) for task in ("pid_a", "pid_b", "pid_c")]
    stale = keys[2]._replace(try_number=9)  # a message for a try number that is not queued
    who = {"hostname": "host-1", "worker_name": "w1", "pid": 4242}

    starts = claim_and_start_many(harness.metastore, [keys[0], keys[1], stale], **who)

    assert isinstance(starts[keys[0]], TryStart) and isinstance(starts[keys[1]], TryStart)
    assert starts[stale] is None
    assert [harness.state(k) for k in keys] == ["running", "running", "queued"]
    again = claim_and_start_many(harness.metastore, [keys[0]], **who)  # the duplicate
    assert again == {keys[0]: None}

    first, second = starts[keys[0]], starts[keys[1]]
    assert first.dag_run.run_id == run_id and second.fileloc == str(harness.dag_file)
    with harness.metastore.session() as session:  # marked failed from the dashboard meanwhile
        from tradewind.metastore.transitions import set_task_state

        assert set_task_state(session, keys[1].ti_key, "failed", expected=["running"])
    finishes = [
        (keys[0], first, _plan(first, TaskState.SUCCESS)),
        (keys[1], second, _plan(second, TaskState.SUCCESS)),
    ]
    written: set = set()

    def write() -> None:
        written.update(record_finishes(harness.metastore, finishes, hostname="h", notify=True))

    assert _notifications(harness, write) == 1  # one wake-up for the batch
    assert written == {keys[0]}
    assert [harness.state(k) for k in keys[:2]] == ["success", "failed"]
    assert _rows(harness, keys[0])[1]["state"] == "success"
    assert _rows(harness, keys[1])[1]["state"] == "running"  # no history row says it succeeded
    assert (
        _notifications(
            harness,
            lambda: record_finishes(harness.metastore, finishes[1:], hostname="h", notify=True),
        )
        == 0
    )
