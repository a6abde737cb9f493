"""What every tab of a DAG's page shows in its header: the DAG row, its tags and its spec."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.core.spec import DagSpec
from tradewind.errors import DagNotFound
from tradewind.metastore.dag_specs import latest_version
from tradewind.metastore.models import DagModel, DagRun, DagTag

TABS: tuple[tuple[str, str], ...] = (
    ("grid", "Grid"),
    ("graph", "Graph"),
    ("gantt", "Gantt"),
    ("calendar", "Calendar"),
    ("duration", "Task duration"),
    ("landing", "Landing times"),
    ("code", "Code"),
    ("details", "Details"),
)


@dataclass(frozen=True)
class DagHeader:
    dag: DagModel
    tags: list[str]
    spec: DagSpec
    version_id: int
    version_number: int


def dag_header(session: Session, dag_id: str) -> DagHeader:
    dag = session.get(DagModel, dag_id)
    if dag is None:
        raise DagNotFound(f"DAG {dag_id!r} not found")
    version = latest_version(session, dag_id)
    tags = list(
        session.scalars(select(DagTag.name).where(DagTag.dag_id == dag_id).order_by(DagTag.name))
    )
    return DagHeader(
        dag=dag,
        tags=tags,
        spec=DagSpec.from_json(version.spec_json),
        version_id=version.id,
        version_number=version.version_number,
    )


def pick_run(session: Session, dag_id: str, run_id: str | None) -> DagRun | None:
    """The run asked for, else the DAG's latest run (None when it has none)."""
    query = select(DagRun).where(DagRun.dag_id == dag_id)
    if run_id:
        run = session.scalar(query.where(DagRun.run_id == run_id))
        if run is not None:
            return run
    return session.scalar(query.order_by(DagRun.logical_date.desc()).limit(1))


def run_choices(session: Session, dag_id: str, limit: int = 50) -> list[str]:
    return list(
        session.scalars(
            select(DagRun.run_id)
            .where(DagRun.dag_id == dag_id)
            .order_by(DagRun.logical_date.desc())
            .limit(limit)
        )
    )
