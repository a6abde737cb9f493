"""A triggered DAG runs to success through the loop, on both executors, SQLite and Postgres."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize("executor", ["local", "sequential"])
def test_a_triggered_chain_runs_to_success_in_order(harness: Any, executor: str) -> None:
    harness.copy_dags("sched_chain.py")
    sched = harness.scheduler(executor)
    sched.run_once()
    harness.trigger("sched_chain")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_chain"))
    assert [r.state for r in harness.runs("sched_chain")] == ["success"]
    tries = harness.tries("sched_chain")
    assert [t.task_id for t in tries] == ["first", "second", "third"]
    assert all(t.state == "success" for t in tries)
    for before, after in zip(tries, tries[1:], strict=False):
        assert before.end_date <= after.start_date


def test_a_trigger_wakes_an_idle_scheduler_at_once(harness: Any) -> None:
    import threading
    import time

    from tradewind.metastore.runs import trigger_dag
    from tradewind.metastore.wakeup import notify_scheduler

    harness.copy_dags("sched_chain.py")
    harness.settings.scheduler.poll_interval = 30.0
    sched = harness.scheduler()
    sched.run_once()
    sched.run_once()  # settled: the next wait would be the full poll interval

    def _trigger() -> None:
        with harness.metastore.session() as session:
            trigger_dag(session, "sched_chain")
            notify_scheduler(session)

    timer = threading.Timer(0.5, _trigger)
    started = time.monotonic()
    timer.start()
    try:
        harness.run_until(
            sched, lambda: any(t.state != "none" for t in harness.tis("sched_chain")), timeout=20
        )
    finally:
        timer.join()
    assert time.monotonic() - started < 5.0


def test_a_finished_try_wakes_the_loop_so_the_chain_does_not_wait_for_the_poll(
    harness: Any,
) -> None:
    import time

    harness.copy_dags("sched_chain.py")
    harness.settings.scheduler.poll_interval = 30.0
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_chain")
    started = time.monotonic()
    harness.run_until(sched, lambda: harness.all_runs_done("sched_chain"), timeout=60)
    # three tries one after the other: polling alone would take a poll interval per task
    assert time.monotonic() - started < 20.0
    assert [r.state for r in harness.runs("sched_chain")] == ["success"]


def test_a_run_with_a_future_logical_date_waits_for_it_as_in_airflow(harness: Any) -> None:
    """Airflow's scheduler leaves a run alone until its logical date (unless
    ``core.allow_trigger_in_future``); the loop wakes for it without a poll interval."""
    import time
    from datetime import UTC, datetime, timedelta

    harness.copy_dags("sched_chain.py")
    harness.settings.scheduler.poll_interval = 30.0
    sched = harness.scheduler()
    sched.run_once()
    due = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    harness.trigger("sched_chain", logical_date=due)
    sched.run_once()
    assert [r.state for r in harness.runs("sched_chain")] == ["queued"]
    assert all(t.state == "none" for t in harness.tis("sched_chain"))
    harness.run_until(sched, lambda: harness.all_runs_done("sched_chain"), timeout=20)
    tries = harness.tries("sched_chain")
    assert tries[0].start_date >= due
    assert time.time() - due.timestamp() < 10  # woken at its date, not after the poll interval


def test_allow_trigger_in_future_runs_a_future_run_at_once(harness: Any) -> None:
    from datetime import UTC, datetime, timedelta

    harness.copy_dags("sched_chain.py")
    harness.settings.core.allow_trigger_in_future = True
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_chain", logical_date=datetime.now(UTC) + timedelta(days=1))
    harness.run_until(sched, lambda: harness.all_runs_done("sched_chain"), timeout=30)
    assert [r.state for r in harness.runs("sched_chain")] == ["success"]
