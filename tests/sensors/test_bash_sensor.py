"""BashSensor through the real runtime: exit 0 is done; without ``retry_exit_code`` any other
code means "poke again"; with it, that code means "poke again" and any other code fails the task
without retries. ``bash_command`` and ``env`` are templated; ``env`` replaces the environment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tradewind import DAG
from tradewind.runtime.dag_test import run_dag_test
from tradewind.sensors import BashSensor

LOGICAL = datetime(2024, 1, 1, tzinfo=UTC)


def _run(dag, metastore):
    return run_dag_test(dag, logical_date=LOGICAL, metastore=metastore)


def _count_then_exit(counter: Path, until: int, code: int) -> str:
    """A command that notes each poke in ``counter`` and exits ``code`` before poke ``until``."""
    return f'echo poke >> {counter}; [ "$(wc -l < {counter})" -ge {until} ] && exit 0; exit {code}'


@pytest.mark.parametrize("mode", ["poke", "reschedule"])
def test_any_non_zero_exit_pokes_again_until_the_command_exits_zero(metastore, tmp_path, mode):
    counter = tmp_path / "pokes"
    with DAG(f"bash_sensor_{mode}", start_date=LOGICAL, schedule=None) as dag:
        BashSensor(
            task_id="wait",
            bash_command=_count_then_exit(counter, 3, 7),
            mode=mode,
            poke_interval=0.1,
            timeout=30,
        )
    wait = _run(dag, metastore).get_task_instance("wait")
    assert wait.state == "success" and wait.try_number == 1
    assert counter.read_text().splitlines() == ["poke"] * 3


def test_the_retry_exit_code_pokes_again(metastore, tmp_path):
    counter = tmp_path / "pokes"
    with DAG("bash_sensor_retry_code", start_date=LOGICAL, schedule=None) as dag:
        BashSensor(
            task_id="wait",
            bash_command=_count_then_exit(counter, 2, 5),
            retry_exit_code=5,
            mode="reschedule",
            poke_interval=0.1,
            timeout=30,
        )
    assert _run(dag, metastore).get_task_instance("wait").state == "success"
    assert len(counter.read_text().splitlines()) == 2


def test_another_exit_code_than_the_retry_exit_code_fails_without_retries(metastore, tmp_path):
    counter = tmp_path / "pokes"
    with DAG("bash_sensor_fail", start_date=LOGICAL, schedule=None) as dag:
        BashSensor(
            task_id="wait",
            bash_command=_count_then_exit(counter, 10, 2),
            retry_exit_code=1,
            poke_interval=0.1,
            timeout=30,
            retries=2,
            retry_delay=0.1,
        )
    wait = _run(dag, metastore).get_task_instance("wait")
    assert wait.state == "failed" and wait.try_number == 1
    assert len(counter.read_text().splitlines()) == 1


def test_a_command_that_never_exits_zero_times_out(metastore):
    with DAG("bash_sensor_timeout", start_date=LOGICAL, schedule=None) as dag:
        BashSensor(
            task_id="wait", bash_command="exit 1", mode="reschedule", poke_interval=0.2, timeout=0.5
        )
    wait = _run(dag, metastore).get_task_instance("wait")
    assert wait.state == "failed" and wait.try_number == 1


def test_bash_command_and_env_are_templated_and_env_replaces_the_environment(
    metastore, tmp_path, monkeypatch
):
    monkeypatch.setenv("OUTER_ONLY", "leaked")
    out = tmp_path / "out"
    with DAG("bash_sensor_tpl", start_date=LOGICAL, schedule=None) as dag:
        BashSensor(
            task_id="wait",
            bash_command=f'echo "{{{{ ds }}}} $DAY ${{OUTER_ONLY:-none}}" > {out}',
            env={"DAY": "{{ logical_date.strftime('%A') }}"},
            poke_interval=0.1,
            timeout=30,
        )
    assert _run(dag, metastore).get_task_instance("wait").state == "success"
    assert out.read_text().strip() == "2024-01-01 Monday none"
    assert BashSensor.template_fields == ("bash_command", "env")


def test_without_env_the_command_sees_the_workers_environment(sqlite_metastore, monkeypatch):
    monkeypatch.setenv("BASH_SENSOR_FLAG", "ready")
    sensor = BashSensor(task_id="s", bash_command='[ "$BASH_SENSOR_FLAG" = ready ]')
    assert sensor.poke({}) is True
    monkeypatch.setenv("BASH_SENSOR_FLAG", "not yet")
    assert sensor.poke({}) is False


def test_output_is_decoded_with_output_encoding(sqlite_metastore, caplog):
    sensor = BashSensor(task_id="s", bash_command="printf 'caf\\xe9\\n'", output_encoding="latin-1")
    with caplog.at_level("INFO"):
        assert sensor.poke({}) is True
    assert "café" in caplog.text
