"""Importing tradewind and a DAG file must stay cheap: no SQLAlchemy, dramatiq, Starlette, Jinja."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("sqlalchemy", "dramatiq", "starlette", "jinja2", "jsonschema", "croniter")

DAG_FILE = """
from datetime import datetime, timedelta

from tradewind import DAG, Dataset, Param, TaskGroup, chain, task
from tradewind.operators import BashOperator, EmptyOperator, PythonOperator
from tradewind.operators.python import BranchPythonOperator

with DAG(
    "weight",
    schedule=timedelta(hours=1),
    start_date=datetime(2024, 1, 1),
    params={"n": Param(3)},
) as dag:
    start = EmptyOperator(task_id="start")
    bash = BashOperator(task_id="bash", bash_command="echo hi", outlets=[Dataset("s3://x")])
    py = PythonOperator(task_id="py", python_callable=lambda: 1)
    branch = BranchPythonOperator(task_id="branch", python_callable=lambda: "py")

    @task
    def make():
        return [1, 2]

    @task
    def show(x):
        print(x)

    with TaskGroup("grp"):
        shown = show.expand(x=make())
    chain(start, branch, [bash, py], shown)
"""


def _loaded_modules(code: str, tmp_path: Path) -> list[str]:
    script = textwrap.dedent(code)
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_import_tradewind_loads_no_heavy_dependency(tmp_path: Path) -> None:
    loaded = _loaded_modules(
        f"""
        import json, sys
        import tradewind
        from tradewind import DAG, task, TaskGroup, Param, Dataset, BaseOperator, TriggerRule
        print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))
        """,
        tmp_path,
    )
    assert loaded == []


def test_importing_a_dag_file_loads_no_heavy_dependency(tmp_path: Path) -> None:
    (tmp_path / "weight_dag.py").write_text(DAG_FILE)
    loaded = _loaded_modules(
        """
        import json, sys
        sys.path.insert(0, ".")
        import weight_dag
        assert weight_dag.dag.task_count == 6, weight_dag.dag.task_ids
        heavy = {m.split('.')[0] for m in sys.modules} & {"sqlalchemy", "dramatiq", "starlette"}
        print(json.dumps(sorted(heavy)))
        """,
        tmp_path,
    )
    assert loaded == []
