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


WAIT_FOR_DOWNSTREAM_DAG = """
import time
from datetime import UTC, datetime, timedelta
from tradewind import DAG
from tradewind.operators.python import PythonOperator

HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
with DAG("sched_wait_downstream", start_date=HOUR - timedelta(hours=2), schedule="@hourly",
         catchup=True, max_active_runs=2, is_paused_upon_creation=False):
    first = PythonOperator(task_id="first", python_callable=lambda: None,
                           wait_for_downstream=True)
    slow = PythonOperator(task_id="slow", python_callable=lambda: time.sleep(0.8))
    first >> slow
"""


def test_wait_for_downstream_holds_a_task_until_the_previous_runs_downstream_finished(
    harness: Any,
) -> None:
    from pathlib import Path

    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sched_wait_downstream.py").write_text(WAIT_FOR_DOWNSTREAM_DAG)
    sched = harness.scheduler()
    harness.run_until(
        sched, lambda: harness.all_runs_done("sched_wait_downstream", count=2), timeout=60
    )
    earlier, later = harness.runs("sched_wait_downstream")
    assert (earlier.state, later.state) == ("success", "success")
    tries = {(t.run_id, t.task_id): t for t in harness.tries("sched_wait_downstream")}
    assert tries[(later.run_id, "first")].start_date >= tries[(earlier.run_id, "slow")].end_date
