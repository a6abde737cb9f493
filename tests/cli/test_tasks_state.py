"""`tradewind tasks clear|states-for-dag-run|state`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scheduler.dag_processor import DagProcessor
from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.core.keys import TaskInstanceKey
from tradewind.metastore import transitions
from tradewind.metastore.runs import trigger_dag

DAGS = Path(__file__).resolve().parents[1] / "dags" / "scheduler"


@pytest.fixture
def run(settings, metastore, capsys):
    shutil.copy(DAGS / "sched_chain.py", Path(settings.core.dags_folder) / "sched_chain.py")
    DagProcessor(settings, metastore).process()

    def _run(*args: str) -> tuple[int, str, str]:
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


@pytest.fixture
def finished_run(metastore) -> str:
    """A run whose first task succeeded and second failed."""
    with metastore.session() as session:
        run_id = trigger_dag(session, "sched_chain", run_id="r1").run_id
    with metastore.session() as session:
        for task_id, state in (("first", "success"), ("second", "failed")):
            key = TaskInstanceKey("sched_chain", run_id, task_id)
            assert transitions.set_task_state(session, key, state, expected=["none"])
    return run_id


def test_states_for_dag_run_lists_every_task_instance(run, finished_run):
    code, out, _ = run("tasks", "states-for-dag-run", "sched_chain", finished_run, "-o", "json")
    assert code == 0
    states = {r["task_id"]: r["state"] for r in json.loads(out)}
    assert states == {"first": "success", "second": "failed", "third": "none"}


def test_task_state_prints_the_state(run, finished_run):
    code, out, _ = run("tasks", "state", "sched_chain", "second", finished_run)
    assert (code, out.strip()) == (0, "failed")
    code, _, err = run("tasks", "state", "sched_chain", "nope", finished_run)
    assert code == 1 and "no task 'nope'" in err


def test_clear_only_failed_with_downstream_resets_them_and_requeues_the_run(run, finished_run):
    code, out, err = run("tasks", "clear", "sched_chain", "--only-failed", "--yes")
    assert code == 0, err
    assert "Cleared 1 task instance(s)." in out
    code, out, _ = run("tasks", "states-for-dag-run", "sched_chain", finished_run, "-o", "json")
    states = {r["task_id"]: r["state"] for r in json.loads(out)}
    assert states == {"first": "success", "second": "none", "third": "none"}


def test_clear_with_a_regex_asks_first_and_aborts_on_no(run, finished_run, monkeypatch):
    monkeypatch.setattr(
        "click.confirm",
        lambda *a, **k: (_ for _ in ()).throw(__import__("click").exceptions.Abort()),
    )
    code, out, _ = run("tasks", "clear", "sched_chain", "-t", "^fir")
    assert code == 1
    assert "sched_chain.first in r1" in out
    code, out, _ = run("tasks", "state", "sched_chain", "first", finished_run)
    assert out.strip() == "success"


def _states(run, run_id: str) -> dict[str, str]:
    code, out, _ = run("tasks", "states-for-dag-run", "sched_chain", run_id, "-o", "json")
    assert code == 0
    return {r["task_id"]: r["state"] for r in json.loads(out)}


def test_clear_downstream_also_clears_the_tasks_after_the_matched_ones(run, finished_run):
    code, _, err = run("tasks", "clear", "sched_chain", "-t", "^first$", "--yes")
    assert code == 0, err
    assert _states(run, finished_run) == {"first": "none", "second": "failed", "third": "none"}
    code, _, err = run("tasks", "clear", "sched_chain", "-t", "^first$", "--downstream", "--yes")
    assert code == 0, err
    assert _states(run, finished_run) == {"first": "none", "second": "none", "third": "none"}


def test_clear_start_and_end_dates_bound_the_runs_logical_dates(run, finished_run, metastore):
    from datetime import UTC, datetime

    with metastore.session() as session:
        old = trigger_dag(
            session, "sched_chain", run_id="old", logical_date=datetime(2024, 1, 1, tzinfo=UTC)
        ).run_id
        key = TaskInstanceKey("sched_chain", old, "first")
        assert transitions.set_task_state(session, key, "failed", expected=["none"])
    code, _, err = run("tasks", "clear", "sched_chain", "-s", "2025-01-01", "-f", "-y")
    assert code == 0, err
    assert _states(run, finished_run)["second"] == "none"
    assert _states(run, old)["first"] == "failed"
    code, _, err = run("tasks", "clear", "sched_chain", "-e", "2024-06-01", "-f", "-y")
    assert code == 0, err
    assert _states(run, old)["first"] == "none"
