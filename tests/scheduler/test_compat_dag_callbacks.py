"""DAG-level callbacks run by the scheduler get the deciding task instance's full context, as
Airflow's ``DagRun.handle_callback`` passes it (``ti.get_template_context()`` plus ``reason``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DAG_FILE = """
import json
import os
from datetime import datetime

from tradewind import DAG
from tradewind.operators.python import PythonOperator


def _record(context):
    ti = context["task_instance"]
    seen = {
        "reason": context["reason"],
        "ti_task_id": ti.task_id,
        "same_ti": context["ti"] is ti,
        "task_id": context["task"].task_id,
        "ds": context["ds"],
        "logical_date": context["logical_date"].isoformat(),
        "run_id": context["run_id"],
        "dag_run_id": context["dag_run"].run_id,
        "dag_id": context["dag"].dag_id,
        "params": dict(context["params"]),
        "var": context["var"].value.get("compat_cb_var", "unset"),
        "ds_add": context["macros"].ds_add(context["ds"], 1),
    }
    with open(os.environ["COMPAT_CALLBACK_FILE"], "a") as out:
        out.write(json.dumps(seen) + "\\n")


def _boom():
    raise RuntimeError("fails on purpose")


with DAG(
    "compat_cb_failure",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    params={"region": "eu"},
    on_failure_callback=_record,
):
    first = PythonOperator(task_id="first", python_callable=lambda: None)
    boom = PythonOperator(task_id="boom", python_callable=_boom)
    first >> boom

with DAG(
    "compat_cb_success",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    on_success_callback=_record,
):
    PythonOperator(task_id="only", python_callable=lambda: None)
"""


def _records(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for line in path.read_text().splitlines():
        seen = json.loads(line)
        out[seen["dag_id"]] = seen
    return out


def test_scheduler_dag_callbacks_get_the_deciding_task_instance_context(
    harness: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from tradewind.metastore.variables import set_variable

    marks = tmp_path / "marks.jsonl"
    monkeypatch.setenv("COMPAT_CALLBACK_FILE", str(marks))
    folder = Path(harness.settings.core.dags_folder)
    (folder / "compat_callbacks.py").write_text(DAG_FILE)
    with harness.metastore.session() as session:
        set_variable(session, "compat_cb_var", "from-the-metastore")
    sched = harness.scheduler()
    sched.run_once()
    failing = harness.trigger("compat_cb_failure")
    succeeding = harness.trigger("compat_cb_success")
    harness.run_until(
        sched,
        lambda: (
            harness.all_runs_done("compat_cb_failure")
            and harness.all_runs_done("compat_cb_success")
        ),
    )
    sched.run(max_iterations=3)

    records = _records(marks)
    failure, success = records["compat_cb_failure"], records["compat_cb_success"]
    (run,) = harness.runs("compat_cb_failure")
    assert failure == {
        "reason": "task_failure",
        "ti_task_id": "boom",
        "same_ti": True,
        "task_id": "boom",
        "ds": run.logical_date.strftime("%Y-%m-%d"),
        "logical_date": run.logical_date.isoformat(),
        "run_id": failing,
        "dag_run_id": failing,
        "dag_id": "compat_cb_failure",
        "params": {"region": "eu"},
        "var": "from-the-metastore",
        "ds_add": failure["ds_add"],
    }
    assert failure["ds_add"] > failure["ds"]
    assert success["reason"] == "success"
    assert (success["ti_task_id"], success["task_id"]) == ("only", "only")
    assert success["run_id"] == succeeding
