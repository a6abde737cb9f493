"""Dataset-triggered runs: a DAG scheduled on datasets gets a run once its datasets updated since
its last such run (rows in ``dataset_dag_run_queue``, written by the runtime when a producing
task succeeds) satisfy its schedule: every one of them for a list (or ``a & b``), any one for
``a | b``, nested as written. The rows it consumed are deleted with the run's creation, in one
transaction."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.ha import skip_locked
from scheduler.spec_cache import SpecCache
from tradewind.core.schedules import dataset_data_interval
from tradewind.core.spec import DagSpec
from tradewind.errors import DagRunAlreadyExists
from tradewind.metastore.models import (
    DagModel,
    DagScheduleDataset,
    DatasetDagRunQueue,
    DatasetEvent,
)
from tradewind.metastore.models import (
    Dataset as DatasetModel,
)

log = logging.getLogger(__name__)


def create_dataset_runs(session: Session, specs: SpecCache, *, now: datetime) -> int:
    queued = session.execute(
        skip_locked(
            select(
                DatasetDagRunQueue.target_dag_id,
                DatasetDagRunQueue.dataset_id,
                DatasetDagRunQueue.created_at,
            ),
            session,
        )
    ).all()
    if not queued:
        return 0
    pending: dict[str, dict[int, datetime]] = defaultdict(dict)
    for dag_id, dataset_id, created_at in queued:
        pending[dag_id][dataset_id] = created_at
    dags = {
        d.dag_id: d
        for d in session.execute(
            select(DagModel).where(
                DagModel.dag_id.in_(list(pending)),
                DagModel.is_active.is_(True),
                DagModel.is_paused.is_(False),
            )
        ).scalars()
    }
    needed: dict[str, dict[int, str]] = defaultdict(dict)
    for dataset_id, dag_id, uri in session.execute(
        select(DagScheduleDataset.dataset_id, DagScheduleDataset.dag_id, DatasetModel.uri)
        .join(DatasetModel, DatasetModel.id == DagScheduleDataset.dataset_id)
        .where(DagScheduleDataset.dag_id.in_(list(dags)))
    ).all():
        needed[dag_id][dataset_id] = uri
    created = 0
    for dag_id, dag in dags.items():
        have = pending[dag_id]
        ready = set(needed[dag_id]) & set(have)
        if not ready or dag.latest_version_id is None:
            continue
        spec = specs.version(session, dag.latest_version_id)
        if spec is None or not _condition_met(
            spec, {needed[dag_id][i] for i in ready}, needed[dag_id]
        ):
            continue
        if _create_run(session, spec, dag, ready, have, now):
            created += 1
    return created


def _condition_met(spec: DagSpec, updated: set[str], scheduled: dict[int, str]) -> bool:
    """Whether the datasets ``updated`` since the last dataset-triggered run satisfy the DAG's
    schedule (a plain list: all of its datasets)."""
    condition = spec.schedule.dataset_condition
    if condition is None:
        return set(scheduled.values()) <= updated
    return _evaluate(condition, updated)


def _evaluate(condition: Any, updated: set[str]) -> bool:
    """A condition's plain data: a URI, or ("any" | "all", item, ...)."""
    if isinstance(condition, str):
        return condition in updated
    kind, *items = condition
    results = (_evaluate(item, updated) for item in items)
    return any(results) if kind == "any" else all(results)


def _create_run(
    session: Session,
    spec: DagSpec,
    dag: DagModel,
    dataset_ids: set[int],
    queued_at: dict[int, datetime],
    now: datetime,
) -> bool:
    from tradewind.metastore.runs import create_dagrun

    since = min(queued_at[i] for i in dataset_ids)
    event_times = session.execute(
        select(DatasetEvent.timestamp).where(
            DatasetEvent.dataset_id.in_(dataset_ids), DatasetEvent.timestamp >= since
        )
    ).scalars()
    interval = dataset_data_interval(now, event_times)
    try:
        with session.begin_nested():
            create_dagrun(
                session,
                spec,
                logical_date=now,
                data_interval=(interval.start, interval.end),
                run_type="dataset_triggered",
                dag_version_id=dag.latest_version_id,
                triggered_by="dataset",
            )
    except DagRunAlreadyExists:
        return False
    session.execute(
        delete(DatasetDagRunQueue)
        .where(
            DatasetDagRunQueue.target_dag_id == dag.dag_id,
            DatasetDagRunQueue.dataset_id.in_(dataset_ids),
        )
        .execution_options(synchronize_session=False)
    )
    log.info("DAG %s: created a dataset-triggered run", dag.dag_id)
    return True
