"""Creating scheduled DAG runs: schedules, catch-up, ``end_date``, ``max_active_runs``.

``dag.next_dagrun_create_after`` is an index of when to look next; what to create is computed
afresh from the DAG's spec, its last automated run and now (``tradewind.core.schedules``), so a
``catchup=False`` DAG unpaused after a long pause gets only its latest interval.
A ``@continuous`` DAG gets its next run once the previous one is done (Airflow's
``ContinuousTimetable.active_runs_limit``: one active run, whatever ``max_active_runs`` says).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.ha import skip_locked
from scheduler.spec_cache import SpecCache
from tradewind.core.schedules import DagRunInfo, DataInterval, next_dagrun_info
from tradewind.core.spec import DagSpec
from tradewind.core.states import DagRunState
from tradewind.errors import DagRunAlreadyExists
from tradewind.metastore.dag_sync import (
    AUTOMATED_RUN_TYPES,
    last_automated_interval,
    refresh_next_dagrun,
    store_next_dagrun,
)
from tradewind.metastore.models import DagModel, DagRun

log = logging.getLogger(__name__)
AUTOMATED = AUTOMATED_RUN_TYPES
__all__ = [
    "AUTOMATED",
    "create_due_runs",
    "last_automated_interval",
    "next_run_info",
    "refresh_next_dagrun",
]
_ACTIVE = [DagRunState.QUEUED.value, DagRunState.RUNNING.value]


def next_run_info(
    session: Session, spec: DagSpec, *, now: datetime, last: DataInterval | None = None
) -> DagRunInfo | None:
    """The DAG's next automated run after its last one (or after ``last``)."""
    if last is None:
        last = last_automated_interval(session, spec.dag_id)
    return next_dagrun_info(spec, last_automated_interval=last, now=now)


def create_due_runs(session: Session, specs: SpecCache, *, now: datetime, settings: object) -> int:
    """Create every due scheduled run of unpaused DAGs; returns how many were created."""
    from tradewind.metastore.runs import create_dagrun

    per_dag = max(1, getattr(getattr(settings, "scheduler", None), "max_dagruns_per_loop", 20))
    stmt = select(DagModel).where(
        DagModel.is_paused.is_(False),
        DagModel.is_active.is_(True),
        DagModel.next_dagrun_create_after <= now,
    )
    created = 0
    for dag in session.execute(skip_locked(stmt, session)).scalars().all():
        if dag.latest_version_id is None:
            continue
        spec = specs.version(session, dag.latest_version_id)
        if spec is None:
            continue
        active = session.execute(
            select(func.count()).where(DagRun.dag_id == dag.dag_id, DagRun.state.in_(_ACTIVE))
        ).scalar_one()
        last = last_automated_interval(session, dag.dag_id)
        info = next_run_info(session, spec, now=now, last=last)
        made = 0
        limit = 1 if spec.schedule.kind == "continuous" else max(1, spec.max_active_runs)
        while info is not None and info.run_after <= now:
            if active >= limit or made >= per_dag:
                break  # looked at again next loop (create_after stays in the past)
            try:
                with session.begin_nested():
                    create_dagrun(
                        session,
                        spec,
                        logical_date=info.logical_date,
                        data_interval=(info.data_interval_start, info.data_interval_end),
                        run_type="scheduled",
                        dag_version_id=dag.latest_version_id,
                    )
                made += 1
                active += 1
            except DagRunAlreadyExists:
                log.info("DAG %s already has a run at %s", dag.dag_id, info.logical_date)
            info = next_run_info(session, spec, now=now, last=info.data_interval)
        store_next_dagrun(dag, info)
        created += made
        if made:
            log.info("DAG %s: created %d scheduled run(s)", dag.dag_id, made)
    return created
