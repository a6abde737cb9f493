"""Scheduled runs: catch-up, no catch-up, end_date, paused DAGs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest


def _hour() -> datetime:
    """The current hour, as the DAG files compute their start dates when they are imported
    (read when the test starts, not at collection: a suite may cross an hour boundary)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def test_catchup_creates_one_run_per_missed_interval_and_runs_them(harness: Any) -> None:
    hour = _hour()
    harness.copy_dags("sched_catchup.py")
    sched = harness.scheduler()
    harness.run_until(sched, lambda: harness.all_runs_done("sched_catchup", count=3))
    runs = harness.runs("sched_catchup")
    assert [r.logical_date for r in runs] == [hour - timedelta(hours=h) for h in (3, 2, 1)]
    assert {r.run_type for r in runs} == {"scheduled"}
    assert all(r.state == "success" for r in runs)
    assert [(r.data_interval_start, r.data_interval_end) for r in runs] == [
        (hour - timedelta(hours=h), hour - timedelta(hours=h - 1)) for h in (3, 2, 1)
    ]
    assert all(r.dag_version_id is not None for r in runs)


def test_without_catchup_only_the_latest_interval_gets_a_run(harness: Any) -> None:
    hour = _hour()
    harness.copy_dags("sched_catchup.py")
    sched = harness.scheduler()
    harness.run_until(sched, lambda: harness.all_runs_done("sched_no_catchup"))
    sched.run(max_iterations=3)
    runs = harness.runs("sched_no_catchup")
    assert [r.logical_date for r in runs] == [hour - timedelta(hours=1)]


def test_no_run_is_made_for_intervals_after_end_date(harness: Any) -> None:
    hour = _hour()
    harness.copy_dags("sched_catchup.py")
    sched = harness.scheduler()
    harness.run_until(sched, lambda: harness.all_runs_done("sched_end_date", count=3))
    sched.run(max_iterations=3)
    runs = harness.runs("sched_end_date")
    assert [r.logical_date for r in runs] == [hour - timedelta(hours=h) for h in (6, 5, 4)]


def test_a_paused_dag_gets_no_runs(harness: Any) -> None:
    harness.copy_dags("sched_catchup.py")
    sched = harness.scheduler()
    harness.run_until(sched, lambda: harness.all_runs_done("sched_catchup", count=3))
    assert harness.runs("sched_paused") == []


DEFAULT_CATCHUP_DAG = """
from datetime import UTC, datetime, timedelta
from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
with DAG("sched_default_catchup", start_date=HOUR - timedelta(hours=3), schedule="@hourly",
         is_paused_upon_creation=False):
    EmptyOperator(task_id="only")
"""


@pytest.mark.parametrize("by_default", [True, False])
def test_catchup_defaults_to_the_configured_catchup_by_default(
    harness: Any, by_default: bool
) -> None:
    hour = _hour()
    from pathlib import Path

    harness.settings.scheduler.catchup_by_default = by_default
    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sched_default_catchup.py").write_text(DEFAULT_CATCHUP_DAG)
    sched = harness.scheduler()
    count = 3 if by_default else 1
    harness.run_until(sched, lambda: harness.all_runs_done("sched_default_catchup", count=count))
    sched.run(max_iterations=3)
    runs = harness.runs("sched_default_catchup")
    expected = (3, 2, 1) if by_default else (1,)
    assert [r.logical_date for r in runs] == [hour - timedelta(hours=h) for h in expected]
