"""DAG-level ``on_success_callback`` / ``on_failure_callback`` when a run finishes.

Only DAGs whose spec says they have such a callback are imported (by their file, cached), and
the callbacks run outside any metastore transaction; their errors are logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from scheduler.active_runs import FinishedRun
from scheduler.executors.try_runner import TaskLoader

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


def run_dag_callbacks(metastore: Metastore, loader: TaskLoader, runs: Iterable[FinishedRun]) -> int:
    """Run the callbacks of ``runs`` that have one; returns how many callbacks ran."""
    from tradewind.metastore.runs import get_dagrun
    from tradewind.runtime.callbacks import run_dag_callbacks as run_callbacks

    count = 0
    for finished in runs:
        if not finished.has_callback:
            continue
        try:
            dag = loader.dags_in(finished.fileloc).get(finished.dag_id)
            if dag is None:
                log.warning("cannot run callbacks of %s: not in its file", finished.dag_id)
                continue
            with metastore.session() as session:
                dag_run = get_dagrun(session, finished.dag_id, finished.run_id)
                session.expunge(dag_run)
            success = finished.state == "success"
            context = {
                "dag": dag,
                "dag_run": dag_run,
                "run_id": finished.run_id,
                "reason": "success" if success else "task_failure",
                "logical_date": dag_run.logical_date,
                "conf": dag_run.conf or {},
            }
            count += run_callbacks(dag, context, success)
        except Exception:
            log.exception("DAG callbacks of %s %s failed", finished.dag_id, finished.run_id)
    return count
