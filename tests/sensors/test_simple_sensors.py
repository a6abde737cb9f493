"""FileSensor, PythonSensor, TimeDeltaSensor, DateTimeSensor and @task.sensor pokes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tradewind.errors import ConnectionNotFound
from tradewind.sensors import (
    DateTimeSensor,
    FileSensor,
    PokeReturnValue,
    PythonSensor,
    TimeDeltaSensor,
)


def test_file_sensor_waits_for_a_file_under_the_connection_base_path(
    tw_home, tmp_path, monkeypatch
):
    monkeypatch.setenv(
        "TRADEWIND_CONN_DATA", f'{{"conn_type": "fs", "extra": {{"path": "{tmp_path}"}}}}'
    )
    sensor = FileSensor(task_id="f", fs_conn_id="data", filepath="in/*.csv")
    assert sensor.poke({}) is False
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text("no")
    assert sensor.poke({}) is False
    (tmp_path / "in" / "x.csv").write_text("yes")
    assert sensor.poke({}) is True


def test_file_sensor_accepts_a_folder_with_files_and_recursive_globs(sqlite_metastore, tmp_path):
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert FileSensor(task_id="f", filepath=str(tmp_path / "a")).poke({}) is False
    (deep / "data.json").write_text("{}")
    assert FileSensor(task_id="f", filepath=str(tmp_path / "a")).poke({}) is True
    pattern = str(tmp_path / "**" / "*.json")
    assert FileSensor(task_id="f", filepath=pattern, recursive=True).poke({}) is True
    assert FileSensor(task_id="f", filepath=pattern, recursive=False).poke({}) is False


def test_file_sensor_with_an_undefined_named_connection_fails(sqlite_metastore):
    with pytest.raises(ConnectionNotFound):
        FileSensor(task_id="f", fs_conn_id="missing", filepath="x").poke({})


def test_python_sensor_passes_arguments_and_context():
    seen = {}

    def ready(n, ds, threshold):
        seen.update(n=n, ds=ds, threshold=threshold)
        return n > threshold

    sensor = PythonSensor(
        task_id="p", python_callable=ready, op_args=[5], op_kwargs={"threshold": 3}
    )
    assert sensor.poke({"ds": "2024-01-01"}).is_done
    assert seen == {"n": 5, "ds": "2024-01-01", "threshold": 3}


def test_python_sensor_returns_the_poke_return_value_as_the_result():
    sensor = PythonSensor(
        task_id="p", python_callable=lambda: PokeReturnValue(True, [1, 2]), poke_interval=0
    )
    assert sensor.execute({}) == [1, 2]


def test_time_delta_sensor_waits_past_the_end_of_the_data_interval():
    now = datetime.now(UTC)
    sensor = TimeDeltaSensor(task_id="t", delta=timedelta(minutes=5))
    assert sensor.poke({"data_interval_end": now - timedelta(minutes=6)}) is True
    assert sensor.poke({"data_interval_end": now - timedelta(minutes=4)}) is False


def test_date_time_sensor_compares_with_a_datetime_or_iso_string():
    past, future = datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1)
    assert DateTimeSensor(task_id="d", target_time=past).poke({}) is True
    assert DateTimeSensor(task_id="d", target_time=future.isoformat()).poke({}) is False
    naive_past = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    assert DateTimeSensor(task_id="d", target_time=naive_past).poke({}) is True
    assert "target_time" in DateTimeSensor.template_fields


def test_task_sensor_decorator_builds_a_sensor_from_a_function():
    from tradewind import DAG, task

    calls = []

    with DAG("sensor_dag", start_date=datetime(2024, 1, 1), schedule=None) as dag:

        @task.sensor(poke_interval=0, timeout=5, mode="poke")
        def wait_for_it(limit: int):
            calls.append(1)
            return PokeReturnValue(is_done=len(calls) >= limit, xcom_value="ready")

        wait_for_it(2)

    op = dag.get_task("wait_for_it")
    assert op.is_sensor and op.poke_interval == 0 and op.mode == "poke"
    assert op.execute({}) == "ready"
    assert len(calls) == 2


def test_task_sensor_accepts_a_bool_return():
    from tradewind import DAG, task

    with DAG("sensor_dag2", start_date=datetime(2024, 1, 1), schedule=None) as dag:

        @task.sensor(poke_interval=0, timeout=1)
        def ready() -> bool:
            return True

        ready()

    assert dag.get_task("ready").execute({}) is None


def test_time_sensor_compares_the_time_of_day():
    from datetime import time

    from tradewind.sensors import TimeSensor

    assert TimeSensor(task_id="t", target_time=time(0, 0)).poke({}) is (
        datetime.now(UTC).time() > time(0, 0)
    )
    assert TimeSensor(task_id="t", target_time=time(23, 59, 59, 999999)).poke({}) is False


def test_deferrable_sensors_run_in_reschedule_mode():
    sensor = FileSensor(task_id="f", filepath="x", deferrable=True)
    assert sensor.mode == "reschedule"
