"""``ExternalTaskSensor(check_existence=True)`` as Airflow's ``_check_for_existence``: a task or
task group missing from the external DAG fails the sensor at its first poke; task groups are
waited for as a whole."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.dag_processor import DagProcessor
from tradewind.errors import TaskFailure
from tradewind.metastore.models import DagRun, TaskInstance
from tradewind.sensors import ExternalTaskSensor

DAY = datetime(2024, 1, 2, tzinfo=UTC)

UPSTREAM_DAG = """
from datetime import datetime

from tradewind import DAG, TaskGroup
from tradewind.operators.empty import EmptyOperator

with DAG("compat_up", start_date=datetime(2024, 1, 1), schedule="@daily"):
    load = EmptyOperator(task_id="load")
    with TaskGroup("stage"):
        EmptyOperator(task_id="clean")
        with TaskGroup("inner"):
            EmptyOperator(task_id="check")
"""

WAITING_DAG = """
from datetime import datetime

from tradewind import DAG
from tradewind.sensors import ExternalTaskSensor

with DAG("compat_down", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    ExternalTaskSensor(
        task_id="wait",
        external_dag_id="compat_up",
        external_task_id="lod",
        check_existence=True,
        poke_interval=1,
        timeout=20,
    )
"""


@pytest.fixture
def parsed(settings, metastore) -> Path:
    """The upstream DAG, parsed into the metastore from its file as a scheduler would."""
    folder = Path(settings.core.dags_folder)
    (folder / "compat_up.py").write_text(UPSTREAM_DAG)
    DagProcessor(settings, metastore).process()
    return folder


def _poke(sensor: ExternalTaskSensor) -> bool:
    return sensor.poke({"logical_date": DAY})


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"external_task_id": "lod"}, "lod"),
        ({"external_task_ids": ["load", "stage.clean", "nope"]}, "nope"),
        ({"external_task_id": "clean"}, "clean"),  # the id without its group's prefix
    ],
)
def test_a_task_missing_from_the_external_dag_fails_at_once(parsed, kwargs, missing):
    sensor = ExternalTaskSensor(
        task_id="w", external_dag_id="compat_up", check_existence=True, **kwargs
    )
    with pytest.raises(TaskFailure) as raised:
        _poke(sensor)
    assert str(raised.value) == f"The external task {missing} in DAG compat_up does not exist."


def test_a_missing_task_group_fails_at_once(parsed):
    sensor = ExternalTaskSensor(
        task_id="w",
        external_dag_id="compat_up",
        external_task_group_id="stag",
        check_existence=True,
    )
    with pytest.raises(TaskFailure, match="The external task group 'stag' in DAG 'compat_up' "):
        _poke(sensor)


def test_existing_tasks_and_groups_pass_the_check_and_wait(parsed, metastore):
    for kwargs in (
        {"external_task_id": "load"},
        {"external_task_ids": ["load", "stage.inner.check"]},
        {"external_task_group_id": "stage"},
        {"external_task_group_id": "stage.inner"},
    ):
        sensor = ExternalTaskSensor(
            task_id="w", external_dag_id="compat_up", check_existence=True, **kwargs
        )
        assert _poke(sensor) is False  # no run yet: waits
        assert sensor._has_checked_existence


def test_a_missing_dag_still_fails_with_airflows_message(parsed):
    sensor = ExternalTaskSensor(
        task_id="w", external_dag_id="nowhere", external_task_id="load", check_existence=True
    )
    with pytest.raises(TaskFailure, match="^The external DAG nowhere does not exist.$"):
        _poke(sensor)


def test_a_task_group_is_done_when_every_task_in_it_is(parsed, metastore):
    run_id = "scheduled__2024-01-02"
    states = {"load": "running", "stage.clean": "success", "stage.inner.check": "running"}
    with metastore.session() as session:
        session.add(DagRun(dag_id="compat_up", run_id=run_id, logical_date=DAY, state="running"))
        for task_id, state in states.items():
            session.add(
                TaskInstance(dag_id="compat_up", run_id=run_id, task_id=task_id, state=state)
            )
    sensor = ExternalTaskSensor(
        task_id="w",
        external_dag_id="compat_up",
        external_task_group_id="stage",
        failed_states=["failed"],
    )
    assert _poke(sensor) is False
    with metastore.session() as session:
        session.query(TaskInstance).filter_by(task_id="stage.inner.check").update(
            {"state": "success"}
        )
    assert _poke(sensor) is True  # "load" is outside the group
    with metastore.session() as session:
        session.query(TaskInstance).filter_by(task_id="stage.clean").update({"state": "failed"})
    with pytest.raises(TaskFailure, match="The external task_group 'stage' in DAG 'compat_up'"):
        _poke(sensor)


def test_in_a_dag_run_the_sensor_fails_on_its_first_poke(parsed, settings, metastore):
    from tradewind.parsing.dagbag import DagBag

    (parsed / "compat_down.py").write_text(WAITING_DAG)
    dag = DagBag(str(parsed)).get_dag("compat_down")
    log = io.StringIO()
    started = time.monotonic()
    result = dag.test(logical_date=DAY, metastore=metastore, settings=settings, echo=log)
    assert time.monotonic() - started < 15
    (wait,) = result.tasks
    assert (wait.state, wait.try_number) == ("failed", 1)
    assert "The external task lod in DAG compat_up does not exist." in log.getvalue()
