"""ExternalTaskSensor reads the other DAG's task instances and runs in the metastore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tradewind.errors import DagDefinitionError, TaskFailure, TaskSkipped
from tradewind.metastore.models import DagRun, TaskInstance
from tradewind.sensors import ExternalTaskSensor

DAY = datetime(2024, 1, 2, tzinfo=UTC)


def _add_run(metastore, dag_id, logical_date, run_state, tasks):
    run_id = f"scheduled__{logical_date.isoformat()}"
    with metastore.session() as session:
        session.add(
            DagRun(dag_id=dag_id, run_id=run_id, logical_date=logical_date, state=run_state)
        )
        for task_id, states in tasks.items():
            for index, state in enumerate(states if isinstance(states, list) else [states]):
                map_index = index if isinstance(states, list) else -1
                session.add(
                    TaskInstance(
                        dag_id=dag_id,
                        run_id=run_id,
                        task_id=task_id,
                        map_index=map_index,
                        state=state,
                    )
                )


def test_waits_until_the_external_task_succeeds(metastore):
    sensor = ExternalTaskSensor(task_id="w", external_dag_id="up", external_task_id="load")
    assert sensor.poke({"logical_date": DAY}) is False  # no run yet
    _add_run(metastore, "up", DAY, "running", {"load": "running"})
    assert sensor.poke({"logical_date": DAY}) is False
    with metastore.session() as session:
        session.query(TaskInstance).filter_by(task_id="load").update({"state": "success"})
    assert sensor.poke({"logical_date": DAY}) is True


def test_execution_delta_looks_at_an_earlier_run(metastore):
    _add_run(metastore, "up", DAY - timedelta(hours=1), "success", {"load": "success"})
    sensor = ExternalTaskSensor(
        task_id="w",
        external_dag_id="up",
        external_task_id="load",
        execution_delta=timedelta(hours=1),
    )
    assert sensor.poke({"logical_date": DAY}) is True
    fn_sensor = ExternalTaskSensor(
        task_id="w2",
        external_dag_id="up",
        external_task_ids=["load"],
        execution_date_fn=lambda dt: dt - timedelta(hours=1),
    )
    assert fn_sensor.poke({"logical_date": DAY}) is True


def test_without_a_task_the_whole_run_state_counts(metastore):
    _add_run(metastore, "up", DAY, "running", {})
    sensor = ExternalTaskSensor(task_id="w", external_dag_id="up", failed_states=["failed"])
    assert sensor.poke({"logical_date": DAY}) is False
    with metastore.session() as session:
        session.query(DagRun).update({"state": "failed"})
    with pytest.raises(TaskFailure, match="The external DAG up failed"):
        sensor.poke({"logical_date": DAY})


def test_failed_states_fail_or_skip_with_soft_fail(metastore):
    _add_run(metastore, "up", DAY, "running", {"a": "success", "b": "failed"})
    kwargs = dict(external_dag_id="up", external_task_ids=["a", "b"], failed_states=["failed"])
    with pytest.raises(TaskFailure, match="Some of the external tasks"):
        ExternalTaskSensor(task_id="w", **kwargs).poke({"logical_date": DAY})
    with pytest.raises(TaskSkipped):
        ExternalTaskSensor(task_id="w", soft_fail=True, **kwargs).poke({"logical_date": DAY})


def test_skipped_states_skip_the_sensor(metastore):
    _add_run(metastore, "up", DAY, "running", {"a": "skipped"})
    sensor = ExternalTaskSensor(
        task_id="w", external_dag_id="up", external_task_id="a", skipped_states=["skipped"]
    )
    with pytest.raises(TaskSkipped):
        sensor.poke({"logical_date": DAY})


def test_a_mapped_task_is_done_only_when_every_index_is(metastore):
    _add_run(metastore, "up", DAY, "running", {"m": ["success", "running"]})
    sensor = ExternalTaskSensor(task_id="w", external_dag_id="up", external_task_id="m")
    assert sensor.poke({"logical_date": DAY}) is False


def test_conflicting_arguments_are_refused_at_declaration():
    with pytest.raises(DagDefinitionError, match="Only one of `external_task_id`"):
        ExternalTaskSensor(
            task_id="w", external_dag_id="up", external_task_id="a", external_task_ids=["b"]
        )
    with pytest.raises(DagDefinitionError, match="Duplicate values"):
        ExternalTaskSensor(
            task_id="w", external_dag_id="up", allowed_states=["success"], failed_states=["success"]
        )
    with pytest.raises(DagDefinitionError, match="execution_delta"):
        ExternalTaskSensor(
            task_id="w",
            external_dag_id="up",
            execution_delta=timedelta(1),
            execution_date_fn=lambda dt: dt,
        )
    with pytest.raises(DagDefinitionError, match="Valid values"):
        ExternalTaskSensor(task_id="w", external_dag_id="up", allowed_states=["upstream_failed"])
