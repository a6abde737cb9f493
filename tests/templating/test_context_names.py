"""One template naming every context entry of Airflow's that the foundation promises, rendered
by a real task in `tradewind dags test`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

RUN_ID = "manual__2024-03-05T00:00:00+00:00"
NAMES = [
    "{{ ds }}",
    "{{ ds_nodash }}",
    "{{ ts }}",
    "{{ ts_nodash }}",
    "{{ logical_date.isoformat() }}",
    "{{ data_interval_start.isoformat() }}",
    "{{ data_interval_end.isoformat() }}",
    "{{ run_id }}",
    "{{ dag.dag_id }}",
    "{{ task.task_id }}",
    "{{ ti.task_id }}/{{ ti.try_number }}",
    "{{ params.who }}",
    "{{ var.value.greeting }}",
    "{{ var.json.settings.size }}",
    "{{ conn.warehouse.host }}:{{ conn.warehouse.port }}",
    "{{ macros.ds_add(ds, 5) }}",
    "{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }}",
    "{{ macros.datetime(2020, 1, 2).year }}",
    "{{ (logical_date + macros.timedelta(days=1)).day }}",
]
DAG_FILE = f"""
from datetime import datetime

from tradewind import DAG
from tradewind.operators.bash import BashOperator

with DAG("names", start_date=datetime(2024, 1, 1), schedule="@daily", params={{"who": "ada"}}):
    BashOperator(task_id="render", bash_command={"echo '" + ",".join(NAMES) + "'"!r})
"""


def test_a_template_renders_every_context_name_and_macro(
    sqlite_metastore, tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tradewind.metastore.xcoms import pull_xcom

    monkeypatch.setenv("TRADEWIND_VAR_GREETING", "hello")
    monkeypatch.setenv("TRADEWIND_VAR_SETTINGS", json.dumps({"size": 3}))
    monkeypatch.setenv("TRADEWIND_CONN_WAREHOUSE", "postgresql://u:pw@db.example:6543/w")
    (tmp_path / "names.py").write_text(DAG_FILE)
    code = run_with_error_boundary(
        cli, ["dags", "test", "names", "2024-03-05", "-S", str(tmp_path), "-o", "json"]
    )
    assert code == 0, capsys.readouterr()
    with sqlite_metastore.session() as session:
        rendered = pull_xcom(session, "names", RUN_ID, "render")
    assert rendered.split(",") == [
        "2024-03-05",
        "20240305",
        "2024-03-05T00:00:00+00:00",
        "20240305T000000",
        "2024-03-05T00:00:00+00:00",
        "2024-03-04T00:00:00+00:00",  # a manual run covers the last complete interval
        "2024-03-05T00:00:00+00:00",
        RUN_ID,
        "names",
        "render",
        "render/1",
        "ada",
        "hello",
        "3",
        "db.example:6543",
        "2024-03-10",
        "05/03/2024",
        "2020",
        "6",
    ]
