"""`tradewind db init|upgrade|reset|check`, and one clear line for a bad metastore URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from tradewind.metastore.models import Variable

TRADEWIND = [sys.executable, "-m", "tradewind.cli.main"]


def tradewind(*args: str, stdin: str | None = None, env: dict | None = None):
    """Run the real console command in a subprocess; stdin closed unless given."""
    return subprocess.run(
        [*TRADEWIND, *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def add_variable(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(Variable.__table__.insert().values(key="keep_me", val="1"))
    engine.dispose()


def variables(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        keys = list(conn.execute(select(Variable.key)).scalars())
    engine.dispose()
    return keys


@pytest.fixture
def fresh_url(tw_home: Path) -> str:
    return f"sqlite:///{tw_home / 'tradewind.db'}"


def test_db_init_creates_the_metastore_and_db_check_passes(fresh_url: str) -> None:
    result = tradewind("db", "init")
    assert result.returncode == 0, result.stderr
    assert "Initialised the metastore" in result.stdout
    assert {"dag_run", "task_instance", "alembic_version"} <= tables(fresh_url)
    check = tradewind("db", "check")
    assert check.returncode == 0 and "up to date" in check.stdout


def test_db_check_fails_on_a_database_that_was_never_initialised(fresh_url: str) -> None:
    result = tradewind("db", "check")
    assert result.returncode == 1
    assert "not initialised" in result.stdout and "db upgrade" in result.stderr


def test_db_upgrade_brings_an_existing_metastore_to_head(settings, db_url: str) -> None:
    result = tradewind("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "is at revision" in result.stdout
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()


def test_db_reset_without_an_answer_drops_nothing(fresh_url: str) -> None:
    assert tradewind("db", "init").returncode == 0
    add_variable(fresh_url)
    result = tradewind("db", "reset")  # stdin closed: no confirmation
    assert result.returncode != 0 and "Aborted" in result.stderr
    assert tradewind("db", "reset", stdin="n\n").returncode != 0
    assert variables(fresh_url) == ["keep_me"]


def test_db_reset_drops_the_records_when_confirmed(fresh_url: str) -> None:
    assert tradewind("db", "init").returncode == 0
    add_variable(fresh_url)
    result = tradewind("db", "reset", stdin="y\n")
    assert result.returncode == 0, result.stderr
    assert "Proceed?" in result.stdout
    assert variables(fresh_url) == []
    add_variable(fresh_url)
    assert tradewind("db", "reset", "--yes").returncode == 0
    assert variables(fresh_url) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg2://bob:hunter2@127.0.0.1:1/nowhere",
            "cannot connect to the metastore",
        ),
        ("nosuchdriver://bob:hunter2@host/db", "cannot use database URL"),
        ("sqlite:////proc/forbidden/tradewind.db", "metastore"),
    ],
)
def test_a_bad_or_unreachable_database_is_one_clear_line(tw_home, url: str, expected: str):
    result = tradewind("db", "check", env={"TRADEWIND__DATABASE__URL": url})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr
    assert result.stderr.startswith("Error: ") and expected in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("Error")]) == 1
