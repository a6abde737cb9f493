"""A DAG first registered by `tradewind dags reserialize` is scheduled like one the scheduler
parsed itself: its DAG row gets its next run, and the scheduler creates its due runs."""

from __future__ import annotations

import os
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tradewind.cli.main import cli
from tradewind.metastore.models import DagModel

SOURCE = """
from datetime import datetime, timezone

from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

with DAG(
    "{dag_id}",
    start_date=datetime({y}, {m}, {d}, tzinfo=timezone.utc),
    schedule={schedule},
    catchup=True,
    is_paused_upon_creation={paused},
):
    EmptyOperator(task_id="a")
"""


def _midnight_days_ago(days: int) -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days)


def _write_dag(folder: Path, dag_id: str, *, schedule: str, paused: bool) -> datetime:
    start = _midnight_days_ago(2)
    path = folder / f"{dag_id}.py"
    path.write_text(
        textwrap.dedent(
            SOURCE.format(
                dag_id=dag_id,
                y=start.year,
                m=start.month,
                d=start.day,
                schedule=schedule,
                paused=paused,
            )
        )
    )
    stamp = path.stat().st_mtime - 5  # older than the sync, so the CLI sees nothing stale
    os.utime(path, (stamp, stamp))
    return start


def _reserialize() -> None:
    result = CliRunner().invoke(cli, ["dags", "reserialize"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _dag(harness: Any, dag_id: str) -> DagModel:
    with harness.metastore.session() as session:
        dag = session.get(DagModel, dag_id)
        assert dag is not None
        session.expunge(dag)
        return dag


@pytest.mark.parametrize("scheduler_first", [False, True], ids=["before", "while"])
def test_a_reserialized_unpaused_daily_dag_gets_its_catch_up_runs(
    harness: Any, scheduler_first: bool
) -> None:
    harness.settings.scheduler.dag_dir_list_interval = 0.0
    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    sched = harness.scheduler()
    if scheduler_first:
        sched.run_once()  # the scheduler already runs when the DAG is registered
    start = _write_dag(folder, "rs_daily", schedule='"@daily"', paused=False)
    _write_dag(folder, "rs_paused", schedule='"@daily"', paused=True)
    _write_dag(folder, "rs_manual", schedule="None", paused=False)
    _reserialize()

    dag = _dag(harness, "rs_daily")
    assert not dag.is_paused
    assert dag.next_dagrun == start
    assert dag.next_dagrun_create_after == start + timedelta(days=1)

    sched.run_once()
    sched.run_once()

    runs = harness.runs("rs_daily")
    assert [r.logical_date for r in runs] == [start, start + timedelta(days=1)]
    assert {r.run_type for r in runs} == {"scheduled"}
    assert harness.runs("rs_paused") == []
    assert _dag(harness, "rs_paused").is_paused
    assert harness.runs("rs_manual") == []
    manual = _dag(harness, "rs_manual")
    assert manual.next_dagrun is None and manual.next_dagrun_create_after is None
