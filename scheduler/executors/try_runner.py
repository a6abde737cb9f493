"""Running one queued try in this process: find its task in its DAG file, claim, run.

Shared by the sequential executor (in the scheduler's process) and the local executor's try
processes. The state is written by ``tradewind.runtime``; this module only decides nothing.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from tradewind.errors import DagImportError, DagNotFound, TaskNotFound

if TYPE_CHECKING:
    from scheduler.executors.base import QueuedTry
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


class TaskLoader:
    """Loads the task of a try from its DAG file: each file is imported once per process and
    again only when its modification time or size changed."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._files: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}

    def dags_in(self, fileloc: str) -> dict[str, Any]:
        from tradewind.parsing.loader import load_file

        try:
            st = os.stat(fileloc)
        except OSError:
            raise DagNotFound(f"DAG file {fileloc!r} does not exist") from None
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._files.get(fileloc)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        loaded = load_file(
            fileloc, timeout=self._settings.core.dagbag_import_timeout, safe_mode=False
        )
        if loaded.import_error:
            raise DagImportError(loaded.import_error)
        dags = {dag.dag_id: dag for dag in loaded.dags}
        self._files[fileloc] = (stamp, dags)
        return dags

    def get_task(self, fileloc: str, dag_id: str, task_id: str) -> Any:
        dag = self.dags_in(fileloc).get(dag_id)
        if dag is None:
            raise DagNotFound(f"DAG {dag_id!r} is not defined in {fileloc}")
        task = getattr(dag, "task_dict", {}).get(task_id)
        if task is None:
            raise TaskNotFound(f"task {task_id!r} is not in DAG {dag_id!r}")
        return task


def claim(metastore: Metastore, queued: QueuedTry, *, hostname: str) -> Any:
    """``queued -> running`` for exactly this try, reading what it needs to start in the same
    transaction; None when someone else has it, else what :func:`run_claimed` takes."""
    from tradewind.runtime.try_start import claim_and_start

    return claim_and_start(
        metastore, queued.try_key, hostname=hostname, worker_name=None, pid=os.getpid()
    )


def run_claimed(
    metastore: Metastore,
    settings: Settings,
    task: Any,
    queued: QueuedTry,
    *,
    hostname: str,
    start: Any = None,
) -> str:
    """Run a claimed try through the runtime; returns its final state."""
    from tradewind.runtime.run_try import run_try
    from tradewind.runtime.try_start import TryStart

    if not isinstance(start, TryStart):
        start = None  # the runtime reads it
    state = run_try(
        metastore, task, queued.try_key, settings=settings, hostname=hostname, start=start
    )
    return str(state)
