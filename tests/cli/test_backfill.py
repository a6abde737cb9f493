"""`tradewind dags backfill`: runs for every interval, progress piped and on a terminal."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select

from scheduler.dag_processor import DagProcessor
from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.metastore.models import DagRun

DAGS = Path(__file__).resolve().parents[1] / "dags" / "scheduler"
HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
START = (HOUR - timedelta(hours=30)).isoformat()
END = (HOUR - timedelta(hours=28)).isoformat()


@pytest.fixture
def run(settings, metastore, capsys, monkeypatch):
    monkeypatch.setenv("TRADEWIND__SCHEDULER__POLL_INTERVAL", "0.2")
    shutil.copy(DAGS / "sched_catchup.py", Path(settings.core.dags_folder) / "sched_catchup.py")
    DagProcessor(settings, metastore).process()

    def _run(*args: str) -> tuple[int, str, str]:
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def _runs(metastore, dag_id: str) -> list[DagRun]:
    with metastore.session() as session:
        return list(
            session.execute(
                sql_select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.logical_date)
            ).scalars()
        )


def test_backfill_runs_every_interval_even_without_catchup_with_plain_progress(run, metastore):
    code, out, err = run("dags", "backfill", "sched_no_catchup", "-s", START, "-e", END)
    assert code == 0, err
    runs = _runs(metastore, "sched_no_catchup")
    assert [r.logical_date for r in runs] == [HOUR - timedelta(hours=h) for h in (30, 29, 28)]
    assert {(r.run_type, r.state) for r in runs} == {("backfill", "success")}
    lines = out.splitlines()
    assert "\r" not in out
    assert any(line.startswith("runs 3/3 | tasks 3/3 | elapsed ") for line in lines)
    assert lines[-1].startswith("Backfill done: 3 run(s) succeeded")


def test_dry_run_lists_the_runs_and_changes_nothing(run, metastore):
    code, out, _ = run("dags", "backfill", "sched_catchup", "-s", START, "-e", END, "--dry-run")
    assert code == 0
    assert out.count("new run") == 3
    assert _runs(metastore, "sched_catchup") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "not-a-date", "-e", END], "is not a date"),
        (["-s", END, "-e", START], "is before the start date"),
    ],
)
def test_bad_ranges_are_one_line_errors(run, metastore, args, message):
    code, _, err = run("dags", "backfill", "sched_catchup", *args)
    assert code == 1 and message in err and "Traceback" not in err
    assert _runs(metastore, "sched_catchup") == []


def test_reset_dagruns_runs_existing_runs_again(run, metastore):
    assert run("dags", "backfill", "sched_catchup", "-s", START, "-e", START)[0] == 0
    (first,) = _runs(metastore, "sched_catchup")
    code, _, err = run(
        "dags", "backfill", "sched_catchup", "-s", START, "-e", START, "--reset-dagruns", "-y"
    )
    assert code == 0, err
    (again,) = _runs(metastore, "sched_catchup")
    assert again.run_id == first.run_id and again.state == "success"
    assert again.end_date > first.end_date


def test_on_a_terminal_the_progress_bar_is_redrawn_in_place(run, settings):
    env = dict(os.environ, TRADEWIND__DATABASE__URL=settings.database.url)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradewind.cli.main",
            "dags",
            "backfill",
            "sched_catchup",
            "-s",
            START,
            "-e",
            END,
        ],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        elif proc.poll() is not None:
            break
    os.close(controller)
    assert proc.wait(timeout=30) == 0, output.decode(errors="replace")
    text = output.decode(errors="replace")
    assert "\r\x1b[2K[" in text
    assert "100% runs 3/3 | tasks 3/3" in text
    assert "Backfill done: 3 run(s) succeeded" in text


def test_a_dag_no_scheduler_parsed_yet_is_read_from_the_dag_folder(settings, metastore, capsys):
    shutil.copy(DAGS / "sched_retries.py", Path(settings.core.dags_folder) / "sched_retries.py")
    code = run_with_error_boundary(
        cli, ["dags", "backfill", "sched_depends_on_past", "-s", START, "-e", START]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert [r.run_type for r in _runs(metastore, "sched_depends_on_past")] == ["backfill"]


def test_rerun_failed_tasks_runs_only_the_failed_tasks_of_existing_runs_again(run, metastore):
    from tradewind.core.keys import TaskInstanceKey
    from tradewind.metastore import transitions

    assert run("dags", "backfill", "sched_catchup", "-s", START, "-e", START)[0] == 0
    (first,) = _runs(metastore, "sched_catchup")
    with metastore.session() as session:  # as if its task had failed
        key = TaskInstanceKey("sched_catchup", first.run_id, "only")
        assert transitions.set_task_state(session, key, "failed", expected=["success"])
        assert transitions.set_run_state(
            session, "sched_catchup", first.run_id, "failed", expected=["success"]
        )
    code, _, err = run("dags", "backfill", "sched_catchup", "-s", START, "-e", START)
    assert code == 1 and "--rerun-failed-tasks" in err  # left alone without the flag
    assert _runs(metastore, "sched_catchup")[0].state == "failed"
    code, _, err = run(
        "dags", "backfill", "sched_catchup", "-s", START, "-e", START, "--rerun-failed-tasks"
    )
    assert code == 0, err
    (again,) = _runs(metastore, "sched_catchup")
    assert again.run_id == first.run_id and again.state == "success"
