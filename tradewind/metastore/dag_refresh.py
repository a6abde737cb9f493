"""Bring the metastore's DAGs up to date with the DAG folder, cheaply, from any process.

The CLI's read commands call this before reading: when no DAG file changed since it was last
parsed (file mtime against ``last_parsed_at`` / the import error's timestamp) and no file
disappeared, nothing is imported at all. Otherwise the whole folder is parsed and synced, so that
duplicate dag_ids across files are judged with every file in view.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.metastore.dag_sync import SyncResult, sync_dagbag
from tradewind.metastore.models import DagModel, ImportError_
from tradewind.parsing.ignore import list_dag_files
from tradewind.parsing.loader import might_contain_dag

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore


def stale_files(session: Session, dag_folder: str | os.PathLike[str]) -> list[str]:
    """Files of the folder that changed since their last parse, and vanished DAG files."""
    files = [str(p.absolute()) for p in list_dag_files(dag_folder)]
    parsed: dict[str, datetime] = dict(
        session.execute(
            select(DagModel.fileloc, func.min(DagModel.last_parsed_at))
            .where(DagModel.is_active.is_(True))
            .group_by(DagModel.fileloc)
        ).all()
    )
    errored: dict[str, datetime] = dict(
        session.execute(
            select(ImportError_.filename, func.max(ImportError_.timestamp)).group_by(
                ImportError_.filename
            )
        ).all()
    )
    stale = []
    for path in files:
        seen = parsed.get(path) or errored.get(path)
        try:
            mtime = datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
        except OSError:
            continue
        if seen is not None and _aware(seen) >= mtime:
            continue
        if seen is None and path.endswith(".py") and not _looks_like_dag_file(path):
            continue
        stale.append(path)
    folder = str(Path(dag_folder).absolute())
    prefix = folder.rstrip(os.sep) + os.sep
    alive = set(files)
    for path in set(parsed) | set(errored):
        if path not in alive and (path.startswith(prefix) or not os.path.exists(path)):
            stale.append(path)
    return sorted(stale)


def refresh_dag_folder(
    metastore: Metastore,
    settings: Any,
    *,
    dag_folder: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> SyncResult | None:
    """Parse and sync the DAG folder when something in it changed (always with ``force``).

    Returns the sync's result, or None when everything was up to date. The files are imported
    between two short transactions, so that no database lock is held while user code runs.
    """
    from tradewind.parsing.dagbag import DagBag

    folder = dag_folder or settings.core.dags_folder
    if not force:
        with metastore.session() as session:
            if not stale_files(session, folder):
                return None
    bag = DagBag(folder, import_timeout=settings.core.dagbag_import_timeout)
    with metastore.session() as session:
        return sync_dagbag(
            session,
            bag,
            paused_at_creation=settings.core.dags_are_paused_at_creation,
            default_timezone=settings.core.default_timezone,
            catchup_default=settings.scheduler.catchup_by_default,
        )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _looks_like_dag_file(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return might_contain_dag(fh.read())
    except OSError:
        return False
