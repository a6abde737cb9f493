"""`tradewind scheduler` as a real process: SIGTERM stops it cleanly; two of them on Postgres
never run a try twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tradewind.metastore.models import SchedulerJob


def _start(harness: Any) -> subprocess.Popen[str]:
    """A `tradewind scheduler` process whose output goes to a file (a pipe nobody reads would
    fill up and block it)."""
    env = dict(os.environ)
    env["TRADEWIND__DATABASE__URL"] = harness.settings.database.url
    fd, path = tempfile.mkstemp(prefix="scheduler_", suffix=".log")
    with os.fdopen(fd, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tradewind.cli.main", "scheduler"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    proc.log_path = path  # type: ignore[attr-defined]
    return proc


def _stop(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"the scheduler did not stop on SIGTERM:\n{_output(proc)}") from None
    return _output(proc)


def _output(proc: subprocess.Popen[str]) -> str:
    path = proc.log_path  # type: ignore[attr-defined]
    text = Path(path).read_text()
    os.unlink(path)
    return text


def _jobs(harness: Any) -> list[SchedulerJob]:
    with harness.metastore.session() as session:
        return list(session.execute(select(SchedulerJob)).scalars())


def _dag_known(harness: Any, dag_id: str) -> bool:
    from tradewind.metastore.models import DagModel

    with harness.metastore.session() as session:
        dag = session.get(DagModel, dag_id)
        return dag is not None and dag.latest_version_id is not None


def test_sigterm_lets_the_running_try_finish_and_stops_cleanly(harness: Any) -> None:
    harness.copy_dags("sched_slow.py")
    proc = _start(harness)
    try:
        harness.wait(lambda: _dag_known(harness, "sched_slow"))
        harness.trigger("sched_slow")
        harness.wait(lambda: [t.state for t in harness.tis("sched_slow")] == ["running"])
    except BaseException:
        proc.kill()
        raise
    out = _stop(proc)
    assert proc.returncode == 0, out
    assert "Scheduler stopped." in out
    assert "Traceback" not in out
    assert [t.state for t in harness.tis("sched_slow")] == ["success"]
    assert [j.state for j in _jobs(harness)] == ["stopped"]


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_schedulers_on_postgres_run_every_try_exactly_once(harness: Any) -> None:
    harness.copy_dags("sched_ha.py")
    procs = [_start(harness), _start(harness)]
    try:
        harness.wait(lambda: _dag_known(harness, "sched_ha"))
        harness.wait(lambda: len(_jobs(harness)) == 2)
        run_id = harness.trigger("sched_ha")
        harness.wait(lambda: harness.all_runs_done("sched_ha"), timeout=240, step=0.5)
    except AssertionError as exc:
        states = Counter(t.state for t in harness.tis("sched_ha"))
        tails = [_stop(p)[-3000:] for p in procs]
        raise AssertionError(f"{exc}; task states {dict(states)}; output: {tails}") from None
    outputs = [_stop(p) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    tries = harness.tries("sched_ha")
    per_instance = Counter((t.run_id, t.task_id, t.map_index) for t in tries)
    assert len(per_instance) == 500
    assert set(per_instance.values()) == {1}, "a task instance ran more than once"
    assert {(t.try_number, t.state) for t in tries} == {(1, "success")}
    assert [r.state for r in harness.runs("sched_ha")] == ["success"]
    assert {t.run_id for t in tries} == {run_id}
