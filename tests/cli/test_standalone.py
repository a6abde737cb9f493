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
    password = (tw_home / "standalone_admin_password.txt").read_text().strip()
    assert f"Login with username: admin  password: {password}" in output
    assert "pika" not in output
    states = _query(url, "SELECT task_id, state FROM task_instance ORDER BY task_id")
    assert states == [("extract", "success"), ("load", "success"), ("transform", "success")]


def test_the_admin_user_is_created_on_the_first_start_only(settings, sqlite_metastore) -> None:
    from tradewind.cli.standalone import PASSWORD_FILE, _ensure_admin
    from tradewind.metastore.users import authenticate

    password = _ensure_admin(settings, sqlite_metastore)
    assert password
    path = Path(settings.home) / PASSWORD_FILE
    assert path.read_text().strip() == password
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert _ensure_admin(settings, sqlite_metastore) is None  # not printed again
    with sqlite_metastore.session() as session:
        assert authenticate(session, "admin", password).role == "Admin"


def test_the_printed_dashboard_url_is_where_the_dashboard_listens(settings) -> None:
    from tradewind.cli.standalone import dashboard_url

    settings.webserver.host, settings.webserver.port = "0.0.0.0", 9123
    assert dashboard_url(settings) == "http://localhost:9123/"
    settings.webserver.host = "127.0.0.1"
    assert dashboard_url(settings) == "http://127.0.0.1:9123/"


def test_scheduler_logging_keeps_the_broker_connection_chatter_out() -> None:
    import logging

    from tradewind.cli.scheduler_cmd import configure_logging

    pika = logging.getLogger("pika")
    try:
        configure_logging("INFO")
        assert pika.getEffectiveLevel() == logging.WARNING
    finally:
        pika.setLevel(logging.NOTSET)
