"""Write parsed DAGs into the metastore: DAG rows, tags, versions, import errors, datasets.

The sync is what makes the scheduler, the dashboard and the CLI's read commands independent of
user code: they read the serialized :class:`DagSpec` stored here. Rules, as Airflow's DAG
processor follows them:

- a DAG gets a new :class:`DagVersion` (code + spec) only when its version hash changes;
- ``is_paused`` is set once, when the DAG row is created (``is_paused_upon_creation`` wins over
  the configured default);
- a file that fails to import records its error and keeps its DAGs' last good version active;
- a DAG no longer defined by a file that imported fine (or whose file is gone) is deactivated;
- a DAG row written by a sync has its next run (``next_dagrun*``) computed when the DAG is new,
  got a new version, or has none yet — whichever process syncs it (the scheduler, `dags
  reserialize`, a read command), as Airflow's ``DAG.bulk_write_to_db`` does. The scheduler only
  creates runs of DAGs whose ``next_dagrun_create_after`` is set.

Nothing here commits: the caller's session does.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tradewind.core.schedules import DagRunInfo, DataInterval, next_dagrun_info
from tradewind.core.spec import DagSpec
from tradewind.errors import DagNotFound
from tradewind.metastore.dag_rows import (
    ParsedDag,
    ensure_datasets,
    record_import_errors,
    upsert_dag,
    version_hash,
)
from tradewind.metastore.models import (
    DagModel,
    DagRun,
    DagScheduleDataset,
    DagVersion,
    ImportError_,
    utcnow,
)

__all__ = [
    "ParsedDag",
    "SyncResult",
    "deactivate_dags",
    "deactivate_missing_files",
    "ensure_datasets",
    "get_dag_source",
    "last_automated_interval",
    "load_spec",
    "refresh_next_dagrun",
    "serialize",
    "store_next_dagrun",
    "sync_dagbag",
    "sync_dags",
    "sync_specs",
    "version_hash",
]

log = logging.getLogger(__name__)
#: run types whose logical dates the schedule continues from
AUTOMATED_RUN_TYPES = ("scheduled", "backfill")


@dataclass
class SyncResult:
    created_dag_ids: list[str] = field(default_factory=list)
    #: dag_id -> id of the DagVersion created (or re-pointed to) in this sync
    new_versions: dict[str, int] = field(default_factory=dict)
    updated_dag_ids: list[str] = field(default_factory=list)
    deactivated_dag_ids: list[str] = field(default_factory=list)
    import_error_files: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created_dag_ids
            or self.new_versions
            or self.deactivated_dag_ids
            or self.import_error_files
        )


def serialize(dag: Any, *, default_timezone: str = "UTC", catchup_default: bool = True) -> DagSpec:
    """The DAG's spec, with the configured defaults where the DAG leaves them unset."""
    from tradewind.parsing.serialize import serialize_dag

    return serialize_dag(dag, default_timezone=default_timezone, catchup_default=catchup_default)


def sync_dagbag(
    session: Session,
    bag: Any,
    collected: Any = None,
    *,
    paused_at_creation: bool = True,
    default_timezone: str = "UTC",
    catchup_default: bool = True,
    now: datetime | None = None,
) -> SyncResult:
    """Sync a :class:`~tradewind.parsing.DagBag`.

    With ``collected`` (the :class:`CollectResult` of the bag's last ``collect()``) only the
    files it touched are synced — what the scheduler's DAG processor does on each interval.
    Without it the whole bag is synced, and active DAGs of files the bag does not know (under its
    folder, or gone from disk) are deactivated. After a failed sync, sync the whole bag again.
    """
    files = list(collected.touched_files) if collected is not None else list(bag.known_files)
    dags = [dag for path in files for dag in bag.dags_of_file(path)]
    result = sync_dags(
        session,
        dags,
        sources={dag.dag_id: bag.source_of(dag.dag_id) for dag in dags},
        import_errors={p: bag.import_errors[p] for p in files if p in bag.import_errors},
        processed_files=files,
        paused_at_creation=paused_at_creation,
        default_timezone=default_timezone,
        catchup_default=catchup_default,
        now=now,
    )
    if collected is None:
        result.deactivated_dag_ids += deactivate_missing_files(
            session, bag.known_files, under_folder=bag.dag_folder
        )
    return result


# -- the sync ------------------------------------------------------------------------------


def sync_dags(
    session: Session,
    dags: Iterable[Any],
    *,
    sources: Mapping[str, str] | None = None,
    import_errors: Mapping[str, str] | None = None,
    processed_files: Iterable[str] = (),
    paused_at_creation: bool = True,
    default_timezone: str = "UTC",
    catchup_default: bool = True,
    now: datetime | None = None,
) -> SyncResult:
    """Serialize live DAG objects and sync them (see :func:`sync_specs`).

    ``sources`` maps dag_id to the source code it was parsed from (default: read ``fileloc``).
    """
    parsed = []
    for dag in dags:
        spec = serialize(dag, default_timezone=default_timezone, catchup_default=catchup_default)
        source = (sources or {}).get(dag.dag_id)
        parsed.append(ParsedDag(spec, source if source is not None else _read(spec.fileloc)))
    return sync_specs(
        session,
        parsed,
        import_errors=import_errors,
        processed_files=processed_files,
        paused_at_creation=paused_at_creation,
        now=now,
    )


def sync_specs(
    session: Session,
    parsed: Iterable[ParsedDag],
    *,
    import_errors: Mapping[str, str] | None = None,
    processed_files: Iterable[str] = (),
    paused_at_creation: bool = True,
    now: datetime | None = None,
) -> SyncResult:
    """Upsert ``parsed`` DAGs, record ``import_errors`` ({path: message}), deactivate DAGs that
    a processed file no longer defines.

    ``processed_files`` are the files this sync speaks for (besides the files of ``parsed`` and
    of ``import_errors``): a processed file without an import error defines exactly the parsed
    DAGs whose fileloc it is; a file in ``import_errors`` keeps its DAGs' last version active.
    Pass a deleted file as processed to deactivate its DAGs.
    """
    now = now or utcnow()
    parsed = list(parsed)
    errors = dict(import_errors or {})
    result = SyncResult()
    for item in parsed:
        created, version_id = upsert_dag(
            session, item, paused_at_creation=paused_at_creation, now=now
        )
        if created:
            result.created_dag_ids.append(item.spec.dag_id)
        if version_id is not None:
            result.new_versions[item.spec.dag_id] = version_id
        else:
            result.updated_dag_ids.append(item.spec.dag_id)
        model = session.get(DagModel, item.spec.dag_id)
        if model is not None and (
            created or version_id is not None or model.next_dagrun_create_after is None
        ):
            refresh_next_dagrun(session, model, item.spec, now=now)
    files = set(processed_files) | set(errors) | {p.spec.fileloc for p in parsed}
    defined = {p.spec.dag_id for p in parsed}
    record_import_errors(session, files, errors, now)
    result.import_error_files = sorted(errors)
    ok_files = sorted(files - set(errors))
    if errors:
        session.execute(
            update(DagModel)
            .where(DagModel.fileloc.in_(sorted(errors)), DagModel.dag_id.not_in(defined))
            .values(has_import_errors=True)
        )
    if ok_files:
        result.deactivated_dag_ids = deactivate_dags(
            session,
            select(DagModel.dag_id).where(
                DagModel.fileloc.in_(ok_files),
                DagModel.is_active.is_(True),
                DagModel.dag_id.not_in(defined),
            ),
        )
    session.flush()
    return result


# -- next run ------------------------------------------------------------------------------


def last_automated_interval(session: Session, dag_id: str) -> DataInterval | None:
    """The data interval of the DAG's latest scheduled or backfill run."""
    row = session.execute(
        select(DagRun.data_interval_start, DagRun.data_interval_end, DagRun.logical_date)
        .where(DagRun.dag_id == dag_id, DagRun.run_type.in_(AUTOMATED_RUN_TYPES))
        .order_by(DagRun.logical_date.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    start = row.data_interval_start or row.logical_date
    return DataInterval(start, row.data_interval_end or start)


def store_next_dagrun(dag: DagModel, info: DagRunInfo | None) -> None:
    """Write ``info`` (None: no automated run to come) into the DAG row's next-run fields."""
    dag.next_dagrun = info.logical_date if info else None
    dag.next_dagrun_data_interval_start = info.data_interval_start if info else None
    dag.next_dagrun_data_interval_end = info.data_interval_end if info else None
    dag.next_dagrun_create_after = info.run_after if info else None


def refresh_next_dagrun(session: Session, dag: DagModel, spec: DagSpec, *, now: datetime) -> None:
    """Recompute the DAG's ``next_dagrun*`` fields from its spec and its last automated run
    (after a sync created or changed it, or an unpause)."""
    try:
        last = last_automated_interval(session, spec.dag_id)
        info = next_dagrun_info(spec, last_automated_interval=last, now=now)
    except Exception as exc:  # a schedule the core rejects: no automated runs
        log.warning("DAG %s: cannot compute its next run: %s", dag.dag_id, exc)
        info = None
    store_next_dagrun(dag, info)


def deactivate_dags(session: Session, dag_ids_query: Any) -> list[str]:
    """Mark the DAGs the query selects inactive (their dataset schedules go too)."""
    dag_ids = sorted(session.execute(dag_ids_query).scalars())
    if dag_ids:
        session.execute(
            update(DagModel)
            .where(DagModel.dag_id.in_(dag_ids))
            .values(is_active=False, has_import_errors=False)
        )
        session.execute(delete(DagScheduleDataset).where(DagScheduleDataset.dag_id.in_(dag_ids)))
    return dag_ids


def deactivate_missing_files(
    session: Session, alive_files: Iterable[str], *, under_folder: str | None = None
) -> list[str]:
    """Deactivate active DAGs whose file is not alive: not in ``alive_files`` and either under
    ``under_folder`` or gone from disk. Their files' import errors are deleted too."""
    alive = set(alive_files)
    prefix = under_folder.rstrip(os.sep) + os.sep if under_folder else None

    def dead(path: str) -> bool:
        if path in alive:
            return False
        return bool(prefix and path.startswith(prefix)) or not os.path.exists(path)

    rows = session.execute(
        select(DagModel.dag_id, DagModel.fileloc).where(DagModel.is_active.is_(True))
    ).all()
    dead_ids = [dag_id for dag_id, fileloc in rows if dead(fileloc)]
    error_files = session.execute(select(ImportError_.filename).distinct()).scalars().all()
    dead_files = [f for f in error_files if dead(f)]
    if dead_files:
        session.execute(delete(ImportError_).where(ImportError_.filename.in_(dead_files)))
    if not dead_ids:
        return []
    return deactivate_dags(session, select(DagModel.dag_id).where(DagModel.dag_id.in_(dead_ids)))


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


# -- readers -------------------------------------------------------------------------------


def _version(session: Session, dag_id: str, version_id: int | None) -> DagVersion:
    if version_id is None:
        model = session.get(DagModel, dag_id)
        if model is None or model.latest_version_id is None:
            raise DagNotFound(f"DAG {dag_id!r} not found")
        version_id = model.latest_version_id
    version = session.get(DagVersion, version_id)
    if version is None or version.dag_id != dag_id:
        raise DagNotFound(f"DAG {dag_id!r} has no version {version_id}")
    return version


def load_spec(session: Session, dag_id: str, version_id: int | None = None) -> DagSpec:
    """The stored structure of ``dag_id`` (its latest version unless ``version_id``)."""
    return DagSpec.from_json(_version(session, dag_id, version_id).spec_json)


def get_dag_source(session: Session, dag_id: str, version_id: int | None = None) -> str:
    """The source code ``dag_id`` was parsed from (its latest version unless ``version_id``)."""
    return _version(session, dag_id, version_id).source_code
