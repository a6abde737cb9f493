"""`tradewind dags list | show | details | list-import-errors | reserialize` and `tasks list`:
they read the metastore, parsing the DAG folder first only when a file changed."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

REPO_DAGS = Path(__file__).resolve().parents[2] / "dags"

ETL = """
from datetime import datetime

from tradewind import DAG, TaskGroup
from tradewind.operators import BashOperator, EmptyOperator

with DAG(
    "etl",
    start_date=datetime(2024, 1, 1),
    schedule="@daily",
    tags=["nightly"],
    description="nightly load",
    default_args={"owner": "data-team"},
) as dag:
    extract = EmptyOperator(task_id="extract")
    with TaskGroup("clean") as clean:
        dedupe = EmptyOperator(task_id="dedupe")
        fix = BashOperator(task_id="fix", bash_command="echo fix")
        dedupe >> fix
    load = EmptyOperator(task_id="load")
    report = EmptyOperator(task_id="report")
    extract >> clean >> load
    extract >> report
"""


@pytest.fixture
def dags_folder(tw_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tw_home / "dags"
    (folder / "etl.py").write_text(textwrap.dedent(ETL))
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(folder))
    return folder


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    def _run(*args: str) -> tuple[int, str, str]:
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


@pytest.mark.usefixtures("metastore", "dags_folder")
def test_dags_list_parses_the_folder_and_lists_the_dags(run) -> None:
    code, out, err = run("dags", "list", "-o", "json")
    assert code == 0, err
    [row] = json.loads(out)
    assert row["dag_id"] == "etl" and row["owners"] == "data-team" and row["is_paused"] is True
    assert row["fileloc"].endswith("etl.py")
    code, out, _ = run("dags", "list")
    assert out.splitlines()[0].split(" | ")[0].strip() == "dag_id" and "etl" in out
    code, out, _ = run("dags", "list", "-o", "yaml")
    assert yaml.safe_load(out)[0]["dag_id"] == "etl"


@pytest.mark.usefixtures("sqlite_metastore")
def test_dags_list_picks_up_a_new_file_and_warns_about_import_errors(run, dags_folder) -> None:
    run("dags", "list")
    (dags_folder / "second.py").write_text(textwrap.dedent(ETL).replace('"etl"', '"second"'))
    (dags_folder / "broken.py").write_text("# tradewind dag\nimport missing_module_xyz\n")
    code, out, err = run("dags", "list", "-o", "plain")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["etl", "second"]
    assert "tradewind dags list-import-errors" in err


@pytest.mark.usefixtures("sqlite_metastore")
def test_list_import_errors_shows_each_broken_file(run, dags_folder) -> None:
    broken = dags_folder / "broken.py"
    broken.write_text("# tradewind dag\n\nimport missing_module_xyz\n")
    code, out, _ = run("dags", "list-import-errors", "-o", "json")
    assert code == 0
    [row] = json.loads(out)
    assert row["filepath"] == str(broken)
    assert "line 3: ModuleNotFoundError: No module named 'missing_module_xyz'" in row["error"]
    code, out, _ = run("dags", "list-import-errors")
    assert "ModuleNotFoundError" in out and "import missing_module_xyz" not in out
    broken.unlink()
    code, out, _ = run("dags", "list-import-errors", "-o", "json")
    assert json.loads(out) == []


@pytest.mark.usefixtures("sqlite_metastore", "dags_folder")
def test_tasks_list_prints_the_task_ids_and_a_tree(run) -> None:
    code, out, _ = run("tasks", "list", "etl")
    assert code == 0
    assert out.split() == ["clean.dedupe", "clean.fix", "extract", "load", "report"]
    code, out, _ = run("tasks", "list", "etl", "--tree")
    assert out.splitlines() == [
        "<Task(EmptyOperator): extract>",
        "    <Task(EmptyOperator): clean.dedupe>",
        "        <Task(BashOperator): clean.fix>",
        "            <Task(EmptyOperator): load>",
        "    <Task(EmptyOperator): report>",
    ]
    code, out, _ = run("tasks", "list", "etl", "-o", "json")
    rows = {r["task_id"]: r for r in json.loads(out)}
    assert rows["clean.fix"]["upstream"] == ["clean.dedupe"] and rows["load"]["group_id"] is None


@pytest.mark.usefixtures("sqlite_metastore", "dags_folder")
def test_dags_show_prints_a_tree_and_graphviz_dot(run) -> None:
    code, out, _ = run("dags", "show", "etl")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("DAG: etl")
    assert "extract  (EmptyOperator)" in lines[1]
    assert any("└── report" in line for line in lines)
    code, out, _ = run("dags", "show", "etl", "--dot")
    assert out.startswith('digraph "etl" {') and out.rstrip().endswith("}")
    assert '"extract" -> "clean.dedupe";' in out
    assert 'subgraph "cluster_clean"' in out
    assert out.count("->") == 4


@pytest.mark.usefixtures("sqlite_metastore", "dags_folder")
def test_dags_details_shows_the_dags_properties(run) -> None:
    code, out, _ = run("dags", "details", "etl", "-o", "json")
    assert code == 0
    [details] = json.loads(out)
    assert details["schedule"] == "@daily" and details["tags"] == ["nightly"]
    assert details["description"] == "nightly load" and details["version"] == 1
    assert details["task_count"] == 5
    code, out, _ = run("dags", "details", "etl")
    assert "property" in out.splitlines()[0] and "nightly load" in out


@pytest.mark.usefixtures("sqlite_metastore", "dags_folder")
@pytest.mark.parametrize(
    "args",
    [
        ("dags", "show", "nope"),
        ("dags", "details", "nope"),
        ("tasks", "list", "nope"),
    ],
)
def test_an_unknown_dag_id_is_one_clear_line(run, args: tuple[str, ...]) -> None:
    code, out, err = run(*args)
    assert code == 1 and out == ""
    assert err.splitlines()[0] == "Error: DAG 'nope' not found"
    assert err.splitlines()[1].startswith("Hint: ")
    assert "Traceback" not in err


@pytest.mark.usefixtures("sqlite_metastore")
def test_reserialize_parses_everything_again(run, dags_folder: Path) -> None:
    code, out, _ = run("dags", "reserialize")
    assert code == 0 and "Reserialized 1 DAG(s): 1 new, 1 new version(s)" in out
    code, out, _ = run("dags", "reserialize")
    assert "Reserialized 1 DAG(s): 0 new, 0 new version(s)" in out


@pytest.mark.usefixtures("sqlite_metastore")
def test_the_example_dags_list_without_import_errors(
    run, tw_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tw_home / "examples"
    shutil.copytree(REPO_DAGS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(folder))
    code, out, err = run("dags", "list", "-o", "json")
    assert code == 0 and "list-import-errors" not in err
    assert {"parallel_example", "user_processing", "producer", "consumer"} <= {
        row["dag_id"] for row in json.loads(out)
    }
    code, out, _ = run("dags", "show", "parallel_example", "--dot")
    assert '"load_a" -> "transform";' in out and '"load_c" -> "transform";' in out
