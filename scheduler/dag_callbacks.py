"""DAG-level ``on_success_callback`` / ``on_failure_callback`` when a run finishes.

Only DAGs whose spec says they have such a callback are imported (by their file, cached), and
the callbacks run outside any metastore transaction; their errors are logged, never raised.
As Airflow's ``DagRun.handle_callback``, a callback gets the full context of the run's deciding
task instance (its last failed one, else its last finished one) plus ``reason``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scheduler.active_runs import FinishedRun
from scheduler.executors.try_runner import TaskLoader

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore
    from tradewind.runtime.context import Context

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
            success = finished.state == "success"
            attr = "on_success_callback" if success else "on_failure_callback"
            if not getattr(dag, attr, None):
                continue  # the file changed since the spec was stored: nothing to build for
            with metastore.session() as session:
                dag_run = get_dagrun(session, finished.dag_id, finished.run_id)
                session.expunge(dag_run)
            reason = "success" if success else "task_failure"
            context = callback_context(metastore, dag, dag_run, reason)
            count += run_callbacks(dag, context, success)
        except Exception:
            log.exception("DAG callbacks of %s %s failed", finished.dag_id, finished.run_id)
    return count


def callback_context(metastore: Metastore, dag: Any, dag_run: Any, reason: str) -> Context:
    """The deciding task instance's template context with ``reason``; the run's own context
    (dates, ``dag_run``, ``params``, ``reason``) when the run has no task instance."""
    from tradewind.runtime.context import build_context, build_dag_run_context

    run_context = build_dag_run_context(dag, dag_run, reason=reason, metastore=metastore)
    ti = run_context.get("ti")
    if ti is None:
        return run_context
    context = build_context(
        dag=dag, task=run_context.get("task"), ti=ti, dag_run=dag_run, metastore=metastore
    )
    context["reason"] = reason
    return context
