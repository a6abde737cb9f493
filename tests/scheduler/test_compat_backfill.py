"""A backfill whose runs cannot progress stops, as Airflow's "BackfillJob is deadlocked": it
names the blocked runs and tasks, exits non-zero and leaves the stored states as they are."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.backfill import plan_backfill, prepare_runs, run_backfill
from scheduler.dag_processor import DagProcessor
from tradewind.config import Settings, load_settings
from tradewind.core.spec import DagSpec
from tradewind.metastore.dag_specs import latest_version
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import DagRun, TaskInstance

START = datetime(2024, 1, 1, 0, tzinfo=UTC)
END = datetime(2024, 1, 1, 2, tzinfo=UTC)

DAG_FILE = """
from datetime import datetime

from tradewind import DAG
from tradewind.operators.python import PythonOperator


def _boom():
    raise RuntimeError("fails on purpose")


with DAG("compat_stuck", start_date=datetime(2024, 1, 1), schedule="@hourly", catchup=False):
    extract = PythonOperator(task_id="extract", python_callable=_boom, depends_on_past=True)
    load = PythonOperator(task_id="load", python_callable=lambda: None)
    check = PythonOperator(
        task_id="check", python_callable=lambda: None, wait_for_downstream=True
    )
    publish = PythonOperator(task_id="publish", python_callable=_boom)
    extract >> load
    check >> publish

with DAG("compat_chain", start_date=datetime(2024, 1, 1), schedule="@hourly", catchup=False):
    first = PythonOperator(
        task_id="first", python_callable=lambda: None, depends_on_past=True
    )
    second = PythonOperator(
        task_id="second", python_callable=lambda: None, wait_for_downstream=True
    )
    first >> second
"""


@pytest.fixture
def dags(settings: Settings, metastore: Metastore, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TRADEWIND__SCHEDULER__POLL_INTERVAL", "0.2")
    (Path(settings.core.dags_folder) / "compat_backfill.py").write_text(DAG_FILE)
    DagProcessor(settings, metastore).process()
    return load_settings()


def _prepare(metastore: Metastore, dag_id: str) -> list[str]:
    with metastore.session() as session:
        version = latest_version(session, dag_id)
        spec = DagSpec.from_json(version.spec_json)
        planned = plan_backfill(session, spec, START, END)
        return prepare_runs(session, spec, version.id, planned)


def _states(metastore: Metastore, dag_id: str) -> tuple[list[str], dict[tuple[str, str], str]]:
    with metastore.session() as session:
        runs = session.execute(
            select(DagRun.run_id, DagRun.state)
            .where(DagRun.dag_id == dag_id)
            .order_by(DagRun.logical_date)
        ).all()
        tis = session.execute(
            select(TaskInstance.run_id, TaskInstance.task_id, TaskInstance.state).where(
                TaskInstance.dag_id == dag_id
            )
        ).all()
    return [state for _, state in runs], {(r, t): s for r, t, s in tis}


def test_a_deadlocked_backfill_stops_and_names_what_is_blocked(dags, metastore):
    run_ids = _prepare(metastore, "compat_stuck")
    started = time.monotonic()
    progress = run_backfill(dags, metastore, "compat_stuck", run_ids, timeout=60)
    assert time.monotonic() - started < 30
    assert progress.deadlock is not None
    first, second, third = run_ids
    assert progress.deadlock.blocked == {
        second: [
            "extract (depends_on_past)",
            "load (upstream)",
            "check (wait_for_downstream)",
            "publish (upstream)",
        ],
        third: [
            "extract (depends_on_past)",
            "load (upstream)",
            "check (wait_for_downstream)",
            "publish (upstream)",
        ],
    }
    message = progress.deadlock.message()
    assert "deadlocked" in message and second in message and third in message
    run_states, tis = _states(metastore, "compat_stuck")
    assert run_states == ["failed", "running", "running"]
    assert tis[(first, "extract")] == "failed" and tis[(first, "publish")] == "failed"
    assert {s for (run, _), s in tis.items() if run != first} == {"none"}


def test_runs_that_wait_on_each_other_are_not_a_deadlock(dags, metastore):
    run_ids = _prepare(metastore, "compat_chain")
    progress = run_backfill(dags, metastore, "compat_chain", run_ids, timeout=60)
    assert progress.deadlock is None
    assert (progress.runs_done, progress.runs_failed) == (3, 0)


def test_the_cli_exits_non_zero_with_one_message(dags, metastore):
    env = dict(os.environ, TRADEWIND__DATABASE__URL=dags.database.url)
    argv = ["dags", "backfill", "compat_stuck", "-s", START.isoformat(), "-e", END.isoformat()]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradewind.cli.main", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a hanging backfill is killed with its executor's processes
    )
    try:
        out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the backfill still ran after 90 s")
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "is deadlocked" in errors[0]
    assert "extract (depends_on_past)" in done.stderr
    assert "check (wait_for_downstream)" in done.stderr
    assert done.stdout.splitlines()[-1].startswith("runs 1/3 (1 failed) | tasks 4/12 |")
    run_states, _ = _states(metastore, "compat_stuck")
    assert run_states == ["failed", "running", "running"]
