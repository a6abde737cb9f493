"""Backfills: runs for every data interval in a date range (whatever ``catchup`` says), driven
to completion in this process by the scheduler's own loop, restricted to those runs.

As Airflow's ``dags backfill``: an existing run at an interval is reused (its failed tasks run
again with ``rerun_failed_tasks``; all of it with ``reset_dagruns``), a missing one is created
with run type ``backfill``. Pools, ``max_active_tasks`` and parallelism still apply.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.run_filter import RunFilter
from tradewind.core.schedules import DataInterval, intervals_between
from tradewind.core.spec import DagSpec
from tradewind.core.states import FINISHED, DagRunState
from tradewind.errors import TradewindError
from tradewind.metastore.models import DagRun, TaskInstance

if TYPE_CHECKING:
    from scheduler.loop import Scheduler
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

MAX_INTERVALS = 10_000


@dataclass
class PlannedRun:
    logical_date: datetime
    data_interval: DataInterval
    run_id: str | None  # None: to be created
    run_state: str | None  # the existing run's state


@dataclass
class BackfillProgress:
    runs_total: int
    runs_done: int = 0
    runs_failed: int = 0
    tasks_total: int = 0
    tasks_done: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def eta(self) -> float | None:
        """Seconds left, from the pace of finished task instances so far."""
        if not self.tasks_done or not self.tasks_total:
            return None
        return self.elapsed * (self.tasks_total - self.tasks_done) / self.tasks_done

    @property
    def finished(self) -> bool:
        return self.runs_done >= self.runs_total


def plan_backfill(
    session: Session, spec: DagSpec, start: datetime, end: datetime
) -> list[PlannedRun]:
    """One entry per data interval whose logical date lies in ``[start, end]``."""
    if end < start:
        raise TradewindError(
            f"the end date {end.isoformat()} is before the start date {start.isoformat()}",
            hint="give -s START -e END with START <= END",
        )
    if spec.schedule.kind in ("none", "datasets"):
        raise TradewindError(
            f"DAG {spec.dag_id!r} has no time-based schedule ({spec.schedule.description})",
            hint="backfill DAGs scheduled by cron, a preset or a timedelta",
        )
    intervals = intervals_between(spec, None, start, end, limit=MAX_INTERVALS)
    existing = {
        r.logical_date: r
        for r in session.execute(
            select(DagRun).where(
                DagRun.dag_id == spec.dag_id,
                DagRun.logical_date.in_([i.start for i in intervals]),
            )
        ).scalars()
    }
    planned = []
    for interval in intervals:
        run = existing.get(interval.start)
        planned.append(
            PlannedRun(
                interval.start,
                interval,
                run.run_id if run else None,
                run.state if run else None,
            )
        )
    return planned


def prepare_runs(
    session: Session,
    spec: DagSpec,
    version_id: int | None,
    planned: list[PlannedRun],
    *,
    reset_dagruns: bool = False,
    rerun_failed_tasks: bool = False,
) -> list[str]:
    """Create the missing runs and clear what the flags say; returns every run id to drive."""
    from tradewind.metastore.runs import clear_task_instances, create_dagrun

    run_ids: list[str] = []
    for item in planned:
        if item.run_id is None:
            run = create_dagrun(
                session,
                spec,
                logical_date=item.logical_date,
                data_interval=(item.data_interval.start, item.data_interval.end),
                run_type="backfill",
                dag_version_id=version_id,
                triggered_by="backfill",
            )
            item.run_id, item.run_state = run.run_id, run.state
        elif reset_dagruns:
            clear_task_instances(session, spec.dag_id, run_ids=[item.run_id])
        elif rerun_failed_tasks:
            clear_task_instances(session, spec.dag_id, run_ids=[item.run_id], only_failed=True)
        run_ids.append(item.run_id)
    return run_ids


def read_progress(
    metastore: Metastore, dag_id: str, run_ids: list[str], into: BackfillProgress
) -> None:
    with metastore.session() as session:
        states = dict(
            session.execute(
                select(DagRun.run_id, DagRun.state).where(
                    DagRun.dag_id == dag_id, DagRun.run_id.in_(run_ids)
                )
            ).all()
        )
        counts = session.execute(
            select(TaskInstance.state, func.count())
            .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id.in_(run_ids))
            .group_by(TaskInstance.state)
        ).all()
    finished = {s.value for s in FINISHED}
    into.runs_done = sum(
        1 for s in states.values() if s in (DagRunState.SUCCESS, DagRunState.FAILED)
    )
    into.runs_failed = sum(1 for s in states.values() if s == DagRunState.FAILED)
    into.tasks_total = sum(int(n) for _, n in counts)
    into.tasks_done = sum(int(n) for s, n in counts if s in finished)


def run_backfill(
    settings: Settings,
    metastore: Metastore,
    dag_id: str,
    run_ids: list[str],
    *,
    executor_name: str = "local",
    on_progress: Callable[[BackfillProgress], None] | None = None,
    timeout: float | None = None,
) -> BackfillProgress:
    """Drive ``run_ids`` to completion with a scheduler loop of their own."""
    from scheduler.executors.factory import build_executor
    from scheduler.loop import Scheduler
    from tradewind.metastore.pools import ensure_default_pool

    with metastore.session() as session:
        ensure_default_pool(session, slots=settings.core.default_pool_slots)
    executor = build_executor(settings, metastore, executor_name)
    sched: Scheduler = Scheduler(
        settings, metastore, executor, only=RunFilter(dag_id, run_ids), listen=False
    )
    progress = BackfillProgress(runs_total=len(run_ids))

    def _done() -> bool:
        read_progress(metastore, dag_id, run_ids, progress)
        if on_progress is not None:
            on_progress(progress)
        return progress.finished

    graceful = True
    try:
        if not _done():
            sched.run(until=_done, timeout=timeout)
    except KeyboardInterrupt:
        graceful = False
        raise
    finally:
        sched.shutdown(graceful=graceful)
    return progress
