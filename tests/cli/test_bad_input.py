"""Bad input anywhere in the CLI: one "Error:" line on stderr, no traceback, a non-zero exit,
and nothing already stored is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

QUICK = """
from datetime import datetime

from tradewind import DAG
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator

with DAG("quick", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:
    EmptyOperator(task_id="start") >> BashOperator(task_id="say", bash_command="echo {{ ds }}")
"""
TOP_LEVEL_VARIABLE = """
from datetime import datetime

from tradewind import DAG, Variable
from tradewind.operators.empty import EmptyOperator

TABLE = Variable.get("target_table")

with DAG("reads_a_variable", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    EmptyOperator(task_id="load")
"""

BROKEN = """
from tradewind import DAG

raise RuntimeError("the warehouse is closed")
"""


def _assert_one_clear_line(code: int, out: str, err: str, message: str) -> None:
    assert code != 0
    assert "Traceback" not in out + err
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and message in errors[0], err
    assert err.startswith("Error: "), err


@pytest.fixture
def run(tw_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    (tw_home / "dags" / "quick.py").write_text(QUICK)
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(tw_home / "dags"))

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def _console(tw_home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND")}
    return subprocess.run(
        [sys.executable, "-m", "tradewind.cli.main", *args],
        env={**clean, "TRADEWIND_HOME": str(tw_home), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("dags", "test", "no_such_dag"), "DAG 'no_such_dag' not found"),
        (("dags", "test", "quick", "the-day-after"), "invalid logical date"),
        (("dags", "test", "quick", "2024-01-01", "-c", "{no"), "not valid JSON"),
        (("dags", "show", "no_such_dag"), "DAG 'no_such_dag' not found"),
        (("tasks", "list", "no_such_dag"), "DAG 'no_such_dag' not found"),
        (("tasks", "test", "quick", "no_such_task"), "task 'no_such_task'"),
    ],
)
def test_unknown_ids_bad_dates_and_bad_conf_are_one_clear_line_and_lose_nothing(
    run, sqlite_metastore, args: tuple[str, ...], message: str
) -> None:
    from tradewind.metastore.variables import get_variable, set_variable

    with sqlite_metastore.session() as session:
        set_variable(session, "kept", "yes", None)
    assert run("dags", "test", "quick", "2024-01-01")[0] == 0
    before = run("dags", "list-runs", "-d", "quick", "-o", "json")
    assert before[0] == 0 and "manual__2024-01-01" in before[1]

    _assert_one_clear_line(*run(*args), message)

    assert run("dags", "list-runs", "-d", "quick", "-o", "json") == before
    with sqlite_metastore.session() as session:
        assert get_variable(session, "kept") == "yes"


def test_a_broken_dag_file_is_one_line_naming_the_file_and_its_error(
    run, sqlite_metastore, tmp_path: Path
) -> None:
    (tmp_path / "warehouse.py").write_text(BROKEN)
    code, out, err = run("dags", "test", "warehouse", "-S", str(tmp_path))
    _assert_one_clear_line(code, out, err, "warehouse.py failed to import")
    assert "RuntimeError: the warehouse is closed" in err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg2://postgres@127.0.0.1:1/nowhere", "cannot connect to the metastore"),
        ("not a url at all", "cannot use database URL"),
    ],
)
@pytest.mark.parametrize("command", ["init", "upgrade", "check", "reset"])
def test_db_commands_on_an_unreachable_or_malformed_url_are_one_clear_line(
    run, monkeypatch, command: str, url: str, message: str
) -> None:
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", url)
    args = ("db", command, "--yes") if command == "reset" else ("db", command)
    _assert_one_clear_line(*run(*args), message)


def test_config_show_with_a_malformed_toml_file_is_one_clear_line(run, tw_home: Path) -> None:
    (tw_home / "tradewind.toml").write_text("[scheduler\nparallelism = 3\n")
    _assert_one_clear_line(*run("config", "show"), "is not valid TOML")


def test_config_show_with_a_bad_environment_value_names_the_key(tw_home: Path) -> None:
    proc = _console(tw_home, "config", "show", TRADEWIND__SCHEDULER__PARALLELISM="lots")
    _assert_one_clear_line(
        proc.returncode,
        proc.stdout,
        proc.stderr,
        "scheduler.parallelism = 'lots' is not a valid int",
    )
    assert "TRADEWIND__SCHEDULER__PARALLELISM" in proc.stderr


def test_variable_get_at_top_level_before_db_init_is_one_line_with_a_hint(tw_home: Path) -> None:
    (tw_home / "dags" / "reads_a_variable.py").write_text(textwrap.dedent(TOP_LEVEL_VARIABLE))
    proc = _console(tw_home, "dags", "test", "reads_a_variable")
    _assert_one_clear_line(
        proc.returncode, proc.stdout, proc.stderr, "cannot read Variable target_table"
    )
    assert "MetastoreError" in proc.stderr and "is not initialised" in proc.stderr
    assert "tradewind db init" in proc.stderr
    assert "sqlalchemy" not in proc.stderr.lower()


@pytest.mark.parametrize("args", [("dags", "show", "quick"), ("tasks", "list", "quick")])
def test_reading_a_metastore_that_was_never_initialised_says_to_run_db_init(
    run, args: tuple[str, ...]
) -> None:
    code, out, err = run(*args)
    _assert_one_clear_line(code, out, err, "is not initialised")
    assert "Hint: run `tradewind db init`" in err
