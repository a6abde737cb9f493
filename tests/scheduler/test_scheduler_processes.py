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


#: bounded but generous waits: on a loaded machine (the full suite on 2 cores) two schedulers
#: take a while to start, parse and register; an idle one needs a few seconds for all of it
START_TIMEOUT = 120.0
RUN_TIMEOUT = 240.0
STOP_TIMEOUT = 60.0


def _kill(procs: list[subprocess.Popen[str]]) -> None:
    """Whatever happened, no scheduler outlives the test (a kill, then a bounded wait)."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        path = proc.log_path  # type: ignore[attr-defined]
        if os.path.exists(path):
            os.unlink(path)


@pytest.mark.timeout(2 * START_TIMEOUT + RUN_TIMEOUT + 2 * STOP_TIMEOUT + 60)
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_schedulers_on_postgres_run_every_try_exactly_once(harness: Any) -> None:
    harness.copy_dags("sched_ha.py")
    procs: list[subprocess.Popen[str]] = []
    try:
        procs = [_start(harness), _start(harness)]
        try:
            harness.wait(lambda: _dag_known(harness, "sched_ha"), timeout=START_TIMEOUT)
            harness.wait(lambda: len(_jobs(harness)) == 2, timeout=START_TIMEOUT, step=0.5)
            run_id = harness.trigger("sched_ha")
            harness.wait(lambda: harness.all_runs_done("sched_ha"), timeout=RUN_TIMEOUT, step=0.5)
        except AssertionError as exc:
            states = Counter(t.state for t in harness.tis("sched_ha"))
            alive = [p.poll() is None for p in procs]
            tails = [Path(p.log_path).read_text()[-3000:] for p in procs]  # type: ignore[attr-defined]
            raise AssertionError(
                f"{exc}; task states {dict(states)}; alive {alive}; output: {tails}"
            ) from None
        outputs = [_stop(p, timeout=STOP_TIMEOUT) for p in procs]
    finally:
        _kill(procs)
    assert all(p.returncode == 0 for p in procs), outputs
    tries = harness.tries("sched_ha")
    per_instance = Counter((t.run_id, t.task_id, t.map_index) for t in tries)
    assert len(per_instance) == 500
    assert set(per_instance.values()) == {1}, "a task instance ran more than once"
    assert {(t.try_number, t.state) for t in tries} == {(1, "success")}
    assert [r.state for r in harness.runs("sched_ha")] == ["success"]
    assert {t.run_id for t in tries} == {run_id}
