"""Airflow 2.x CLI flags: `dags backfill -c/-t/-i/-m`, `tasks test -t`, `dags pause|unpause
--treat-dag-id-as-regex`, `connections export --file-format/--format`, `pools set NAME -1`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.metastore.models import DagModel, DagRun, TaskInstance

DAG_FILE = """
from datetime import UTC, datetime

from tradewind import DAG, Param
from tradewind.operators import BashOperator
from tradewind.operators.empty import EmptyOperator

with DAG(
    "flags_chain",
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    schedule="@daily",
    catchup=False,
    params={"count": Param(1, type="integer", minimum=1), "label": "plain"},
):
    extract = EmptyOperator(task_id="extract")
    transform = EmptyOperator(task_id="transform")
    load = EmptyOperator(task_id="load")
    report = EmptyOperator(task_id="report")
    extract >> transform >> load
    BashOperator(task_id="show", bash_command="echo shown-{{ params.count }}-{{ params.label }}")

for name in ("etl_a", "etl_b", "other"):
    with DAG(name, start_date=datetime(2024, 1, 1, tzinfo=UTC), schedule=None):
        EmptyOperator(task_id="only")
"""
START, END = "2024-01-02T00:00:00+00:00", "2024-01-03T00:00:00+00:00"


@pytest.fixture
def run(sqlite_metastore, tw_home: Path, monkeypatch, capsys):
    folder = tw_home / "dags"
    (folder / "flags_dags.py").write_text(textwrap.dedent(DAG_FILE))
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(folder))
    monkeypatch.setenv("TRADEWIND__SCHEDULER__POLL_INTERVAL", "0.2")

    def _run(*args: str, input: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        if input is not None:
            monkeypatch.setattr("sys.stdin", __import__("io").StringIO(input))
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def _parse(run) -> None:
    assert run("dags", "reserialize")[0] == 0


def _runs(store, dag_id: str = "flags_chain") -> list[DagRun]:
    with store.session() as session:
        runs = list(
            session.execute(
                select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.logical_date)
            ).scalars()
        )
        session.expunge_all()
        return runs


def _tis(store, run_id: str) -> dict[str, str]:
    with store.session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state).where(
                TaskInstance.dag_id == "flags_chain", TaskInstance.run_id == run_id
            )
        ).all()
    return {task_id: str(state) for task_id, state in rows}


# -- dags backfill ---------------------------------------------------------------------------


def test_backfill_mark_success_marks_every_task_without_running_it(run, sqlite_metastore):
    code, out, err = run("dags", "backfill", "flags_chain", "-s", START, "-e", END, "-m")
    assert code == 0, err
    runs = _runs(sqlite_metastore)
    assert [(r.run_type, r.state) for r in runs] == [("backfill", "success")] * 2
    for r in runs:
        assert set(_tis(sqlite_metastore, r.run_id).values()) == {"success"}
    with sqlite_metastore.session() as session:
        tries = session.execute(select(TaskInstance.try_number)).scalars().all()
    assert set(tries) == {0}  # nothing ran
    assert "marked success without running" in out


def test_backfill_task_regex_with_upstream_creates_only_the_subset(run, sqlite_metastore):
    code, _, err = run(
        "dags", "backfill", "flags_chain", "-s", START, "-e", START, "-m", "-t", "^lo"
    )
    assert code == 0, err
    (only,) = _runs(sqlite_metastore)
    assert _tis(sqlite_metastore, only.run_id) == {
        "extract": "success",
        "transform": "success",
        "load": "success",
    }


def test_backfill_task_regex_ignore_dependencies_leaves_other_tasks_alone(run, sqlite_metastore):
    args = ("dags", "backfill", "flags_chain", "-s", START, "-e", START)
    assert run(*args, "-m", "-t", "^extract$")[0] == 0
    (existing,) = _runs(sqlite_metastore)
    code, _, err = run(*args, "-m", "-t", "^load$", "-i")
    assert code == 0, err
    assert _tis(sqlite_metastore, existing.run_id) == {"extract": "success", "load": "success"}


def test_backfill_task_regex_dry_run_lists_the_subset(run, sqlite_metastore):
    code, out, _ = run(
        "dags", "backfill", "flags_chain", "-s", START, "-e", END, "-t", "load", "--dry-run"
    )
    assert code == 0
    assert "Tasks: extract, transform, load" in out
    assert _runs(sqlite_metastore) == []


def test_backfill_conf_is_set_on_every_run_and_the_runs_complete(run, sqlite_metastore):
    conf = {"count": 3, "label": "x"}
    code, out, err = run(
        "dags", "backfill", "flags_chain", "-s", START, "-e", END, "-c", json.dumps(conf)
    )
    assert code == 0, err
    runs = _runs(sqlite_metastore)
    assert [(r.state, r.conf) for r in runs] == [("success", conf)] * 2
    assert "Backfill done: 2 run(s) succeeded" in out


def test_backfill_conf_overrides_an_existing_runs_conf(run, sqlite_metastore):
    args = ("dags", "backfill", "flags_chain", "-s", START, "-e", START, "-m")
    assert run(*args, "-c", '{"count": 2}')[0] == 0
    assert run(*args, "-c", '{"count": 5}')[0] == 0
    assert [r.conf for r in _runs(sqlite_metastore)] == [{"count": 5}]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-c", "{not json"], "--conf is not valid JSON"),
        (["-c", "[1]"], "--conf must be a JSON object"),
        (["-c", '{"count": 0}'], "count"),
        (["-t", "^nothing$"], "no task of DAG 'flags_chain' matches the regex"),
        (["-t", "("], "bad task regular expression"),
        (["-i"], "only works with -t"),
        (["-t", "load"], "not supported yet"),
    ],
)
def test_backfill_bad_flags_are_one_line_errors_and_change_nothing(
    run, sqlite_metastore, extra, message
):
    code, _, err = run("dags", "backfill", "flags_chain", "-s", START, "-e", END, *extra)
    assert code == 1 and message in err and "Traceback" not in err
    assert _runs(sqlite_metastore) == []


# -- tasks test -t ---------------------------------------------------------------------------


def test_tasks_test_task_params_are_merged_over_the_dags(run):
    code, out, err = run("tasks", "test", "flags_chain", "show", "2024-01-05", "-t", '{"count": 7}')
    assert code == 0, err
    assert "shown-7-plain" in out
    code, out, _ = run("tasks", "test", "flags_chain", "show", "2024-01-05")
    assert "shown-1-plain" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{bad", "--task-params is not valid JSON"),
        ("[1, 2]", "--task-params must be a JSON object"),
        ('{"count": 0}', "count"),
    ],
)
def test_tasks_test_bad_task_params_are_one_line_errors(run, value, message):
    code, _, err = run("tasks", "test", "flags_chain", "show", "2024-01-05", "-t", value)
    assert code == 1 and message in err and "Traceback" not in err


# -- dags pause / unpause --treat-dag-id-as-regex -------------------------------------------


def _paused(store) -> dict[str, bool]:
    with store.session() as session:
        return dict(session.execute(select(DagModel.dag_id, DagModel.is_paused)).all())


def test_pause_with_regex_and_yes_pauses_every_matching_dag(run, sqlite_metastore):
    _parse(run)
    assert run("dags", "unpause", "^(etl_|other)", "--treat-dag-id-as-regex", "-y")[0] == 0
    code, out, _ = run("dags", "pause", "^etl_", "--treat-dag-id-as-regex", "-y", "-o", "json")
    assert code == 0
    assert json.loads(out) == [
        {"dag_id": "etl_a", "is_paused": True},
        {"dag_id": "etl_b", "is_paused": True},
    ]
    paused = _paused(sqlite_metastore)
    assert (paused["etl_a"], paused["etl_b"], paused["other"]) == (True, True, False)


def test_pause_with_regex_asks_first_and_a_no_changes_nothing(run, sqlite_metastore):
    _parse(run)
    run("dags", "unpause", "etl_", "--treat-dag-id-as-regex", "-y")
    code, out, _ = run("dags", "pause", "etl_", "--treat-dag-id-as-regex", input="n\n")
    assert code == 0
    assert "You are about to pause 2 DAG(s): etl_a, etl_b" in out
    assert "Operation cancelled by user" in out
    assert not _paused(sqlite_metastore)["etl_a"]
    code, _, _ = run("dags", "pause", "etl_", "--treat-dag-id-as-regex", input="y\n")
    assert code == 0 and _paused(sqlite_metastore)["etl_b"]


def test_without_the_flag_the_dag_id_is_not_a_regex(run):
    _parse(run)
    code, _, err = run("dags", "pause", "etl_.*")
    assert code == 1 and "DAG 'etl_.*' not found" in err


@pytest.mark.parametrize(
    ("pattern", "message"), [("^nope", "no DAG id matches"), ("(", "not a valid regular")]
)
def test_pause_regex_errors_are_one_line(run, pattern, message):
    _parse(run)
    code, _, err = run("dags", "pause", pattern, "--treat-dag-id-as-regex", "-y")
    assert code == 1 and message in err and "Traceback" not in err


# -- connections export --file-format ---------------------------------------------------------


@pytest.fixture
def conns(run):
    run("connections", "add", "pg", "--conn-uri", "postgresql://u:p@h:5432/db")
    run("connections", "add", "web", "--conn-type", "http", "--conn-host", "example.com")
    return run


def test_export_yaml_by_file_format_and_by_extension(conns, tmp_path):
    path = tmp_path / "out.txt"
    code, out, _ = conns("connections", "export", str(path), "--file-format", "yaml")
    assert code == 0 and "2 connections successfully exported" in out
    data = yaml.safe_load(path.read_text())
    assert data["pg"]["password"] == "p" and data["web"]["host"] == "example.com"
    by_ext = tmp_path / "out.yaml"
    assert conns("connections", "export", str(by_ext))[0] == 0
    assert yaml.safe_load(by_ext.read_text()) == data


def test_export_env_as_uris_or_json_and_the_deprecated_format(conns, tmp_path):
    path = tmp_path / "conns.env"
    assert conns("connections", "export", str(path))[0] == 0
    lines = path.read_text().splitlines()
    assert lines[0] == "pg=postgres://u:p@h:5432/db" or lines[0].startswith("pg=postgres")
    assert lines[1].startswith("web=http://")
    out_path = tmp_path / "x.out"
    code, _, err = conns(
        "connections", "export", str(out_path), "--format", "env", "--serialization-format", "json"
    )
    assert code == 0 and "deprecated" in err
    key, value = out_path.read_text().splitlines()[0].split("=", 1)
    assert key == "pg" and json.loads(value)["login"] == "u"


def test_export_to_stdout_defaults_to_json(conns):
    code, out, err = conns("connections", "export", "-")
    assert code == 0 and json.loads(out)["web"]["conn_type"] == "http"
    assert "2 connections successfully exported" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["x.txt"], "cannot tell the format"),
        (["x.json", "--format", "json", "--file-format", "json"], "cannot be combined"),
        (["x.json", "--serialization-format", "uri"], "only be used with the env"),
        (["x.json", "--file-format", "xml"], "Invalid value for '--file-format'"),
    ],
)
def test_export_bad_formats_are_one_line_errors(conns, tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = conns("connections", "export", *extra)
    assert code != 0 and message in err and "Traceback" not in err
    assert not (tmp_path / extra[0]).exists()


# -- pools set NAME -1 -------------------------------------------------------------------------


def test_pool_with_minus_one_slots_is_unlimited(run, sqlite_metastore):
    code, out, err = run("pools", "set", "big", "-1", "no limit")
    assert code == 0 and "Pool big created" in out, err
    code, out, _ = run("pools", "get", "big", "-o", "json")
    row = json.loads(out)[0]
    assert (row["slots"], row["open_slots"], row["description"]) == (-1, -1, "no limit")
    assert run("pools", "set", "big", "3", "limited")[0] == 0
    _, out, _ = run("pools", "get", "big", "-o", "json")
    assert json.loads(out)[0]["slots"] == 3


def test_an_unlimited_pool_queues_every_try(run, sqlite_metastore):
    from scheduler.queueing import choose

    run("pools", "set", "big", "-1", "no limit")
    rows = [
        type(
            "Row",
            (),
            dict(
                dag_id="d",
                run_id="r",
                task_id=f"t{i}",
                map_index=-1,
                pool="big",
                pool_slots=50,
                priority_weight=1,
                logical_date=None,
                queue="default",
                max_active_tasks=100,
                pool_size=-1,
            ),
        )
        for i in range(4)
    ]
    with sqlite_metastore.session() as session:
        assert len(choose(session, rows, open_slots=10)) == 4


@pytest.mark.parametrize("slots", ["-2", "x"])
def test_other_negative_or_bad_slots_are_one_line_errors(run, slots):
    code, _, err = run("pools", "set", "bad", slots, "d")
    assert code != 0 and "Traceback" not in err
    assert ("-1 for unlimited" in err) if slots == "-2" else ("is not a valid integer" in err)
