"""Advancing the active DAG runs: readiness, retries, run states, ``max_active_runs``.

Only ``queued`` and ``running`` runs are loaded. A ``queued`` run starts (through
``update_dagrun``) only while its DAG has fewer than ``max_active_runs`` running runs, oldest
logical date first; the rest stay queued, as in Airflow.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.ha import is_postgres, skip_locked
from scheduler.run_filter import RunFilter
from scheduler.spec_cache import SpecCache
from tradewind.core.states import DagRunState
from tradewind.metastore.models import DagModel, DagRun

log = logging.getLogger(__name__)
R = DagRunState
_FINISHED_RUN = {R.SUCCESS.value, R.FAILED.value}


@dataclass
class FinishedRun:
    dag_id: str
    run_id: str
    state: str
    has_callback: bool
    fileloc: str


@dataclass
class AdvanceResult:
    #: runs that reached success/failed in this pass
    finished: list[FinishedRun] = field(default_factory=list)
    #: earliest moment a retry or reschedule becomes due
    next_check_at: datetime | None = None
    schedulable: int = 0
    active: int = 0
    #: tries queued or running in the runs advanced (the fleet's, for a broker executor)
    in_flight: int = 0
    #: queue -> [queued, running] of those
    by_queue: dict[str, list[int]] = field(default_factory=dict)

    def backlogged(self, queued_now: Iterable[Any], threshold: int) -> bool:
        """Whether every queue with tries in flight (and the tries ``queued_now``, which have a
        ``queue``) has ``threshold`` or more waiting in it."""
        return self.backlog(queued_now) >= threshold

    def backlog(self, queued_now: Iterable[Any]) -> int:
        """The fewest tries waiting in any queue with tries in flight (counting the tries
        ``queued_now``, which have a ``queue``); 0 when nothing is in flight. A queue no worker
        takes from does not count for the others: one of them running a try makes it 0."""
        waiting = {queue: count[0] for queue, count in self.by_queue.items() if any(count)}
        for queued in queued_now:
            waiting[queued.queue] = waiting.get(queued.queue, 0) + 1
        return min(waiting.values()) if waiting else 0

    #: task instances of the runs started in this pass (see metastore.statistics)
    started_tasks: int = 0


#: the query of a scheduler without a run filter, on every pass: built once per dialect kind
_ACTIVE_RUNS: dict[bool, Any] = {}


def _load_runs(session: Session, only: RunFilter | None) -> list[DagRun]:
    if only is None:
        pg = is_postgres(session)
        stmt = _ACTIVE_RUNS.get(pg)
        if stmt is None:
            stmt = _ACTIVE_RUNS[pg] = skip_locked(_runs_stmt(None), session, of=DagRun)
    else:
        stmt = skip_locked(_runs_stmt(only), session, of=DagRun)
    return list(session.execute(stmt).scalars())


def _runs_stmt(only: RunFilter | None) -> Any:
    stmt = select(DagRun).where(DagRun.state.in_([R.QUEUED.value, R.RUNNING.value]))
    if only is not None:
        stmt = stmt.where(DagRun.dag_id == only.dag_id, DagRun.run_id.in_(list(only.run_ids)))
    else:
        stmt = stmt.join(DagModel, DagModel.dag_id == DagRun.dag_id).where(
            DagModel.is_paused.is_(False)
        )
    return stmt.order_by(DagRun.dag_id, DagRun.logical_date)


def _due_runs(runs: list[DagRun], now: datetime, result: AdvanceResult) -> list[DagRun]:
    """The runs whose logical date has come; the earliest other one is the next check."""
    due = []
    for run in runs:
        if run.logical_date is not None and run.logical_date > now:
            if result.next_check_at is None or run.logical_date < result.next_check_at:
                result.next_check_at = run.logical_date
        else:
            due.append(run)
    return due


def _running_counts(session: Session, dag_ids: set[str]) -> dict[str, int]:
    """Running runs per DAG, including those another scheduler holds locked."""
    from sqlalchemy import func

    if not dag_ids:
        return {}
    return dict(
        session.execute(
            select(DagRun.dag_id, func.count())
            .where(DagRun.state == R.RUNNING.value, DagRun.dag_id.in_(dag_ids))
            .group_by(DagRun.dag_id)
        ).all()
    )


def advance_runs(
    session: Session,
    specs: SpecCache,
    *,
    now: datetime,
    only: RunFilter | None = None,
    allow_future: bool = False,
) -> AdvanceResult:
    """Call ``update_dagrun`` on every active run that may progress; report finished runs.

    A run whose logical date is still to come waits for it (Airflow's scheduler does not
    examine such runs unless ``core.allow_trigger_in_future``); the runs of ``only`` (a
    ``dags test`` or a backfill) do not wait."""
    from tradewind.metastore.run_progress import update_dagrun

    result = AdvanceResult()
    runs = _load_runs(session, only)
    if only is None and not allow_future:
        runs = _due_runs(runs, now, result)
    result.active = len(runs)
    starting = {r.dag_id for r in runs if r.state == R.QUEUED.value}
    if starting and is_postgres(session):  # other schedulers may hold some of the DAG's runs
        running = defaultdict(int, _running_counts(session, starting))
    else:
        running = defaultdict(int)
        for run in runs:
            running[run.dag_id] += run.state == R.RUNNING.value
    for run in runs:
        spec = specs.for_run(session, run.dag_id, run.dag_version_id)
        if spec is None:
            continue
        was = run.state
        if was == R.QUEUED.value and running[run.dag_id] >= max(1, spec.max_active_runs):
            continue
        try:
            progress = update_dagrun(session, run, spec, now=now)
        except Exception:
            log.exception("cannot advance run %s of %s", run.run_id, run.dag_id)
            continue
        state = str(progress.run_state)
        if was == R.QUEUED.value and state != R.QUEUED.value:
            running[run.dag_id] += 1
            result.started_tasks += len(spec.task_ids)
        if state in _FINISHED_RUN:
            running[run.dag_id] -= 1
            result.finished.append(
                FinishedRun(
                    run.dag_id,
                    run.run_id,
                    state,
                    spec.has_on_success_callback
                    if state == R.SUCCESS.value
                    else spec.has_on_failure_callback,
                    spec.fileloc,
                )
            )
        result.schedulable += len(progress.schedulable)
        result.in_flight += progress.in_flight
        for queue, (queued_tries, running_tries) in progress.by_queue.items():
            count = result.by_queue.setdefault(queue, [0, 0])
            count[0] += queued_tries
            count[1] += running_tries
        check = progress.next_check_at
        if check is not None and (result.next_check_at is None or check < result.next_check_at):
            result.next_check_at = check
    return result
