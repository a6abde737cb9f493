"""TriggerDagRunOperator creates a run of another DAG in the metastore and can wait for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tradewind import DAG, Param
from tradewind.errors import DagRunAlreadyExists, ParamValidationError, TaskFailure, TaskSkipped
from tradewind.metastore.dag_sync import sync_dags
from tradewind.metastore.models import DagRun, TaskInstance
from tradewind.metastore.transitions import set_run_state
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.trigger_dagrun import TriggerDagRunOperator
from tradewind.runtime.dag_test import run_dag_test

LOGICAL = datetime(2024, 1, 1, tzinfo=UTC)


class _Ti:
    def __init__(self) -> None:
        self.pushed: dict[str, object] = {}

    def xcom_push(self, key, value):
        self.pushed[key] = value


@pytest.fixture
def target(metastore):
    with DAG(
        "target", start_date=LOGICAL, schedule=None, params={"n": Param(1, type="integer")}
    ) as dag:
        EmptyOperator(task_id="work")
    with metastore.session() as session:
        sync_dags(session, [dag], sources={"target": "# source"})
    return dag


def _runs(metastore):
    with metastore.session() as session:
        runs = list(session.scalars(select(DagRun).where(DagRun.dag_id == "target")))
        session.expunge_all()
    return runs


def test_a_controller_dag_triggers_the_target_with_conf(metastore, target):
    with DAG("controller", start_date=LOGICAL, schedule=None) as controller:
        TriggerDagRunOperator(
            task_id="trigger",
            trigger_dag_id="target",
            trigger_run_id="from_{{ dag.dag_id }}",
            conf={"n": 5},
            logical_date="{{ logical_date.isoformat() }}",
        )
    result = run_dag_test(controller, logical_date=LOGICAL, metastore=metastore)
    assert result.state == "success"
    (run,) = _runs(metastore)
    assert (run.run_id, run.conf, run.state, run.logical_date) == (
        "from_controller",
        {"n": 5},
        "queued",
        LOGICAL,
    )
    assert run.external_trigger and run.triggered_by == "controller.trigger"
    with metastore.session() as session:
        tis = session.scalars(select(TaskInstance.task_id).where(TaskInstance.dag_id == "target"))
        assert list(tis) == ["work"]
    from tradewind.metastore.xcoms import pull_xcom

    with metastore.session() as session:
        assert (
            pull_xcom(session, "controller", result.run_id, "trigger", "trigger_run_id")
            == "from_controller"
        )


def test_the_run_id_and_logical_date_are_pushed_to_xcom(metastore, target):
    ti = _Ti()
    TriggerDagRunOperator(task_id="t", trigger_dag_id="target", logical_date=LOGICAL).execute(
        {"ti": ti}
    )
    assert ti.pushed == {
        "trigger_run_id": "manual__2024-01-01T00:00:00+00:00",
        "trigger_logical_date_iso": "2024-01-01T00:00:00+00:00",
        "trigger_execution_date_iso": "2024-01-01T00:00:00+00:00",
    }


def test_conf_is_validated_against_the_target_params(metastore, target):
    op = TriggerDagRunOperator(task_id="t", trigger_dag_id="target", conf={"n": "five"})
    with pytest.raises(ParamValidationError, match="n"):
        op.execute({})
    assert _runs(metastore) == []


def test_an_existing_run_fails_skips_or_is_reset(metastore, target):
    kwargs = dict(trigger_dag_id="target", trigger_run_id="fixed", logical_date=LOGICAL)
    TriggerDagRunOperator(task_id="t", **kwargs).execute({})
    with pytest.raises(DagRunAlreadyExists):
        TriggerDagRunOperator(task_id="t", **kwargs).execute({})
    with pytest.raises(TaskSkipped):
        TriggerDagRunOperator(task_id="t", skip_when_already_exists=True, **kwargs).execute({})
    with metastore.session() as session:
        set_run_state(session, "target", "fixed", "failed", expected=["queued"])
    TriggerDagRunOperator(task_id="t", reset_dag_run=True, **kwargs).execute({})
    (run,) = _runs(metastore)
    assert run.state == "queued"


def _finish_later(metastore, state):
    def finish():
        with metastore.session() as session:
            set_run_state(session, "target", "w", state, expected=["queued"])

    timer = threading.Timer(0.3, finish)
    timer.start()
    return timer


@pytest.mark.parametrize(("final", "succeeds"), [("success", True), ("failed", False)])
def test_wait_for_completion_polls_until_an_allowed_or_failed_state(
    metastore, target, final, succeeds
):
    op = TriggerDagRunOperator(
        task_id="t",
        trigger_dag_id="target",
        trigger_run_id="w",
        wait_for_completion=True,
        poke_interval=0.1,
    )
    timer = _finish_later(metastore, final)
    try:
        if succeeds:
            op.execute({"ti": SimpleNamespace(xcom_push=lambda **kw: None)})
        else:
            with pytest.raises(TaskFailure, match="target failed with failed states failed"):
                op.execute({})
    finally:
        timer.join()


def test_bad_arguments_are_refused_at_declaration():
    from tradewind.errors import DagDefinitionError

    with pytest.raises(DagDefinitionError):
        TriggerDagRunOperator(task_id="t", trigger_dag_id="x", logical_date=12345)
    with pytest.raises(DagDefinitionError):
        TriggerDagRunOperator(task_id="t", trigger_dag_id="x", allowed_states=["bogus"])


def test_failed_states_default_to_failed_and_an_empty_list_means_none():
    assert TriggerDagRunOperator(task_id="t", trigger_dag_id="x").failed_states == ["failed"]
    op = TriggerDagRunOperator(task_id="t", trigger_dag_id="x", failed_states=[])
    assert op.failed_states == [] and op.allowed_states == ["success"]
