"""DAG files parsed once per worker process, and again only when the file changed.

A file is re-imported when its modification time, size or content hash changed (the hash is
only computed when the cheap stamp moved, so a touched but identical file is not re-imported).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradewind.errors import DagImportError, DagNotFound, TaskNotFound


@dataclass
class _Entry:
    stamp: tuple[int, int]
    digest: str
    dags: dict[str, Any]
    #: the cache's generation when this file was imported
    generation: int = 0


class DagCache:
    def __init__(self, *, dags_folder: str, import_timeout: float) -> None:
        self.dags_folder = dags_folder
        self.import_timeout = import_timeout
        self._lock = threading.Lock()
        self._files: dict[str, _Entry] = {}
        #: how many times a file was imported (for tests and the log)
        self.imports = 0
        #: grows with every import: a try process forked at generation G holds every file
        #: imported up to G (``worker.try_pool``)
        self.generation = 0

    def after_fork(self) -> None:
        """In a forked child: a lock another thread held at the fork would never be released."""
        self._lock = threading.Lock()

    def generation_of(self, fileloc: str, dag_id: str) -> int:
        """The generation at which the file of ``dag_id`` was last imported (0: never)."""
        entry = self._files.get(self.resolve(fileloc, dag_id))
        return entry.generation if entry is not None else 0

    def resolve(self, fileloc: str, dag_id: str) -> str:
        """The local path of a DAG file (the scheduler's path, or the same name under this
        worker's DAG folder when the folders are mounted at different places)."""
        if fileloc and os.path.exists(fileloc):
            return fileloc
        if fileloc:
            local = Path(self.dags_folder) / Path(fileloc).name
            if local.exists():
                return str(local)
        raise DagNotFound(f"DAG {dag_id!r}: file {fileloc or '(unknown)'} not found on this worker")

    def dags_in(self, path: str) -> dict[str, Any]:
        from tradewind.parsing.loader import file_hash, load_file

        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            entry = self._files.get(path)
            if entry is not None and entry.stamp == stamp:
                return entry.dags
            if entry is not None and file_hash(path) == entry.digest:
                entry.stamp = stamp
                return entry.dags
            loaded = load_file(path, timeout=self.import_timeout, safe_mode=False)
            self.imports += 1
            if loaded.import_error:
                raise DagImportError(loaded.import_error)
            dags = {dag.dag_id: dag for dag in loaded.dags}
            _warm_template_envs(dags.values())
            self.generation += 1
            self._files[path] = _Entry(stamp, loaded.content_hash, dags, self.generation)
            return dags

    def fresh_task(self, fileloc: str, dag_id: str, task_id: str) -> tuple[Any, int] | None:
        """The task and its file's import generation if the file is imported and unchanged
        (a stat, no import); else None."""
        try:
            path = self.resolve(fileloc, dag_id)
            st = os.stat(path)
        except (OSError, DagNotFound):
            return None
        entry = self._files.get(path)
        if entry is None or entry.stamp != (st.st_mtime_ns, st.st_size):
            return None
        dag = entry.dags.get(dag_id)
        task = getattr(dag, "task_dict", {}).get(task_id) if dag is not None else None
        return (task, entry.generation) if task is not None else None

    def imported_task(self, fileloc: str, dag_id: str, task_id: str) -> Any:
        """The task from the import this process holds, without looking at the file: for a try
        process, whose worker checked the file just before sending the try (and forks a new
        process when it re-imports it). Falls back to :meth:`task`."""
        entry = self._files.get(fileloc)
        dag = entry.dags.get(dag_id) if entry is not None else None
        task = getattr(dag, "task_dict", {}).get(task_id) if dag is not None else None
        return task if task is not None else self.task(fileloc, dag_id, task_id)

    def task(self, fileloc: str, dag_id: str, task_id: str) -> Any:
        path = self.resolve(fileloc, dag_id)
        dag = self.dags_in(path).get(dag_id)
        if dag is None:
            raise DagNotFound(f"DAG {dag_id!r} is not defined in {path}")
        task = getattr(dag, "task_dict", {}).get(task_id)
        if task is None:
            raise TaskNotFound(f"task {task_id!r} is not in DAG {dag_id!r}")
        return task


def _warm_template_envs(dags: Any) -> None:
    """Build each DAG's (cached) Jinja environment here, so forked tries inherit it."""
    from tradewind.templating.environment import get_template_env

    for dag in dags:
        try:
            get_template_env(dag)
        except Exception:  # the try builds it (and reports the error) itself
            pass
