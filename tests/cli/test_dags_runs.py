"""`tradewind dags trigger|list-runs|pause|unpause|next-execution|state|delete`."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler.dag_processor import DagProcessor
from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.metastore.models import DagModel, DagRun

DAGS = Path(__file__).resolve().parents[1] / "dags" / "scheduler"


@pytest.fixture
def run(settings, metastore, capsys):
    for name in ("sched_chain.py", "sched_catchup.py"):
        shutil.copy(DAGS / name, Path(settings.core.dags_folder) / name)
    DagProcessor(settings, metastore).process()

    def _run(*args: str) -> tuple[int, str, str]:
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def _run_count(metastore) -> int:
    with metastore.session() as session:
        return session.execute(select(func.count()).select_from(DagRun)).scalar_one()


def test_trigger_creates_a_queued_manual_run_with_conf_and_run_id(run, metastore):
    code, out, err = run(
        "dags",
        "trigger",
        "sched_chain",
        "-c",
        '{"n": 3}',
        "-r",
        "my_run",
        "-e",
        "2024-05-01T10:00:00+00:00",
        "-o",
        "json",
    )
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["run_id"] == "my_run" and row["state"] == "queued"
    assert row["logical_date"] == "2024-05-01T10:00:00+00:00"
    assert row["conf"] == {"n": 3}
    code, out, _ = run("dags", "list-runs", "-d", "sched_chain", "-o", "json")
    assert [r["run_id"] for r in json.loads(out)] == ["my_run"]
    code, out, _ = run("dags", "state", "sched_chain", "2024-05-01T10:00:00+00:00")
    assert out.strip() == 'queued, {"n": 3}'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dags", "trigger", "no_such_dag"], "DAG 'no_such_dag' not found"),
        (["dags", "trigger", "sched_chain", "-c", "{not json"], "--conf is not valid JSON"),
        (["dags", "trigger", "sched_chain", "-e", "yesterday-ish"], "is not a date"),
        (["dags", "list-runs", "-d", "nope"], "DAG 'nope' not found"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(run, metastore, args, message):
    code, out, err = run(*args)
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert _run_count(metastore) == 0


def test_list_runs_filters_by_state(run):
    run("dags", "trigger", "sched_chain", "-r", "a")
    code, out, _ = run("dags", "list-runs", "-d", "sched_chain", "--state", "success")
    assert code == 0 and "No data found" in out
    code, out, _ = run("dags", "list-runs", "-d", "sched_chain", "--state", "queued", "-o", "plain")
    assert "a" in out.split()


def test_pause_and_unpause_flip_is_paused(run, metastore):
    assert run("dags", "pause", "sched_chain")[0] == 0
    with metastore.session() as session:
        assert session.get(DagModel, "sched_chain").is_paused
    code, out, _ = run("dags", "unpause", "sched_chain", "-o", "json")
    assert json.loads(out) == [{"dag_id": "sched_chain", "is_paused": False}]
    with metastore.session() as session:
        assert not session.get(DagModel, "sched_chain").is_paused


def test_next_execution_prints_the_next_logical_dates(run):
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    code, out, _ = run("dags", "next-execution", "sched_catchup", "-n", "2")
    assert code == 0
    assert out.split() == [(hour - timedelta(hours=h)).isoformat() for h in (3, 2)]
    code, out, _ = run("dags", "next-execution", "sched_chain")
    assert out.strip() == "None"


def test_delete_removes_the_dag_and_its_runs(run, metastore):
    run("dags", "trigger", "sched_chain")
    code, out, err = run("dags", "delete", "sched_chain", "--yes")
    assert code == 0, err
    with metastore.session() as session:
        assert session.get(DagModel, "sched_chain") is None
    assert _run_count(metastore) == 0
