"""Row-level writes of the DAG sync: one DAG's row, tags, version and datasets; import errors.

Used by :mod:`tradewind.metastore.dag_sync`; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tradewind.core.spec import DagSpec
from tradewind.metastore.models import (
    DagModel,
    DagScheduleDataset,
    DagTag,
    DagVersion,
    Dataset,
    ImportError_,
    utcnow,
)


@dataclass(frozen=True)
class ParsedDag:
    """A DAG as the sync needs it: its structure and the source code it was parsed from."""

    spec: DagSpec
    source: str = ""


def version_hash(spec: DagSpec, source: str) -> str:
    """The content hash of a DAG version: its structure and its source code."""
    from tradewind.parsing.serialize import dag_version_hash

    return dag_version_hash(spec, source)


def upsert_dag(
    session: Session, item: ParsedDag, *, paused_at_creation: bool, now: datetime
) -> tuple[bool, int | None]:
    """Create or update the DAG's rows; (created?, id of the version it moved to, or None)."""
    spec = item.spec
    created = False
    model = session.get(DagModel, spec.dag_id, with_for_update=True)
    if model is None:
        paused = (
            spec.is_paused_upon_creation
            if spec.is_paused_upon_creation is not None
            else paused_at_creation
        )
        insert_ignore(session, DagModel, {"dag_id": spec.dag_id, "is_paused": paused})
        model = session.get(DagModel, spec.dag_id, with_for_update=True)
        assert model is not None
        created = True
    owners = sorted({t.owner for t in spec.tasks if t.owner}) or [spec.owner]
    model.fileloc = spec.fileloc
    model.owners = ", ".join(owners)[:500]
    model.description = spec.description
    model.schedule_description = spec.schedule.description[:500]
    model.timezone = spec.timezone
    model.max_active_runs = spec.max_active_runs
    model.max_active_tasks = spec.max_active_tasks
    model.is_active = True
    model.has_import_errors = False
    model.last_parsed_at = now
    _sync_tags(session, spec)
    version_id = _sync_version(session, model, item)
    _sync_datasets(session, spec)
    return created, version_id


def _sync_tags(session: Session, spec: DagSpec) -> None:
    wanted = {t[:100] for t in spec.tags}
    have = set(session.execute(select(DagTag.name).where(DagTag.dag_id == spec.dag_id)).scalars())
    if have - wanted:
        session.execute(
            delete(DagTag).where(DagTag.dag_id == spec.dag_id, DagTag.name.in_(have - wanted))
        )
    for name in sorted(wanted - have):
        session.add(DagTag(dag_id=spec.dag_id, name=name))


def _sync_version(session: Session, model: DagModel, item: ParsedDag) -> int | None:
    """Point the DAG at the version for this hash, creating it if new; the id when it moved."""
    spec = item.spec
    digest = version_hash(spec, item.source)
    if model.latest_version_id is not None:
        current = session.get(DagVersion, model.latest_version_id)
        if current is not None and current.version_hash == digest:
            return None
    existing = session.execute(
        select(DagVersion.id).where(
            DagVersion.dag_id == spec.dag_id, DagVersion.version_hash == digest
        )
    ).scalar_one_or_none()
    if existing is None:
        number = session.execute(
            select(func.max(DagVersion.version_number)).where(DagVersion.dag_id == spec.dag_id)
        ).scalar_one_or_none()
        version = DagVersion(
            dag_id=spec.dag_id,
            version_hash=digest,
            version_number=(number or 0) + 1,
            fileloc=spec.fileloc,
            source_code=item.source,
            spec_json=spec.to_json(),
            created_at=utcnow(),
        )
        session.add(version)
        session.flush()
        existing = version.id
    model.latest_version_id = existing
    return existing


def _sync_datasets(session: Session, spec: DagSpec) -> None:
    outlets = {uri for t in spec.tasks for uri in t.outlets}
    scheduled = set(spec.schedule.dataset_uris) if spec.schedule.kind == "datasets" else set()
    ids = ensure_datasets(session, outlets | scheduled)
    wanted = {ids[uri] for uri in scheduled}
    have = set(
        session.execute(
            select(DagScheduleDataset.dataset_id).where(DagScheduleDataset.dag_id == spec.dag_id)
        ).scalars()
    )
    if have - wanted:
        session.execute(
            delete(DagScheduleDataset).where(
                DagScheduleDataset.dag_id == spec.dag_id,
                DagScheduleDataset.dataset_id.in_(have - wanted),
            )
        )
    for dataset_id in sorted(wanted - have):
        insert_ignore(
            session, DagScheduleDataset, {"dataset_id": dataset_id, "dag_id": spec.dag_id}
        )


def ensure_datasets(session: Session, uris: Iterable[str]) -> dict[str, int]:
    """The id of each dataset URI, creating the missing rows."""
    wanted = sorted(set(uris))
    if not wanted:
        return {}
    found = dict(
        session.execute(select(Dataset.uri, Dataset.id).where(Dataset.uri.in_(wanted))).all()
    )
    missing = [u for u in wanted if u not in found]
    for uri in missing:
        insert_ignore(session, Dataset, {"uri": uri, "created_at": utcnow()})
    if missing:
        found.update(
            session.execute(select(Dataset.uri, Dataset.id).where(Dataset.uri.in_(missing))).all()
        )
    return found


def record_import_errors(
    session: Session, files: set[str], errors: Mapping[str, str], now: datetime
) -> None:
    """Replace the import errors of ``files``: the failing ones get their new message."""
    if not files:
        return
    existing: dict[str, ImportError_] = {}
    duplicates: list[int] = []  # two processes recorded the same file's error at once
    for row in session.execute(
        select(ImportError_)
        .where(ImportError_.filename.in_(sorted(files)))
        .order_by(ImportError_.id)
    ).scalars():
        if row.filename in existing:
            duplicates.append(row.id)
        else:
            existing[row.filename] = row
    stale = [f for f in existing if f not in errors]
    if stale or duplicates:
        session.execute(
            delete(ImportError_).where(
                ImportError_.filename.in_(stale) | ImportError_.id.in_(duplicates)
            )
        )
    for path, message in sorted(errors.items()):
        row = existing.get(path)
        if row is None:
            session.add(ImportError_(filename=path, message=message, timestamp=now))
        else:  # the timestamp says when the file was last seen failing
            row.message, row.timestamp = message, now


def insert_ignore(session: Session, model: type, values: dict[str, Any]) -> None:
    """INSERT that does nothing when the row exists already (another process won the race)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        session.execute(mysql_insert(model).values(**values).prefix_with("IGNORE"))
        return
    session.execute(insert(model).values(**values).on_conflict_do_nothing())
