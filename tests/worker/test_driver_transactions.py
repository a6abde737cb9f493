"""A worker's claim and finish on Postgres run as prepared statements on a pooled driver
connection: they survive a server that forgot the statements or dropped the connection, and a
retry still starts without the XComs of its earlier try."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from tradewind.core.states import TaskState
from tradewind.metastore.models import XCom
from tradewind.metastore.transitions import set_task_state
from tradewind.metastore.xcoms import store_serialized
from tradewind.runtime.try_record import FinishPlan, record_finish
from tradewind.runtime.try_start import TryStart, claim_and_start

WHO = {"hostname": "host-1", "worker_name": "w1", "pid": 4242}


def _success(start: TryStart) -> FinishPlan:
    now = datetime.now(UTC)
    duration = (now - start.start_date).total_seconds()
    return FinishPlan(
        state=TaskState.SUCCESS, fields={"end_date": now, "duration": duration}, now=now
    )


def _xcoms(harness, key) -> int:
    with harness.metastore.session() as session:
        return session.execute(
            select(func.count()).select_from(XCom).where(XCom.run_id == key.run_id)
        ).scalar_one()


def test_a_retry_claimed_on_the_driver_connection_clears_the_earlier_xcoms(harness) -> None:
    run_id = harness.new_run()
    first = harness.queue(run_id, "quick")
    assert isinstance(claim_and_start(harness.metastore, first, **WHO), TryStart)
    with harness.metastore.session() as session:
        store_serialized(session, first.ti_key, "return_value", '"from try 1"')
        assert set_task_state(session, first.ti_key, "up_for_retry", expected=["running"])
    assert _xcoms(harness, first) == 1

    retry = harness.queue(run_id, "quick")
    assert retry.try_number == 2
    assert isinstance(claim_and_start(harness.metastore, retry, **WHO), TryStart)
    assert _xcoms(harness, retry) == 0
    assert harness.state(retry) == "running"


def test_statements_the_server_forgot_are_prepared_again(harness) -> None:
    run_id = harness.new_run()
    for task_id in ("quick", "slow"):  # the second claim and finish on the connection prepare
        key = harness.queue(run_id, task_id)
        start = claim_and_start(harness.metastore, key, **WHO)
        assert record_finish(harness.metastore, key, start, _success(start), hostname="h")
    with harness.metastore.driver_transaction() as connection:  # as a connection pooler would
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 2
            cursor.execute("DEALLOCATE ALL")
    key = harness.queue(run_id, "fail")
    start = claim_and_start(harness.metastore, key, **WHO)
    assert isinstance(start, TryStart)
    assert harness.state(key) == "running"
    assert record_finish(harness.metastore, key, start, _success(start), hostname="h")
    assert harness.state(key) == "success"


def test_a_connection_the_server_dropped_fails_one_claim_and_leaves_the_pool(harness) -> None:
    run_id = harness.new_run()
    warm = harness.queue(run_id, "quick")
    assert isinstance(claim_and_start(harness.metastore, warm, **WHO), TryStart)
    key = harness.queue(run_id, "slow")
    with harness.metastore.driver_transaction() as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    admin_engine = create_engine(harness.metastore.url, poolclass=NullPool)
    with admin_engine.connect() as admin:
        # every pooled connection of this database is dropped, as by a server restart
        dropped = admin.execute(
            text(
                "SELECT pid FROM pg_stat_activity, pg_terminate_backend(pid) "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalars()
        assert backend in set(dropped)
    admin_engine.dispose()

    failures = 0
    for _ in range(3):
        try:
            start = claim_and_start(harness.metastore, key, **WHO)
            break
        except DBAPIError:  # the same error a Session raises, not the driver's own
            failures += 1
    else:
        pytest.fail("the dropped connection went back to the pool: every claim failed")
    assert failures <= 1  # the one dropped connection was discarded at once
    assert isinstance(start, TryStart)
    assert harness.state(key) == "running"


def test_a_finish_wakes_the_scheduler_only_when_it_moved_the_try(harness) -> None:
    from tradewind.metastore.wakeup import open_listener, wait_for_wakeup

    run_id = harness.new_run()
    moved, stale = harness.queue(run_id, "quick"), harness.queue(run_id, "slow")
    starts = {key: claim_and_start(harness.metastore, key, **WHO) for key in (moved, stale)}
    with harness.metastore.session() as session:  # marked failed from the dashboard meanwhile
        assert set_task_state(session, stale.ti_key, "failed", expected=["running"])
    listener = open_listener(harness.metastore)
    try:
        plan = _success(starts[stale])
        assert not record_finish(
            harness.metastore, stale, starts[stale], plan, notify=True, hostname="h"
        )
        assert wait_for_wakeup(listener, 0.5) is False
        plan = _success(starts[moved])
        assert record_finish(
            harness.metastore, moved, starts[moved], plan, notify=True, hostname="h"
        )
        assert wait_for_wakeup(listener, 5.0) is True
    finally:
        listener.close()
    assert (harness.state(stale), harness.state(moved)) == ("failed", "success")


def test_a_connection_pinged_after_sitting_idle_still_claims_and_finishes(
    harness, monkeypatch
) -> None:
    """The pool pings a connection idle for a while before handing it out; the ping must not
    leave a transaction open under the one-statement claim and finish."""
    from tradewind.metastore import engine

    monkeypatch.setattr(engine, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout pings
    run_id = harness.new_run()
    for task_id in ("quick", "slow", "fail"):  # plain, then prepared statements
        key = harness.queue(run_id, task_id)
        start = claim_and_start(harness.metastore, key, **WHO)
        assert isinstance(start, TryStart)
        assert record_finish(harness.metastore, key, start, _success(start), hostname="h")
        assert harness.state(key) == "success"
    assert harness.metastore.engine.pool.checkedout() == 0


def test_a_connection_whose_statements_exist_but_are_not_known_here_still_claims(
    harness,
) -> None:
    """Behind a transaction pooler a connection can meet a server session that prepared the
    statement already (PREPARE fails as a duplicate): it goes on with plain statements."""
    run_id = harness.new_run()
    for task_id in ("quick", "slow"):
        key = harness.queue(run_id, task_id)
        start = claim_and_start(harness.metastore, key, **WHO)
        assert record_finish(harness.metastore, key, start, _success(start), hostname="h")
    with harness.metastore.driver_transaction() as connection:
        connection.info.pop("tw_prepared")  # what this side knows, not what the server has
    for task_id in ("fail", "long"):
        key = harness.queue(run_id, task_id)
        start = claim_and_start(harness.metastore, key, **WHO)
        assert isinstance(start, TryStart)
        assert record_finish(harness.metastore, key, start, _success(start), hostname="h")
        assert harness.state(key) == "success"
