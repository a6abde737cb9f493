"""Scheduled runs of ``@continuous`` DAGs and of Airflow's built-in timetables, made by the
scheduler from the DAG files' specs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tradewind.metastore.models import DagModel

CONTINUOUS_DAG = """
from datetime import UTC, datetime, timedelta
from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

START = datetime(2024, 1, 1, tzinfo=UTC)
with DAG("continuous", start_date=START, schedule="@continuous", max_active_runs=1,
         is_paused_upon_creation=False):
    EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
"""

TRIGGER_DAG = """
from datetime import UTC, datetime, timedelta
from tradewind import DAG
from tradewind.operators.empty import EmptyOperator
from tradewind.timetables.events import EventsTimetable
from tradewind.timetables.trigger import CronTriggerTimetable

HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
with DAG("cron_trigger", start_date=HOUR - timedelta(hours=3),
         schedule=CronTriggerTimetable("@hourly", timezone="UTC", interval=timedelta(minutes=30)),
         catchup=True, is_paused_upon_creation=False):
    EmptyOperator(task_id="only")

with DAG("events", start_date=HOUR - timedelta(days=1),
         schedule=EventsTimetable([HOUR - timedelta(hours=5), HOUR + timedelta(days=2),
                                   HOUR - timedelta(hours=2)]),
         is_paused_upon_creation=False):
    EmptyOperator(task_id="only")
"""


def _write(harness: Any, name: str, code: str) -> None:
    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(code)


def test_continuous_dag_starts_a_new_run_as_soon_as_the_previous_one_ends(harness: Any) -> None:
    _write(harness, "continuous.py", CONTINUOUS_DAG)
    sched = harness.scheduler()
    harness.run_until(sched, lambda: harness.all_runs_done("continuous", count=3))
    runs = [r for r in harness.runs("continuous") if r.state == "success"]
    assert len(runs) >= 3 and {r.run_type for r in harness.runs("continuous")} == {"scheduled"}
    assert runs[0].logical_date == datetime(2024, 1, 1, tzinfo=UTC)
    assert runs[0].data_interval_start == datetime(2024, 1, 1, tzinfo=UTC)
    for before, after in zip(runs, runs[1:], strict=False):
        # one at a time: the next run starts after the previous one ended
        assert before.end_date is not None and after.start_date is not None
        assert after.start_date >= before.end_date
        # intervals chain: each starts where the previous one ended, and ends at its creation
        assert after.data_interval_start == before.data_interval_end
        assert after.logical_date == after.data_interval_start
        assert after.data_interval_end is not None and after.data_interval_end > before.end_date
    assert runs[-1].data_interval_end is not None
    assert runs[-1].data_interval_end <= datetime.now(UTC)


def test_a_continuous_dag_must_allow_one_active_run_at_most() -> None:
    from tradewind import DAG
    from tradewind.errors import DagDefinitionError

    start = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(DagDefinitionError, match=r"requires max_active_runs <= 1, got 5"):
        DAG("continuous_many", start_date=start, schedule="@continuous", max_active_runs=5)
    dag = DAG("continuous_one", start_date=start, schedule="@continuous", max_active_runs=1)
    assert dag.schedule_spec.kind == "continuous"


def test_cron_trigger_and_events_timetables_make_their_runs(harness: Any) -> None:
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    _write(harness, "trigger.py", TRIGGER_DAG)
    sched = harness.scheduler()
    harness.run_until(
        sched,
        lambda: (
            harness.all_runs_done("cron_trigger", count=4)
            and harness.all_runs_done("events", count=2)
        ),
    )
    sched.run(max_iterations=3)
    runs = harness.runs("cron_trigger")
    fires = [hour - timedelta(hours=h) for h in (3, 2, 1, 0)]
    assert [r.logical_date for r in runs] == fires
    assert [(r.data_interval_start, r.data_interval_end) for r in runs] == [
        (f - timedelta(minutes=30), f) for f in fires
    ]
    events = harness.runs("events")
    assert [r.logical_date for r in events] == [
        hour - timedelta(hours=5),
        hour - timedelta(hours=2),
    ]
    assert all(r.data_interval_start == r.data_interval_end == r.logical_date for r in events)
    with harness.metastore.session() as session:
        dag = session.get(DagModel, "events")
        assert dag is not None and dag.next_dagrun == hour + timedelta(days=2)
