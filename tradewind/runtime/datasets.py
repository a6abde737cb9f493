"""Dataset events: a task with ``outlets`` that succeeds updates those datasets, and every DAG
scheduled on one of them gets a row in the dataset-triggered-run queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradewind.core.keys import TaskInstanceKey
from tradewind.metastore.models import (
    DagScheduleDataset,
    Dataset,
    DatasetDagRunQueue,
    DatasetEvent,
)


def outlet_uri_and_extra(outlet: Any) -> tuple[str, dict[str, Any] | None] | None:
    if isinstance(outlet, str):
        return outlet, None
    uri = getattr(outlet, "uri", None)
    if not isinstance(uri, str):
        return None  # an outlet that is not a dataset (Airflow allows any lineage object)
    extra = getattr(outlet, "extra", None)
    return uri, dict(extra) if extra else None


def _dataset_id(session: Session, uri: str, extra: dict[str, Any] | None) -> int:
    found = session.execute(select(Dataset.id).where(Dataset.uri == uri)).scalar()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            dataset = Dataset(uri=uri, extra=extra)
            session.add(dataset)
        return dataset.id
    except IntegrityError:  # created by a concurrent try
        return session.execute(select(Dataset.id).where(Dataset.uri == uri)).scalar_one()


def record_dataset_events(
    session: Session,
    outlets: Iterable[Any],
    source: TaskInstanceKey,
    *,
    extra: dict[str, Any] | None = None,
    timestamp: datetime | None = None,
) -> list[int]:
    """Insert a DatasetEvent per outlet (creating missing Dataset rows) and queue a run for
    every DAG scheduled on it. Returns the event ids. The caller's session commits.

    An event's extra is its outlet's ``event_extra`` (what the task set in ``outlet_events``),
    else ``extra``."""
    now = timestamp or datetime.now(UTC)
    event_ids: list[int] = []
    seen: set[str] = set()
    for outlet in outlets:
        parsed = outlet_uri_and_extra(outlet)
        if parsed is None or parsed[0] in seen:
            continue
        uri, dataset_extra = parsed
        seen.add(uri)
        dataset_id = _dataset_id(session, uri, dataset_extra)
        event = DatasetEvent(
            dataset_id=dataset_id,
            source_dag_id=source.dag_id,
            source_run_id=source.run_id,
            source_task_id=source.task_id,
            source_map_index=source.map_index,
            extra=getattr(outlet, "event_extra", None) or extra,
            timestamp=now,
        )
        session.add(event)
        session.flush()
        event_ids.append(event.id)
        consumers = session.execute(
            select(DagScheduleDataset.dag_id).where(DagScheduleDataset.dataset_id == dataset_id)
        ).scalars()
        for dag_id in consumers:
            if session.get(DatasetDagRunQueue, (dataset_id, dag_id)) is not None:
                continue
            try:
                with session.begin_nested():
                    session.add(
                        DatasetDagRunQueue(
                            dataset_id=dataset_id, target_dag_id=dag_id, created_at=now
                        )
                    )
            except IntegrityError:  # queued by a concurrent try: one row is enough
                pass
    session.flush()
    return event_ids
