"""A task instance's page (rendered templates, XComs, tries and their logs, followed live) and
the actions on task instances and runs, with their permissions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import select

from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.metastore import transitions
from tradewind.metastore.models import DagRun, TaskInstance, Worker, utcnow
from tradewind.metastore.xcoms import push_xcom
from tradewind.runtime.task_log import try_log_path

if TYPE_CHECKING:
    from tests.dashboard.conftest import Dash

DAG = "dash_pipeline"
XSS = "<script>alert('x')</script>"


def _url(run_id: str, task_id: str = "extract") -> str:
    return f"/dags/{DAG}/runs/{quote(run_id, safe='')}/tasks/{task_id}"


def _state(dash: Dash, run_id: str, task_id: str) -> tuple[str, int]:
    with dash.session() as session:
        row = session.execute(
            select(TaskInstance.state, TaskInstance.try_number).where(
                TaskInstance.dag_id == DAG,
                TaskInstance.run_id == run_id,
                TaskInstance.task_id == task_id,
            )
        ).one()
        return row.state, row.try_number


def _ran(dash: Dash, run_id: str, task_id: str, state: str, log: str | None = None) -> None:
    """A finished first try of ``task_id``, with its history row and (optionally) its log."""
    now = utcnow()
    key = TaskInstanceKey(DAG, run_id, task_id)
    with dash.session() as session:
        transitions.set_task_state(
            session, key, state, expected=["none"], try_number=None,
            try_number_value=None, start_date=now, end_date=now,
        ) if False else transitions.set_task_state(
            session, key, "scheduled", expected=["none"], increment_try=True
        )
        transitions.set_task_state(session, key, "queued", expected=["scheduled"])
        transitions.set_task_state(session, key, "running", expected=["queued"], start_date=now)
        transitions.set_task_state(session, key, state, expected=["running"], end_date=now)
        transitions.record_try(
            session, TryKey(DAG, run_id, task_id, -1, 1), state, start_date=now, end_date=now
        )
    if log is not None:
        path = try_log_path(dash.settings.logging.base_log_folder, TryKey(DAG, run_id, task_id, -1, 1))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(log)
