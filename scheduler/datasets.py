"""Dataset-triggered runs: a DAG scheduled on datasets gets a run once every one of its
datasets has a new event since its last such run (a row in ``dataset_dag_run_queue``, written
by the runtime when a producing task succeeds). The rows it consumed are deleted with the run's
creation, in one transaction."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.ha import skip_locked
from scheduler.spec_cache import SpecCache
from tradewind.core.schedules import dataset_data_interval
from tradewind.errors import DagRunAlreadyExists
from tradewind.metastore.models import (
    DagModel,
    DagScheduleDataset,
    DatasetDagRunQueue,
    DatasetEvent,
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
    needed: dict[str, set[int]] = defaultdict(set)
    for dataset_id, dag_id in session.execute(
        select(DagScheduleDataset.dataset_id, DagScheduleDataset.dag_id).where(
            DagScheduleDataset.dag_id.in_(list(dags))
        )
    ).all():
        needed[dag_id].add(dataset_id)
    created = 0
    for dag_id, dag in dags.items():
        have = pending[dag_id]
        if not needed[dag_id] or not needed[dag_id] <= set(have):
            continue
        if _create_run(session, specs, dag, needed[dag_id], have, now):
            created += 1
    return created


def _create_run(
    session: Session,
    specs: SpecCache,
    dag: DagModel,
    dataset_ids: set[int],
    queued_at: dict[int, datetime],
    now: datetime,
) -> bool:
    from tradewind.metastore.runs import create_dagrun

    if dag.latest_version_id is None:
        return False
    spec = specs.version(session, dag.latest_version_id)
    if spec is None:
        return False
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
