"""Helpers for the runtime tests: run `dags test`, read back states, XComs, tries, logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select


def dags_test(run: Callable[..., tuple[int, str, str]], dag_id: str, *args: str):
    """`tradewind dags test DAG_ID 2024-01-01 ... -o json`: (exit code, parsed JSON)."""
    code, out, err = run("dags", "test", dag_id, "2024-01-01", *args, "-o", "json")
    assert out.strip(), f"no output; stderr: {err}"
    return code, json.loads(out)


def states(result: dict[str, Any]) -> dict[str, str]:
    """task_id (with [map_index] when mapped) -> state."""
    out = {}
    for t in result["tasks"]:
        name = t["task_id"] if t["map_index"] < 0 else f"{t['task_id']}[{t['map_index']}]"
        out[name] = t["state"]
    return out


def xcom(metastore, dag_id: str, run_id: str, task_id: str, key: str = "return_value") -> Any:
    from tradewind.metastore.xcoms import pull_xcom

    with metastore.session() as session:
        return pull_xcom(session, dag_id, run_id, task_id, key)


def task_instances(metastore, dag_id: str, run_id: str) -> dict[tuple[str, int], Any]:
    from tradewind.metastore.models import TaskInstance

    with metastore.session() as session:
        rows = session.execute(
            select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
        ).scalars()
        found = {(r.task_id, r.map_index): r for r in rows}
        session.expunge_all()
    return found


def tries(metastore, dag_id: str, task_id: str) -> list[Any]:
    from tradewind.metastore.models import TaskTry

    with metastore.session() as session:
        rows = list(
            session.execute(
                select(TaskTry)
                .where(TaskTry.dag_id == dag_id, TaskTry.task_id == task_id)
                .order_by(TaskTry.try_number)
            ).scalars()
        )
        session.expunge_all()
    return rows


def log_text(settings, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> str:
    from tradewind.core.keys import TryKey
    from tradewind.runtime.run_try import base_log_folder
    from tradewind.runtime.task_log import try_log_path

    key = TryKey(dag_id, run_id, task_id, -1, try_number)
    return try_log_path(base_log_folder(settings), key).read_text()
