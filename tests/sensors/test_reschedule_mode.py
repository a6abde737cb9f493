"""Sensors through the real runtime (`dag.test()` path): reschedule mode frees the slot between
pokes (up_for_reschedule, same try), times out from the first poke without retrying, and
soft_fail skips."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tradewind import DAG, task
from tradewind.runtime.dag_test import run_dag_test
from tradewind.sensors import PokeReturnValue, PythonSensor

LOGICAL = datetime(2024, 1, 1, tzinfo=UTC)


def _run(dag, metastore):
    return run_dag_test(dag, logical_date=LOGICAL, metastore=metastore)


def test_a_reschedule_sensor_pokes_in_separate_runs_of_the_same_try(metastore):
    pokes: list[str] = []

    def ready(ti):
        pokes.append(ti.state)
        return PokeReturnValue(len(pokes) >= 3, xcom_value={"pokes": len(pokes)})

    with DAG("resched_ok", start_date=LOGICAL, schedule=None) as dag:
        PythonSensor(
            task_id="wait", python_callable=ready, mode="reschedule", poke_interval=0.2, timeout=30
        )
    result = _run(dag, metastore)
    wait = result.get_task_instance("wait")
    assert result.state == "success" and wait.state == "success"
    assert len(pokes) == 3
    assert wait.try_number == 1  # rescheduling is not retrying
    from tradewind.metastore.xcoms import pull_xcom

    with metastore.session() as session:
        assert pull_xcom(session, "resched_ok", result.run_id, "wait") == {"pokes": 3}


def test_a_reschedule_sensor_times_out_from_its_first_poke_without_retrying(metastore):
    with DAG("resched_timeout", start_date=LOGICAL, schedule=None) as dag:
        PythonSensor(
            task_id="wait",
            python_callable=lambda: False,
            mode="reschedule",
            poke_interval=0.2,
            timeout=0.7,
            retries=2,
        )
    result = _run(dag, metastore)
    wait = result.get_task_instance("wait")
    assert wait.state == "failed" and wait.try_number == 1
    assert wait.duration is not None


def test_soft_fail_skips_a_sensor_that_times_out(metastore):
    with DAG("resched_soft", start_date=LOGICAL, schedule=None) as dag:
        PythonSensor(
            task_id="wait",
            python_callable=lambda: False,
            mode="reschedule",
            poke_interval=0.2,
            timeout=0.5,
            soft_fail=True,
        )
    assert _run(dag, metastore).get_task_instance("wait").state == "skipped"


def test_task_sensor_in_reschedule_mode_feeds_its_value_downstream(metastore):
    seen = []

    with DAG("resched_taskflow", start_date=LOGICAL, schedule=None) as dag:

        @task.sensor(poke_interval=0.2, timeout=30, mode="reschedule")
        def wait_for_number() -> PokeReturnValue:
            seen.append(1)
            return PokeReturnValue(is_done=len(seen) >= 2, xcom_value=42)

        @task
        def use(n):
            seen.append(n)

        use(wait_for_number())

    result = _run(dag, metastore)
    assert result.state == "success"
    assert seen == [1, 1, 42]


@pytest.mark.parametrize("mode", ["poke", "reschedule"])
def test_a_poke_mode_sensor_that_fails_in_poke_uses_retries(metastore, mode):
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("cannot check")

    with DAG(f"sensor_error_{mode}", start_date=LOGICAL, schedule=None) as dag:
        PythonSensor(
            task_id="wait",
            python_callable=broken,
            mode=mode,
            poke_interval=0.1,
            retries=1,
            retry_delay=0.1,
        )
    wait = _run(dag, metastore).get_task_instance("wait")
    assert wait.state == "failed" and wait.try_number == 2 and len(calls) == 2
