"""Backfills: runs for every data interval in a date range (whatever ``catchup`` says), driven
to completion in this process by the scheduler's own loop, restricted to those runs.

As Airflow's ``dags backfill``: an existing run at an interval is reused (its failed tasks run
again with ``rerun_failed_tasks``; all of it with ``reset_dagruns``), a missing one is created
with run type ``backfill``. Pools, ``max_active_tasks`` and parallelism still apply.

As Airflow's "BackfillJob is deadlocked", a backfill stops when none of its runs can make
progress any more (only task instances that wait for their previous run or for an upstream that
waits too): :attr:`BackfillProgress.deadlock` says which runs and tasks are blocked, and the
stored states are left as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.run_filter import RunFilter
from tradewind.core.schedules import DataInterval, intervals_between
from tradewind.core.spec import DagSpec
from tradewind.core.states import FINISHED, DagRunState, TaskState
from tradewind.errors import TradewindError
from tradewind.metastore.models import DagRun, TaskInstance

if TYPE_CHECKING:
    from scheduler.loop import Scheduler
    from scheduler.spec_cache import SpecCache
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

MAX_INTERVALS = 10_000
#: loop passes in a row that must see nothing move (and the same states) before a backfill
#: counts as deadlocked: a try recorded between a pass and the look after it is not a deadlock
STUCK_PASSES = 3
#: blocked runs a deadlock message lists (the rest are counted)
SHOWN_RUNS = 20
#: task-instance states that move on without any other task instance finishing first
_MOVING = frozenset(
    s.value
    for s in (
        TaskState.SCHEDULED,
        TaskState.QUEUED,
        TaskState.RUNNING,
        TaskState.UP_FOR_RETRY,
        TaskState.UP_FOR_RESCHEDULE,
    )
)
_FINISHED_TASK = frozenset(s.value for s in FINISHED)


@dataclass
class PlannedRun:
    logical_date: datetime
    data_interval: DataInterval
    run_id: str | None  # None: to be created
    run_state: str | None  # the existing run's state


@dataclass
class Deadlock:
    """Runs of a backfill that cannot progress: run id -> what waits in it, each as
    ``"task_id (reason)"`` (``depends_on_past``, ``wait_for_downstream``, ``upstream``)."""

    dag_id: str
    blocked: dict[str, list[str]]

    def message(self) -> str:
        lines = [
            f"the backfill of DAG {self.dag_id!r} is deadlocked: no task of its "
            f"{len(self.blocked)} unfinished run(s) can make progress"
        ]
        shown = list(self.blocked.items())[:SHOWN_RUNS]
        lines += [f"  {run_id}: {', '.join(waiting)}" for run_id, waiting in shown]
        if len(self.blocked) > SHOWN_RUNS:
            lines.append(f"  ... and {len(self.blocked) - SHOWN_RUNS} more run(s)")
        return "\n".join(lines)


@dataclass
class BackfillProgress:
    runs_total: int
    runs_done: int = 0
    runs_failed: int = 0
    tasks_total: int = 0
    tasks_done: int = 0
    #: task instances scheduled, queued, running or waiting for a retry or reschedule
    tasks_moving: int = 0
    started: float = field(default_factory=time.monotonic)
    #: set when the backfill stopped because none of its runs can progress
    deadlock: Deadlock | None = None

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
    into.runs_done = sum(
        1 for s in states.values() if s in (DagRunState.SUCCESS, DagRunState.FAILED)
    )
    into.runs_failed = sum(1 for s in states.values() if s == DagRunState.FAILED)
    into.tasks_total = sum(int(n) for _, n in counts)
    into.tasks_done = sum(int(n) for s, n in counts if s in _FINISHED_TASK)
    into.tasks_moving = sum(int(n) for s, n in counts if s in _MOVING)


def blocked_in_run(
    spec: DagSpec, run_state: str, rows: Iterable[tuple[str, int, str]]
) -> list[str]:
    """What waits in a run none of whose task instances moves, and why, from its
    ``(task_id, map_index, state)`` rows: ``"task_id (reason)"`` in the DAG's task order.

    An unfinished instance whose upstream tasks all finished has passed its trigger rule (else
    it would be skipped or upstream_failed), so the previous run holds it back."""
    if run_state == DagRunState.QUEUED:
        return [f"the run waits for a free run slot (max_active_runs={spec.max_active_runs})"]
    states: dict[str, list[str]] = {}
    for task_id, _, state in rows:
        states.setdefault(task_id, []).append(str(state))
    out: list[str] = []
    for task in spec.tasks:
        mine = states.get(task.task_id, [])
        if not mine or all(s in _FINISHED_TASK for s in mine):
            continue
        upstream_done = all(s in _FINISHED_TASK for up in task.upstream for s in states.get(up, []))
        if not upstream_done:
            reason = "upstream"
        elif task.wait_for_downstream:
            reason = "wait_for_downstream"
        elif task.depends_on_past:
            reason = "depends_on_past"
        else:
            reason = "not ready"
        out.append(f"{task.task_id} ({reason})")
    return out


class StandstillWatch:
    """Tells when a backfill's runs are deadlocked: :data:`STUCK_PASSES` looks in a row (one
    after each loop pass) in which no task instance of the DAG moves, the executor holds no try,
    and the backfill's runs keep the same states."""

    def __init__(
        self, metastore: Metastore, specs: SpecCache, dag_id: str, run_ids: list[str]
    ) -> None:
        self.metastore = metastore
        self.specs = specs
        self.dag_id = dag_id
        self.run_ids = run_ids
        self._last: tuple | None = None
        self._seen = 0

    def check(self, progress: BackfillProgress, executor_busy: bool) -> Deadlock | None:
        if progress.finished or progress.tasks_moving or executor_busy:
            self._last, self._seen = None, 0
            return None
        with self.metastore.session() as session:
            snapshot = self._snapshot(session)
            if snapshot is None or snapshot != self._last:
                self._last, self._seen = snapshot, int(snapshot is not None)
                return None
            self._seen += 1
            if self._seen < STUCK_PASSES:
                return None
            return self._deadlock(session, snapshot)

    def _snapshot(self, session: Session) -> tuple | None:
        """The backfill's unfinished runs and their instances; None when a task instance of
        another run of the DAG moves (its end may unblock ours)."""
        elsewhere = session.execute(
            select(TaskInstance.run_id)
            .where(
                TaskInstance.dag_id == self.dag_id,
                TaskInstance.run_id.not_in(self.run_ids),
                TaskInstance.state.in_(_MOVING),
            )
            .limit(1)
        ).first()
        if elsewhere is not None:
            return None
        runs = session.execute(
            select(DagRun.run_id, DagRun.state, DagRun.dag_version_id)
            .where(
                DagRun.dag_id == self.dag_id,
                DagRun.run_id.in_(self.run_ids),
                DagRun.state.in_([DagRunState.QUEUED.value, DagRunState.RUNNING.value]),
            )
            .order_by(DagRun.logical_date)
        ).all()
        rows = session.execute(
            select(
                TaskInstance.run_id,
                TaskInstance.task_id,
                TaskInstance.map_index,
                TaskInstance.state,
            )
            .where(
                TaskInstance.dag_id == self.dag_id,
                TaskInstance.run_id.in_([run_id for run_id, _, _ in runs]),
            )
            .order_by(TaskInstance.run_id, TaskInstance.task_id, TaskInstance.map_index)
        ).all()
        return tuple(tuple(r) for r in runs), tuple(tuple(r) for r in rows)

    def _deadlock(self, session: Session, snapshot: tuple) -> Deadlock | None:
        runs, rows = snapshot
        by_run: dict[str, list[tuple[str, int, str]]] = {}
        for run_id, task_id, map_index, state in rows:
            by_run.setdefault(run_id, []).append((task_id, map_index, state))
        blocked: dict[str, list[str]] = {}
        for run_id, state, version_id in runs:
            spec = self.specs.for_run(session, self.dag_id, version_id)
            if spec is not None:
                blocked[run_id] = blocked_in_run(spec, state, by_run.get(run_id, ()))
        return Deadlock(self.dag_id, blocked) if blocked else None


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
    """Drive ``run_ids`` to completion with a scheduler loop of their own; stop early when
    they are deadlocked (see :attr:`BackfillProgress.deadlock`)."""
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
    watch = StandstillWatch(metastore, sched.specs, dag_id, run_ids)

    def _done() -> bool:
        read_progress(metastore, dag_id, run_ids, progress)
        busy = bool(getattr(executor, "running_keys", list)())
        progress.deadlock = watch.check(progress, busy)
        if on_progress is not None:
            on_progress(progress)
        return progress.finished or progress.deadlock is not None

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
