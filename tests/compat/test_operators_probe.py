"""Built-in operators and sensors in DAG files written as for Airflow 2.x, run with
``tradewind dags test``: the states they reach are the ones Airflow gives."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli


@pytest.fixture
def run_dag(sqlite_metastore, tw_home: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    """``run_dag(source, dag_id)``: write ``source`` as a DAG file (every DAG in it is stored
    in the metastore, as the scheduler would), run ``tradewind dags test dag_id`` and return
    the task states (``task_id`` -> state); ``run_dag.last`` is the whole JSON result."""
    dags = tw_home / "dags"
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(dags))

    def _cli(*args: str) -> str:
        code = run_with_error_boundary(cli, list(args))
        out, err = capsys.readouterr()
        assert code in (0, 1), f"tradewind {' '.join(args)} exited {code}: {err}\n{out}"
        return out

    def _run(source: str, dag_id: str) -> dict[str, str]:
        (dags / f"{dag_id}.py").write_text(textwrap.dedent(source))
        _cli("dags", "reserialize")
        result: dict[str, Any] = json.loads(_cli("dags", "test", dag_id, "-o", "json"))
        _run.last = result  # type: ignore[attr-defined]
        return {t["task_id"]: t["state"] for t in result["tasks"]}

    return _run


def _xcom(store: Any, result: dict[str, Any], task_id: str, key: str = "return_value") -> Any:
    from tradewind.metastore.xcoms import pull_xcom

    with store.session() as session:
        return pull_xcom(session, result["dag_id"], result["run_id"], task_id, key)


@pytest.mark.parametrize("ignore_downstream_trigger_rules", [True, False])
def test_short_circuit_never_skips_a_teardown(run_dag, ignore_downstream_trigger_rules) -> None:
    # Airflow 2.7+: ShortCircuitOperator leaves teardown tasks to their trigger rule
    # (all_done_setup_success), so the resource the setup made is still torn down.
    states = run_dag(
        f"""
        from datetime import datetime

        from tradewind import DAG
        from tradewind.operators.empty import EmptyOperator
        from tradewind.operators.python import ShortCircuitOperator

        with DAG("sc_teardown", start_date=datetime(2024, 1, 1), schedule=None):
            create = EmptyOperator(task_id="create")
            check = ShortCircuitOperator(
                task_id="check",
                python_callable=lambda: False,
                ignore_downstream_trigger_rules={ignore_downstream_trigger_rules},
            )
            work = EmptyOperator(task_id="work")
            delete = EmptyOperator(task_id="delete")
            create >> check >> [work, delete.as_teardown(setups=create)]
            work >> delete
        """,
        "sc_teardown",
    )
    assert states == {
        "create": "success",
        "check": "success",
        "work": "skipped",
        "delete": "success",
    }


def test_a_never_fail_sensor_that_times_out_fails(run_dag) -> None:
    # Airflow 2.10: never_fail skips on an error raised by poke(); a timeout still fails
    # (only soft_fail turns a timeout into a skip).
    states = run_dag(
        """
        from datetime import datetime

        from tradewind import DAG
        from tradewind.sensors.python import PythonSensor

        def _broken():
            raise RuntimeError("cannot poke")

        with DAG("never_fail", start_date=datetime(2024, 1, 1), schedule=None):
            PythonSensor(task_id="waits", python_callable=lambda: False, poke_interval=0.1,
                         timeout=0.3, never_fail=True)
            PythonSensor(task_id="broken", python_callable=_broken, never_fail=True)
            PythonSensor(task_id="soft", python_callable=lambda: False, poke_interval=0.1,
                         timeout=0.3, soft_fail=True)
        """,
        "never_fail",
    )
    assert states == {"waits": "failed", "broken": "skipped", "soft": "skipped"}


def test_a_naive_date_time_sensor_target_is_in_the_default_timezone(
    run_dag, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Airflow parses target_time with timezone.parse: a naive value is in core.default_timezone.
    # An hour from now as UTC wall-clock time, read at UTC+14, lies 13 hours in the past.
    monkeypatch.setenv("TRADEWIND__CORE__DEFAULT_TIMEZONE", "Etc/GMT-14")
    states = run_dag(
        """
        from datetime import datetime, timedelta, timezone

        from tradewind import DAG
        from tradewind.sensors.date_time import DateTimeSensor

        SOON = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(hours=1)

        with DAG("naive_target", start_date=datetime(2024, 1, 1), schedule=None):
            DateTimeSensor(task_id="naive", target_time=SOON.isoformat(), poke_interval=0.1,
                           timeout=0.3, soft_fail=True)
            DateTimeSensor(task_id="aware", target_time=SOON.isoformat() + "+00:00",
                           poke_interval=0.1, timeout=0.3, soft_fail=True)
        """,
        "naive_target",
    )
    assert states == {"naive": "success", "aware": "skipped"}


def test_a_naive_trigger_logical_date_is_in_the_default_timezone(
    run_dag, sqlite_metastore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Airflow 2: a string logical_date/execution_date goes through timezone.parse.
    monkeypatch.setenv("TRADEWIND__CORE__DEFAULT_TIMEZONE", "Etc/GMT-2")
    states = run_dag(
        """
        from datetime import datetime

        from tradewind import DAG
        from tradewind.operators.empty import EmptyOperator
        from tradewind.operators.trigger_dagrun import TriggerDagRunOperator

        with DAG("target", start_date=datetime(2024, 1, 1), schedule=None):
            EmptyOperator(task_id="noop")

        with DAG("controller", start_date=datetime(2024, 1, 1), schedule=None):
            TriggerDagRunOperator(
                task_id="trigger", trigger_dag_id="target", logical_date="2024-03-01T12:00:00"
            )
        """,
        "controller",
    )
    assert states == {"trigger": "success"}
    when = _xcom(sqlite_metastore, run_dag.last, "trigger", "trigger_execution_date_iso")
    assert datetime.fromisoformat(when) == datetime(2024, 3, 1, 10, tzinfo=UTC)
