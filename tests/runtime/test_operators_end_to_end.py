"""Every operator and TaskFlow decorator of the foundation, run through `tradewind dags test`:
EmptyOperator/DummyOperator, PythonOperator (op_args, op_kwargs, context by name, return value
to XCom), @task (multiple_outputs), @task.branch, @task.short_circuit and @task.bash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

RUN_ID = "manual__2024-02-03T00:00:00+00:00"

DAG_FILE = """
from datetime import datetime

from tradewind import DAG, task
from tradewind.operators import EmptyOperator, PythonOperator
from tradewind.operators.dummy import DummyOperator


def describe(prefix, number, *, suffix, ds, ti, params):
    # op_args, op_kwargs, and context entries asked for by parameter name
    return f"{prefix}-{number}-{suffix}-{ds}-{ti.task_id}-{params['who']}"


with DAG(
    "every_operator", start_date=datetime(2024, 1, 1), schedule=None, params={"who": "ada"}
):
    start = EmptyOperator(task_id="start")
    legacy = DummyOperator(task_id="legacy")
    python = PythonOperator(
        task_id="python", python_callable=describe, op_args=["p", 7], op_kwargs={"suffix": "s"}
    )

    @task(multiple_outputs=True)
    def split():
        return {"left": 3, "right": 4}

    @task
    def add(left, right):
        return left + right

    @task.branch
    def pick(total):
        return "taken" if total == 7 else "not_taken"

    @task.short_circuit
    def gate(total):
        return total > 100

    @task.bash
    def shout(word):
        return f"echo one; echo {word.upper()}"

    parts = split()
    total = add(parts["left"], parts["right"])
    taken, not_taken = EmptyOperator(task_id="taken"), EmptyOperator(task_id="not_taken")
    behind_gate = EmptyOperator(task_id="behind_gate")
    start >> legacy >> python >> parts
    pick(total) >> [taken, not_taken]
    gate(total) >> behind_gate
    shout("hi")
"""


def _xcom(metastore, task_id: str, key: str = "return_value"):
    from tradewind.metastore.xcoms import pull_xcom

    with metastore.session() as session:
        return pull_xcom(session, "every_operator", RUN_ID, task_id, key)


def test_every_operator_of_the_foundation_runs_through_dags_test(
    sqlite_metastore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "every_operator.py").write_text(DAG_FILE)
    code = run_with_error_boundary(
        cli, ["dags", "test", "every_operator", "2024-02-03", "-S", str(tmp_path), "-o", "json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert {t["task_id"]: t["state"] for t in result["tasks"]} == {
        "start": "success",
        "legacy": "success",
        "python": "success",
        "split": "success",
        "add": "success",
        "pick": "success",
        "taken": "success",
        "not_taken": "skipped",
        "gate": "success",
        "behind_gate": "skipped",
        "shout": "success",
    }
    assert (code, result["state"], result["run_id"]) == (0, "success", RUN_ID)
    assert _xcom(sqlite_metastore, "python") == "p-7-s-2024-02-03-python-ada"
    assert (
        _xcom(sqlite_metastore, "split", "left"),
        _xcom(sqlite_metastore, "split", "right"),
    ) == (
        3,
        4,
    )
    assert _xcom(sqlite_metastore, "add") == 7
    assert _xcom(sqlite_metastore, "pick") == "taken"
    assert _xcom(sqlite_metastore, "shout") == "HI"  # the last line of the command's output
    assert _xcom(sqlite_metastore, "start") is None
