"""`tradewind standalone`: sets up the metastore, runs a triggered DAG, stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text


def _wait(cond, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def _query(url: str, sql: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    except Exception:
        return []
    finally:
        engine.dispose()


def _cli(env: dict, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tradewind.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_standalone_runs_a_triggered_example_dag_and_stops_on_sigint(tw_home: Path, tmp_path: Path):
    env = dict(os.environ, TRADEWIND__SCHEDULER__STANDALONE_DASHBOARD="false")
    url = f"sqlite:///{tw_home / 'tradewind.db'}"
    log_path = tmp_path / "standalone.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tradewind.cli.main", "standalone"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(
            lambda: _query(url, "SELECT latest_version_id FROM dag WHERE dag_id='example_taskflow'")
        )
        _cli(env, "dags", "unpause", "example_taskflow")
        _cli(env, "dags", "trigger", "example_taskflow")
        _wait(lambda: _query(url, "SELECT state FROM dag_run") == [("success",)])
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    output = log_path.read_text()
    assert proc.returncode == 0, output
    assert "Tradewind stopped." in output
    assert "Traceback" not in output
    if (
        "tradewind.metastore.users" in output
        or (tw_home / "standalone_admin_password.txt").exists()
    ):
        password = (tw_home / "standalone_admin_password.txt").read_text().strip()
        assert f"password: {password}" in output
    states = _query(url, "SELECT task_id, state FROM task_instance ORDER BY task_id")
    assert states == [("extract", "success"), ("load", "success"), ("transform", "success")]
