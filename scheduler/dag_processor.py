"""The DAG processor, inside the scheduler's process: every ``dag_dir_list_interval`` seconds it
scans the DAG folder, re-imports only files whose content changed (``DagBag.collect``) and syncs
what changed to the metastore (``dag_sync``): new DAGs appear, deleted ones are deactivated,
a broken file keeps its DAGs' last good version while its import error shows. DAGs that are new
or got a new version have their next run recomputed.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from scheduler.dagruns import refresh_next_dagrun
from scheduler.spec_cache import SpecCache
from tradewind.metastore.models import DagModel, utcnow

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


class DagProcessor:
    def __init__(
        self,
        settings: Settings,
        metastore: Metastore,
        *,
        dag_folder: str | None = None,
        include_examples: bool = False,
    ) -> None:
        from tradewind.parsing.dagbag import DagBag

        self.settings = settings
        self.metastore = metastore
        self.interval = settings.scheduler.dag_dir_list_interval
        self.bag = DagBag(
            dag_folder or settings.core.dags_folder,
            import_timeout=settings.core.dagbag_import_timeout,
            include_examples=include_examples,
            collect_dags=False,
        )
        self._last_run: float | None = None
        self._specs = SpecCache()

    def due(self) -> bool:
        return self._last_run is None or time.monotonic() - self._last_run >= self.interval

    def process(self) -> list[str]:
        """Scan and sync; returns the files whose DAGs or errors changed."""
        first = self._last_run is None
        self._last_run = time.monotonic()
        result = self.bag.collect()
        if not result.changed and not first:
            return []
        touched = set(result.touched_files)
        dags: list[Any] = [d for path in sorted(touched) for d in self.bag.dags_of_file(path)]
        errors = {p: m for p, m in self.bag.import_errors.items() if p in touched}
        core = self.settings.core
        from tradewind.metastore.dag_sync import deactivate_missing_files, sync_dags

        with self.metastore.session() as session:
            synced = sync_dags(
                session,
                dags,
                sources={d.dag_id: self.bag.source_of(d.dag_id) for d in dags},
                import_errors=errors,
                processed_files=sorted(touched),
                paused_at_creation=core.dags_are_paused_at_creation,
                default_timezone=core.default_timezone,
                catchup_default=self.settings.scheduler.catchup_by_default,
            )
            if first:
                deactivate_missing_files(
                    session, self.bag.known_files, under_folder=self.bag.dag_folder
                )
            changed = set(synced.created_dag_ids) | set(synced.new_versions)
            if first:  # the scheduler (re)starts: every DAG's next run is recomputed
                changed |= {d.dag_id for d in dags}
            self._refresh(session, changed)
        if result.touched_files:
            log.info(
                "DAG folder: %d file(s) changed, %d DAG(s) synced, %d import error(s)",
                len(result.touched_files),
                len(dags),
                len(errors),
            )
        return sorted(touched)

    def _refresh(self, session: Any, dag_ids: set[str]) -> None:
        if not dag_ids:
            return
        now = utcnow()
        for dag in session.execute(
            select(DagModel).where(DagModel.dag_id.in_(sorted(dag_ids)))
        ).scalars():
            if dag.latest_version_id is None:
                continue
            spec = self._specs.version(session, dag.latest_version_id)
            if spec is not None:
                refresh_next_dagrun(session, dag, spec, now=now)
