"""Reading a DAG's plain-data structure (:class:`DagSpec`) back from the metastore."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.core.spec import DagSpec
from tradewind.errors import DagNotFound
from tradewind.metastore.models import DagModel, DagVersion


def latest_version(session: Session, dag_id: str) -> DagVersion:
    """The version new runs of ``dag_id`` are created with; DagNotFound when there is none."""
    dag = session.get(DagModel, dag_id)
    if dag is None or dag.latest_version_id is None:
        raise DagNotFound(f"DAG {dag_id!r} not found")
    version = session.get(DagVersion, dag.latest_version_id)
    if version is None:
        raise DagNotFound(f"DAG {dag_id!r} has no parsed version")
    return version


def latest_spec(session: Session, dag_id: str) -> DagSpec:
    """The DAG's structure as last parsed."""
    return DagSpec.from_json(latest_version(session, dag_id).spec_json)


def version_spec(session: Session, dag_id: str, version_id: int | None) -> DagSpec:
    """The structure of one version of the DAG, or the latest when ``version_id`` is unknown."""
    if version_id is not None:
        text = session.execute(
            select(DagVersion.spec_json).where(
                DagVersion.id == version_id, DagVersion.dag_id == dag_id
            )
        ).scalar_one_or_none()
        if text is not None:
            return DagSpec.from_json(text)
    return latest_spec(session, dag_id)
