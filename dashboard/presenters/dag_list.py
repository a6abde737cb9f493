"""The home page's rows: one page of DAGs with their tags, run counts and latest run.

Every query is bounded by the page's dag_ids (LIMIT/OFFSET on the DAG table, then GROUP BY over
``dag_run``/``task_instance`` restricted to those ids), so the page costs the same with 1,000
DAGs as with 10.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.metastore.models import DagModel, DagRun, DagTag, ImportError_, TaskInstance


@dataclass
class DagRow:
    dag_id: str
    is_paused: bool
    owners: str
    schedule: str
    description: str | None
    next_run: datetime | None
    has_import_errors: bool
    tags: list[str] = field(default_factory=list)
    run_counts: dict[str, int] = field(default_factory=dict)
    task_counts: dict[str, int] = field(default_factory=dict)
    last_run_id: str | None = None
    last_run_date: datetime | None = None
    last_run_state: str | None = None


@dataclass(frozen=True)
class DagListing:
    rows: list[DagRow]
    total: int


def list_dags(
    session: Session, *, search: str = "", tag: str = "", offset: int = 0, limit: int = 25
) -> DagListing:
    """One page of active DAGs ordered by dag_id, filtered by a dag_id substring and a tag."""
    query = select(DagModel).where(DagModel.is_active.is_(True))
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(DagModel.dag_id.ilike(f"%{escaped}%", escape="\\"))
    if tag:
        query = query.where(DagModel.dag_id.in_(select(DagTag.dag_id).where(DagTag.name == tag)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    models = session.scalars(query.order_by(DagModel.dag_id).offset(offset).limit(limit)).all()
    rows = {
        m.dag_id: DagRow(
            dag_id=m.dag_id,
            is_paused=m.is_paused,
            owners=m.owners,
            schedule=m.schedule_description,
            description=m.description,
            next_run=m.next_dagrun,
            has_import_errors=m.has_import_errors,
        )
        for m in models
    }
    if rows:
        _fill(session, rows)
    return DagListing(list(rows.values()), total)


def _fill(session: Session, rows: dict[str, DagRow]) -> None:
    ids = list(rows)
    for dag_id, name in session.execute(
        select(DagTag.dag_id, DagTag.name).where(DagTag.dag_id.in_(ids)).order_by(DagTag.name)
    ):
        rows[dag_id].tags.append(name)
    for dag_id, state, count in session.execute(
        select(DagRun.dag_id, DagRun.state, func.count())
        .where(DagRun.dag_id.in_(ids))
        .group_by(DagRun.dag_id, DagRun.state)
    ):
        rows[dag_id].run_counts[state] = count
    latest = (
        select(DagRun.dag_id, func.max(DagRun.logical_date).label("latest"))
        .where(DagRun.dag_id.in_(ids))
        .group_by(DagRun.dag_id)
        .subquery()
    )
    last_runs = session.execute(
        select(DagRun.dag_id, DagRun.run_id, DagRun.logical_date, DagRun.state).join(
            latest,
            (DagRun.dag_id == latest.c.dag_id) & (DagRun.logical_date == latest.c.latest),
        )
    ).all()
    run_of: dict[str, str] = {}
    for dag_id, run_id, logical_date, state in last_runs:
        row = rows[dag_id]
        row.last_run_id, row.last_run_date, row.last_run_state = run_id, logical_date, state
        run_of[dag_id] = run_id
    if not run_of:
        return
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for dag_id, run_id, state, count in session.execute(
        select(TaskInstance.dag_id, TaskInstance.run_id, TaskInstance.state, func.count())
        .where(
            TaskInstance.dag_id.in_(list(run_of)),
            TaskInstance.run_id.in_(list(run_of.values())),
        )
        .group_by(TaskInstance.dag_id, TaskInstance.run_id, TaskInstance.state)
    ):
        counts[(dag_id, run_id)][state] = count
    for dag_id, run_id in run_of.items():
        rows[dag_id].task_counts = counts.get((dag_id, run_id), {})


def all_tags(session: Session, limit: int = 500) -> list[str]:
    return list(session.scalars(select(DagTag.name).distinct().order_by(DagTag.name).limit(limit)))


@dataclass(frozen=True)
class ImportErrorRow:
    filename: str
    message: str
    timestamp: datetime


def import_errors(session: Session, limit: int = 50) -> list[ImportErrorRow]:
    return [
        ImportErrorRow(r.filename, r.message, r.timestamp)
        for r in session.scalars(select(ImportError_).order_by(ImportError_.filename).limit(limit))
    ]
