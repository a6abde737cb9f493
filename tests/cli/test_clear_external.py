"""`tradewind tasks clear` follows ExternalTaskMarkers into the other DAG (and `-x` stops it)."""

from __future__ import annotations

import json

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

DAG_FILE = """\
import pendulum
from tradewind import DAG
from tradewind.operators.empty import EmptyOperator
from tradewind.sensors.external_task import ExternalTaskMarker, ExternalTaskSensor

S = pendulum.datetime(2021, 1, 1, tz="UTC")
with DAG("m_parent", start_date=S, schedule=None):
    ExternalTaskMarker(task_id="parent_task", external_dag_id="m_child",
                       external_task_id="child_task1")
with DAG("m_child", start_date=S, schedule=None):
    ExternalTaskSensor(task_id="child_task1", external_dag_id="m_parent",
                       external_task_id="parent_task", timeout=60, mode="reschedule"
                       ) >> EmptyOperator(task_id="child_task2")
"""
DAY = "2024-02-01"


@pytest.fixture
def run(sqlite_metastore, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "marker_dags"
    folder.mkdir()
    (folder / "markers.py").write_text(DAG_FILE)
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(folder))

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    for dag_id in ("m_parent", "m_child"):
        code, _, err = _run("dags", "test", dag_id, DAY)
        assert code == 0, err
    return _run


def child_states(run) -> dict[str, str]:
    code, out, err = run("tasks", "states-for-dag-run", "m_child", DAY, "-o", "json")
    assert code == 0, err
    return {r["task_id"]: r["state"] for r in json.loads(out)}


def test_clear_with_downstream_also_clears_the_marked_task_and_its_downstream(run):
    assert child_states(run) == {"child_task1": "success", "child_task2": "success"}
    code, out, err = run("tasks", "clear", "m_parent", "-t", "parent_task", "-d", "-y")
    assert code == 0, err
    assert "Cleared 3 task instance(s)." in out
    assert child_states(run) == {"child_task1": "none", "child_task2": "none"}


def test_the_confirmation_lists_the_external_task_instances(run, monkeypatch):
    import click

    monkeypatch.setattr(click, "confirm", lambda *a, **k: (_ for _ in ()).throw(click.Abort()))
    code, out, _ = run("tasks", "clear", "m_parent", "-t", "parent_task", "-d")
    assert code == 1
    assert "about to clear these 3 task instance(s)" in out
    assert "m_child.child_task2" in out
    assert child_states(run) == {"child_task1": "success", "child_task2": "success"}


def test_exclude_subdags_clears_only_the_dag_itself(run):
    code, out, err = run("tasks", "clear", "m_parent", "-t", "parent_task", "-d", "-x", "-y")
    assert code == 0, err
    assert "Cleared 1 task instance(s)." in out
    assert child_states(run) == {"child_task1": "success", "child_task2": "success"}
