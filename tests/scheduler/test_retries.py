"""Retries after their delay, and depends_on_past."""

from __future__ import annotations

from typing import Any


def test_a_failed_try_is_retried_after_its_delay_with_a_new_try_number(harness: Any) -> None:
    harness.copy_dags("sched_retries.py")
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_retries")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_retries"))
    assert [r.state for r in harness.runs("sched_retries")] == ["success"]
    first, second = harness.tries("sched_retries")
    assert (first.try_number, first.state) == (1, "up_for_retry")
    assert (second.try_number, second.state) == (2, "success")
    assert (second.start_date - first.end_date).total_seconds() >= 1.0


def test_depends_on_past_holds_a_task_until_its_previous_run_succeeded(harness: Any) -> None:
    harness.copy_dags("sched_retries.py")
    sched = harness.scheduler()

    def first_failed() -> bool:
        runs = harness.runs("sched_depends_on_past")
        return len(runs) == 2 and runs[0].state == "failed"

    harness.run_until(sched, first_failed)
    sched.run(max_iterations=5)
    runs = harness.runs("sched_depends_on_past")
    by_run = {ti.run_id: ti for ti in harness.tis("sched_depends_on_past")}
    assert by_run[runs[0].run_id].state == "failed"
    assert by_run[runs[1].run_id].state == "none"
    assert runs[1].state == "running"
    assert [t.run_id for t in harness.tries("sched_depends_on_past")] == [runs[0].run_id]
