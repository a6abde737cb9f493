"""Every list command takes `-o table|json|yaml`, as Airflow's do, and the three formats carry
the same rows."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
import yaml

from tradewind.cli.cheat_sheet import walk_commands
from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

LIST_COMMANDS = [
    " ".join(path)
    for path, command in walk_commands(cli, click.Context(cli))
    if not isinstance(command, click.Group)
    and path[-1].startswith("list")
    # `config list` prints the configuration file (toml), as Airflow's does, not rows
    and path != ("config", "list")
]
DAG_FILE = """
from datetime import datetime

from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

with DAG("listed", start_date=datetime(2024, 1, 1), schedule=None):
    EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
"""


def test_the_foundations_list_commands_are_all_there() -> None:
    assert {"dags list", "dags list-import-errors", "tasks list"} <= set(LIST_COMMANDS)


@pytest.mark.parametrize("path", LIST_COMMANDS)
def test_every_list_command_takes_table_json_and_yaml(path: str) -> None:
    group: click.Command = cli
    ctx = click.Context(cli)
    for name in path.split():
        group = group.get_command(ctx, name)  # type: ignore[attr-defined]
    output = next(p for p in group.params if "--output" in getattr(p, "opts", []))
    assert "-o" in output.opts
    assert {"table", "json", "yaml"} <= set(output.type.choices)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("sqlite_metastore")
@pytest.mark.parametrize("args", [("dags", "list"), ("tasks", "list", "listed")])
def test_the_three_formats_carry_the_same_rows(
    args: tuple[str, ...], tw_home: Path, monkeypatch, capsys
) -> None:
    (tw_home / "dags" / "listed.py").write_text(DAG_FILE)
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(tw_home / "dags"))
    outputs = {}
    for fmt in ("table", "json", "yaml"):
        assert run_with_error_boundary(cli, [*args, "-o", fmt]) == 0
        outputs[fmt] = capsys.readouterr().out
    rows = json.loads(outputs["json"])
    assert rows and yaml.safe_load(outputs["yaml"]) == rows
    first_column = next(iter(rows[0]))
    assert outputs["table"].splitlines()[0].split()[0] == first_column
    for row in rows:
        assert str(row[first_column]) in outputs["table"]
