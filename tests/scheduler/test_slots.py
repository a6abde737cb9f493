"""Concurrency limits: max_active_runs, pools, max_active_tasks, priority order."""

from __future__ import annotations

from typing import Any

import pytest


def test_max_active_runs_keeps_runs_from_overlapping(harness: Any) -> None:
    harness.copy_dags("sched_limits.py")
    sched = harness.scheduler()
    harness.run_until(sched, lambda: harness.all_runs_done("sched_max_active_runs", count=3))
    runs = harness.runs("sched_max_active_runs")
    assert [r.state for r in runs] == ["success"] * 3
    for before, after in zip(runs, runs[1:], strict=False):
        assert before.end_date <= after.start_date, "two runs were active at once"


def test_a_pool_of_two_never_runs_more_than_two_tries(harness: Any) -> None:
    harness.copy_dags("sched_limits.py")
    harness.set_pool("two_slots", 2)
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_pool")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_pool"))
    tries = harness.tries("sched_pool")
    assert len(tries) == 6 and all(t.state == "success" for t in tries)
    assert harness.max_overlap(tries) == 2


def test_max_active_tasks_limits_a_dags_concurrent_tries(harness: Any) -> None:
    harness.copy_dags("sched_limits.py")
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_max_active_tasks")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_max_active_tasks"))
    tries = harness.tries("sched_max_active_tasks")
    assert len(tries) == 6 and all(t.state == "success" for t in tries)
    assert harness.max_overlap(tries) == 2


def test_on_a_pool_of_one_higher_priority_runs_first(harness: Any) -> None:
    harness.copy_dags("sched_limits.py")
    harness.set_pool("one_slot", 1)
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_priority")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_priority"))
    assert [t.task_id for t in harness.tries("sched_priority")] == ["top", "high", "mid", "low"]


def test_parallelism_caps_the_tries_running_at_once_across_the_scheduler(harness: Any) -> None:
    harness.copy_dags("sched_limits.py")
    harness.set_pool("two_slots", 10)
    harness.settings.scheduler.parallelism = 3
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_pool")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_pool"), timeout=60)
    tries = harness.tries("sched_pool")
    assert len(tries) == 6 and all(t.state == "success" for t in tries)
    assert 2 <= harness.max_overlap(tries) <= 3


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # the lock exists on Postgres only
def test_a_scheduler_queues_nothing_while_another_holds_the_queueing_lock(harness: Any) -> None:
    from sqlalchemy import text

    from scheduler.ha import QUEUEING_LOCK_KEY

    harness.copy_dags("sched_limits.py")
    harness.set_pool("two_slots", 2)
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_pool")
    with harness.metastore.engine.connect() as other:  # another scheduler, mid-queueing
        assert other.execute(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": QUEUEING_LOCK_KEY}
        ).scalar()
        for _ in range(3):
            sched.run_once()
        states = {ti.state for ti in harness.tis("sched_pool")}
        assert "scheduled" in states
        assert not states & {"queued", "running", "success"}
        other.rollback()  # releases the lock
    harness.run_until(sched, lambda: harness.all_runs_done("sched_pool"))
    assert all(t.state == "success" for t in harness.tries("sched_pool"))
