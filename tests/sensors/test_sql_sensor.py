"""SqlSensor over a SQLite file and the real Postgres."""

from __future__ import annotations

import pytest

from tradewind.errors import TaskFailure
from tradewind.hooks import SqliteHook
from tradewind.sensors import SqlSensor


@pytest.fixture
def db(tw_home, tmp_path, monkeypatch) -> SqliteHook:
    monkeypatch.setenv("TRADEWIND_CONN_LITE", f"sqlite:///{tmp_path / 'lite.db'}")
    hook = SqliteHook(sqlite_conn_id="lite")
    hook.run("CREATE TABLE jobs (name TEXT, done INT)")
    return hook


def test_no_rows_means_not_yet_and_a_truthy_first_cell_means_done(db):
    sensor = SqlSensor(
        task_id="s", conn_id="lite", sql="SELECT done FROM jobs WHERE name = ?", parameters=("a",)
    )
    assert sensor.poke({}) is False
    db.run("INSERT INTO jobs VALUES ('a', 0)")
    assert sensor.poke({}) is False
    db.run("UPDATE jobs SET done = 1")
    assert sensor.poke({}) is True


def test_success_and_failure_callables_judge_the_selected_cell(db):
    db.run("INSERT INTO jobs VALUES ('a', 5)")
    sensor = SqlSensor(
        task_id="s",
        conn_id="lite",
        sql="SELECT name, done FROM jobs",
        selector=lambda row: row[1],
        success=lambda v: v >= 5,
        failure=lambda v: v < 0,
    )
    assert sensor.poke({}) is True
    db.run("UPDATE jobs SET done = -1")
    with pytest.raises(TaskFailure, match="Failure criteria met"):
        sensor.poke({})


def test_fail_on_empty_fails_when_no_row_comes_back(db):
    sensor = SqlSensor(task_id="s", conn_id="lite", sql="SELECT done FROM jobs", fail_on_empty=True)
    with pytest.raises(TaskFailure, match="No rows returned"):
        sensor.poke({})


@pytest.mark.postgres
def test_sql_sensor_works_on_postgres(postgres_database, tw_home, monkeypatch):
    dbname = postgres_database.rsplit("/", 1)[1]
    monkeypatch.setenv("TRADEWIND_CONN_PG", f"postgresql://postgres@127.0.0.1:5432/{dbname}")
    assert SqlSensor(task_id="s", conn_id="pg", sql="SELECT 1").poke({}) is True
    assert SqlSensor(task_id="s", conn_id="pg", sql="SELECT 0").poke({}) is False
