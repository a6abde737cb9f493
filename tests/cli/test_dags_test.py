"""`tradewind dags test`, `tasks test` and `tasks render`: output, exit codes, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "tests" / "dags" / "runtime"
RUN_ID = "manual__2024-01-01T00:00:00+00:00"


@pytest.fixture
def run(sqlite_metastore, monkeypatch, capsys):
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(DAGS))

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def test_dags_test_prints_a_table_of_every_task_and_exits_zero(run):
    code, out, _ = run("dags", "test", "rt_xcom", "2024-01-01")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split(" | ") == ["task_id", "map_index", "state  ", "try_number", "duration"]
    rows = [[cell.strip() for cell in line.split("|")] for line in lines[2:5]]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("first", "-1", "success", "1"),
        ("second", "-1", "success", "1"),
        ("collect", "-1", "success", "1"),
    ]
    assert all(float(r[4]) >= 0 for r in rows)
    assert f"DAG run {RUN_ID} of rt_xcom: success" in out


def test_json_output_has_the_documented_shape(run):
    code, out, _ = run("dags", "test", "rt_xcom", "2024-01-01", "-o", "json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"dag_id", "run_id", "state", "tasks"}
    assert (data["dag_id"], data["run_id"], data["state"]) == ("rt_xcom", RUN_ID, "success")
    assert [set(t) for t in data["tasks"]] == [
        {"task_id", "map_index", "state", "try_number", "duration"}
    ] * 3


def test_a_failed_run_exits_one(run):
    code, out, _ = run("dags", "test", "rt_trigger_rules", "2024-01-01", "-o", "json")
    assert code == 1 and json.loads(out)["state"] == "failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dags", "test", "no_such_dag"], "DAG 'no_such_dag' not found"),
        (["dags", "test", "rt_xcom", "yesterday-ish"], "invalid logical date 'yesterday-ish'"),
        (["dags", "test", "rt_xcom", "2024-01-01", "-c", "{oops"], "--conf is not valid JSON"),
        (["dags", "test", "rt_xcom", "2024-01-01", "-c", "[1]"], "must be a JSON object"),
        (["tasks", "test", "rt_xcom", "no_such_task", "2024-01-01"], "task 'no_such_task'"),
    ],
)
def test_bad_input_is_one_clear_line_without_traceback(run, args, message):
    code, out, err = run(*args)
    assert code == 1
    assert message in err and err.startswith("Error: ")
    assert "Traceback" not in err + out


def test_a_broken_dag_file_is_reported_with_its_error(run, tmp_path):
    (tmp_path / "broken.py").write_text(
        "from tradewind import DAG\nwith DAG('broken_dag', schedule=None)\n    pass\n"
    )
    code, _, err = run("dags", "test", "broken_dag", "-S", str(tmp_path))
    assert code == 1
    assert "broken.py failed to import" in err and "SyntaxError" in err
    assert "Traceback" not in err


def test_tasks_test_runs_one_task_prints_its_log_and_records_it_in_an_existing_run(
    run, sqlite_metastore
):
    assert run("dags", "test", "rt_xcom", "2024-01-01")[0] == 0
    code, out, _ = run("tasks", "test", "rt_xcom", "collect", "2024-01-01")
    assert code == 0
    assert "Marking task as SUCCESS" in out and "Task collect finished: success" in out
    from sqlalchemy import select

    from tradewind.metastore.models import TaskInstance

    with sqlite_metastore.session() as session:
        row = session.execute(
            select(TaskInstance).where(
                TaskInstance.dag_id == "rt_xcom", TaskInstance.task_id == "collect"
            )
        ).scalar_one()
        assert (row.run_id, row.state, row.try_number) == (RUN_ID, "success", 2)


def test_tasks_test_without_a_run_uses_a_temporary_one_and_exits_one_on_failure(
    run, sqlite_metastore
):
    code, out, _ = run("tasks", "test", "rt_bash", "fail_3", "2024-03-01")
    assert code == 1
    assert "oops" in out and "Task fail_3 finished: failed" in out
    from sqlalchemy import func, select

    from tradewind.metastore.models import DagRun

    with sqlite_metastore.session() as session:
        assert session.execute(select(func.count()).select_from(DagRun)).scalar() == 0


def test_tasks_render_prints_each_template_field(run, monkeypatch):
    monkeypatch.setenv("TRADEWIND_VAR_GREETING", "hello")
    code, out, _ = run("tasks", "render", "rt_templates", "inline", "2024-02-03")
    assert code == 0
    assert "# property: bash_command" in out
    assert "echo 2024-02-03 world hello 2024-02-04 20240203 HEY" in out


def test_tasks_render_uses_a_stored_run_named_by_run_id_or_date(run, monkeypatch):
    monkeypatch.setenv("TRADEWIND_VAR_GREETING", "hello")
    assert run("dags", "reserialize")[0] == 0
    code, _, err = run("dags", "trigger", "rt_templates", "-r", "my_run", "-e", "2024-02-05")
    assert code == 0, err
    for name in ("my_run", "2024-02-05T00:00:00+00:00"):
        code, out, _ = run("tasks", "render", "rt_templates", "inline", name)
        assert code == 0
        assert "echo 2024-02-05 world hello 2024-02-06 20240205 HEY my_run" in out
    code, _, err = run("tasks", "render", "rt_templates", "inline", "no_such_run")
    assert code != 0 and "has no run 'no_such_run'" in err


def test_the_console_command_exits_nonzero_with_one_line_for_an_unknown_dag(tw_home, tmp_path):
    env = {
        **os.environ,
        "TRADEWIND_HOME": str(tw_home),
        "TRADEWIND__CORE__DAGS_FOLDER": str(DAGS),
        "TRADEWIND__DATABASE__URL": f"sqlite:///{tmp_path / 'tw.db'}",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "tradewind.cli.main", "dags", "test", "nope", "2024-01-01"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == f"Error: DAG 'nope' not found in {DAGS}"
    assert "Traceback" not in proc.stderr
