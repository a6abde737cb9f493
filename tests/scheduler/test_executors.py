"""The executor contract and how an executor is chosen."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.executors.base import Executor
from scheduler.executors.factory import build_executor
from tradewind.errors import ConfigError


@pytest.mark.parametrize("name", ["sequential", "local"])
def test_the_built_in_executors_implement_the_contract(sched_settings: Any, name: str) -> None:
    executor = build_executor(sched_settings, object(), name)  # type: ignore[arg-type]
    assert isinstance(executor, Executor)
    executor.start()
    assert executor.open_slots() >= 1
    assert executor.collect_finished() == []
    executor.end(graceful=True)


def test_the_local_executor_offers_parallelism_slots(sched_settings: Any) -> None:
    executor = build_executor(sched_settings, object(), "local")  # type: ignore[arg-type]
    assert executor.open_slots() == sched_settings.scheduler.parallelism


def test_an_unknown_executor_is_a_config_error_naming_the_choices(sched_settings: Any) -> None:
    with pytest.raises(ConfigError) as info:
        build_executor(sched_settings, object(), "celery")  # type: ignore[arg-type]
    assert "unknown executor 'celery'" in info.value.message
    assert "sequential, local, broker" in info.value.hint


FLAKY_DAG = """
from datetime import datetime
from tradewind import DAG
from tradewind.operators.bash import BashOperator

with DAG(dag_id="exec_flaky", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    BashOperator(task_id="flaky", bash_command='test -f "{flag}" || exit 1')
"""


def test_a_finished_try_row_is_never_put_back_to_running(metastore: Any) -> None:
    from tradewind.core.keys import TryKey
    from tradewind.metastore.models import TaskTry
    from tradewind.metastore.transitions import record_try

    def row_state(key: TryKey) -> str:
        with metastore.session() as session:
            return session.query(TaskTry.state).filter_by(**key._asdict()).scalar()

    ended = TryKey("d", "r", "t", -1, 2)
    with metastore.session() as session:
        record_try(session, ended, "running", hostname="h")
        record_try(session, ended, "success", hostname="h")
    with metastore.session() as session:  # a late claim-time write for the same try
        record_try(session, ended, "running", hostname="late")
    assert row_state(ended) == "success"
    poked = TryKey("d", "r", "sensor", -1, 1)
    with metastore.session() as session:
        record_try(session, poked, "up_for_reschedule")
        record_try(session, poked, "running")  # a rescheduled sensor is claimed again
    assert row_state(poked) == "running"


def test_a_cleared_try_on_the_local_executor_leaves_state_and_history_agreeing(
    harness: Any, tmp_path: Any
) -> None:
    from pathlib import Path

    from tradewind.metastore.runs import clear_task_instances

    flag = tmp_path / "flag"
    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exec_flaky.py").write_text(FLAKY_DAG.format(flag=flag))
    sched = harness.scheduler("local")
    sched.run_once()
    harness.trigger("exec_flaky")
    harness.run_until(sched, lambda: harness.all_runs_done("exec_flaky"), timeout=60)
    flag.write_text("go")
    with harness.metastore.session() as session:
        assert clear_task_instances(session, "exec_flaky", task_ids=["flaky"])
    harness.run_until(
        sched, lambda: [t.state for t in harness.tis("exec_flaky")] == ["success"], timeout=60
    )
    with harness.metastore.session() as session:  # one snapshot, as the dashboard reads it
        from sqlalchemy import select

        from tradewind.metastore.models import TaskInstance, TaskTry

        ti = session.execute(select(TaskInstance)).scalar_one()
        tries = session.execute(select(TaskTry).order_by(TaskTry.try_number)).scalars().all()
        assert (ti.state, ti.try_number) == ("success", 2)
        assert [(t.try_number, t.state) for t in tries] == [(1, "failed"), (2, "success")]
