"""`tradewind db init|upgrade|reset|check`, and one clear line for a bad metastore URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, inspect, select, text

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.metastore.models import Variable

TRADEWIND = [sys.executable, "-m", "tradewind.cli.main"]


def run(*args: str, stdin: str | None = None) -> Result:
    """Run a command in this process (fast), answering prompts with ``stdin``."""
    return CliRunner().invoke(cli, list(args), input=stdin)


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
    result = run("db", "init")
    assert result.exit_code == 0, result.output
    assert "Initialised the metastore" in result.stdout
    assert {"dag_run", "task_instance", "alembic_version"} <= tables(fresh_url)
    check = run("db", "check")
    assert check.exit_code == 0 and "up to date" in check.stdout


def test_db_check_fails_on_a_database_that_was_never_initialised(fresh_url: str) -> None:
    result = run("db", "check")
    assert result.exit_code == 1
    assert "not initialised" in result.stdout and "db upgrade" in result.stderr


def test_db_upgrade_brings_an_existing_metastore_to_head(settings, db_url: str) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "is at revision" in result.stdout
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()


def test_db_reset_without_an_answer_drops_nothing(fresh_url: str) -> None:
    assert run("db", "init").exit_code == 0
    add_variable(fresh_url)
    result = tradewind("db", "reset")  # the real command, stdin closed: no confirmation
    assert result.returncode != 0 and "Aborted" in result.stderr
    assert "Traceback" not in result.stderr
    assert run("db", "reset", stdin="n\n").exit_code != 0
    assert variables(fresh_url) == ["keep_me"]


def test_db_reset_drops_the_records_when_confirmed(fresh_url: str) -> None:
    assert run("db", "init").exit_code == 0
    add_variable(fresh_url)
    result = run("db", "reset", stdin="y\n")
    assert result.exit_code == 0, result.output
    assert "Proceed?" in result.stdout
    assert variables(fresh_url) == []
    add_variable(fresh_url)
    assert run("db", "reset", "--yes").exit_code == 0
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
def test_a_bad_or_unreachable_database_is_one_clear_line(
    tw_home, monkeypatch, capsys, url: str, expected: str
) -> None:
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", url)
    assert run_with_error_boundary(cli, ["db", "check"]) == 1
    err = capsys.readouterr().err
    assert "hunter2" not in err
    assert err.startswith("Error: ") and expected in err
    assert len([line for line in err.splitlines() if line.startswith("Error")]) == 1


def test_the_real_command_prints_no_traceback_for_an_unreachable_database(tw_home) -> None:
    url = "postgresql+psycopg2://bob:hunter2@127.0.0.1:1/nowhere"
    result = tradewind("db", "init", env={"TRADEWIND__DATABASE__URL": url})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot connect to the metastore at ")
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr
