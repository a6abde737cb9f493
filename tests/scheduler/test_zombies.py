"""Tries nobody runs any more: crashed processes, zombies, tries stuck in the queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tradewind.core.keys import TaskInstanceKey
from tradewind.metastore import transitions
from tradewind.metastore.models import utcnow


def test_a_try_whose_process_died_is_retried(harness: Any) -> None:
    harness.copy_dags("sched_crash.py")
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_crash")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_crash"))
    first, second = harness.tries("sched_crash")
    assert (first.try_number, first.state) == (1, "up_for_retry")
    assert "without recording a state" in first.error
    assert (second.try_number, second.state) == (2, "success")


def _force(harness: Any, key: TaskInstanceKey, *steps: tuple[str, str], **fields: Any) -> None:
    with harness.metastore.session() as session:
        for i, (src, dst) in enumerate(steps):
            extra: dict[str, Any] = {"increment_try": True} if dst == "scheduled" else {}
            if i == len(steps) - 1:
                extra.update(fields)
            assert transitions.set_task_state(session, key, dst, expected=[src], **extra)


def test_a_running_try_without_heartbeat_is_a_zombie_and_is_retried(harness: Any) -> None:
    harness.copy_dags("sched_retries.py")
    sched = harness.scheduler()
    sched.run_once()
    sched.zombie_check_interval = 0.0
    run_id = harness.trigger("sched_retries")
    key = TaskInstanceKey("sched_retries", run_id, "flaky")
    old = utcnow() - timedelta(hours=1)
    _force(
        harness,
        key,
        ("none", "scheduled"),
        ("scheduled", "queued"),
        ("queued", "running"),
        start_date=old,
        last_heartbeat=old,
    )
    sched.run_once()
    (ti,) = harness.tis("sched_retries")
    assert (ti.state, ti.try_number) == ("up_for_retry", 1)
    (zombie,) = harness.tries("sched_retries")
    assert "zombie" in zombie.error


def test_a_try_queued_too_long_is_queued_again_and_runs(harness: Any) -> None:
    harness.copy_dags("sched_chain.py")
    harness.settings.scheduler.queued_timeout = 1.0
    sched = harness.scheduler()
    sched.zombie_check_interval = 0.0
    sched.run_once()
    run_id = harness.trigger("sched_chain")
    key = TaskInstanceKey("sched_chain", run_id, "first")
    old = utcnow() - timedelta(minutes=5)
    _force(harness, key, ("none", "scheduled"), ("scheduled", "queued"), queued_at=old)
    harness.run_until(sched, lambda: harness.all_runs_done("sched_chain"))
    first = [t for t in harness.tries("sched_chain") if t.task_id == "first"]
    assert [(t.try_number, t.state) for t in first] == [(1, "success")]
