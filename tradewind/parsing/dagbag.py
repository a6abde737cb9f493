"""The DagBag: every DAG defined under a DAG folder, and every file that failed to import.

``collect()`` can be called again and again (the scheduler's DAG processor does, on an interval):
only files whose content hash changed are imported again, files that disappeared take their DAGs
with them, and each call returns a :class:`CollectResult` saying which files changed, so the
metastore sync can touch only those.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradewind.parsing.ignore import list_dag_files
from tradewind.parsing.loader import LoadedFile, file_hash, load_file

#: the repository's example DAGs, when running from a source checkout
EXAMPLES_FOLDER = Path(__file__).resolve().parents[2] / "dags"


@dataclass
class CollectResult:
    """What one ``DagBag.collect()`` changed."""

    #: files imported this time (new or changed content)
    imported_files: list[str] = field(default_factory=list)
    #: files skipped because their content hash did not change
    unchanged_files: list[str] = field(default_factory=list)
    #: files that were known before and are gone now
    removed_files: list[str] = field(default_factory=list)
    #: every file whose DAGs or import error may differ from before (sync these)
    touched_files: list[str] = field(default_factory=list)
    added_dag_ids: list[str] = field(default_factory=list)
    removed_dag_ids: list[str] = field(default_factory=list)
    duration: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.touched_files)


class DagBag:
    """The DAGs of a folder (or of one file), as Airflow's ``DagBag``.

    ``dags`` maps dag_id to DAG, ``import_errors`` maps file path to message, ``file_hashes``
    maps each known file to the sha256 of the content last imported.
    """

    def __init__(
        self,
        dag_folder: str | os.PathLike[str] | None = None,
        *,
        import_timeout: float = 30.0,
        safe_mode: bool = True,
        include_examples: bool = False,
        collect_dags: bool = True,
    ) -> None:
        if dag_folder is None:
            from tradewind.config import load_settings

            dag_folder = load_settings().core.dags_folder
        self.dag_folder = str(Path(dag_folder).absolute())
        self.import_timeout = import_timeout
        self.safe_mode = safe_mode
        self.include_examples = include_examples
        self.dags: dict[str, Any] = {}
        self.import_errors: dict[str, str] = {}
        self.file_hashes: dict[str, str] = {}
        self._files: dict[str, LoadedFile] = {}
        self._dag_files: dict[str, str] = {}
        if collect_dags:
            self.collect()

    # -- reading ---------------------------------------------------------------------------
    def get_dag(self, dag_id: str) -> Any | None:
        """The DAG with that id, or None (as Airflow's ``DagBag.get_dag``)."""
        return self.dags.get(dag_id)

    def file_of(self, dag_id: str) -> str | None:
        """The file that defines ``dag_id``."""
        return self._dag_files.get(dag_id)

    def source_of(self, dag_id: str) -> str:
        """The source text of the module that defined ``dag_id`` (as imported)."""
        path = self._dag_files.get(dag_id)
        loaded = self._files.get(path) if path else None
        return loaded.sources.get(dag_id, "") if loaded else ""

    def dags_of_file(self, path: str) -> list[Any]:
        return [self.dags[d] for d, p in self._dag_files.items() if p == path]

    @property
    def known_files(self) -> list[str]:
        """Every file of the folder seen by the last collect (with DAGs, errors or neither)."""
        return sorted(self._files)

    @property
    def dag_ids(self) -> list[str]:
        return sorted(self.dags)

    def size(self) -> int:
        return len(self.dags)

    def __len__(self) -> int:
        return len(self.dags)

    # -- loading ---------------------------------------------------------------------------
    def load_file(self, path: str | os.PathLike[str]) -> list[Any]:
        """Import one file (even when unchanged) into the bag and return its DAGs."""
        filepath = str(Path(path).absolute())
        self._store(load_file(filepath, timeout=self.import_timeout, safe_mode=self.safe_mode))
        self._resolve()
        return self.dags_of_file(filepath)

    def process_file(
        self, filepath: str | os.PathLike[str], only_if_updated: bool = True, safe_mode: bool = True
    ) -> list[Any]:
        """Airflow's name: import one file (unless unchanged with ``only_if_updated``)."""
        path = str(Path(filepath).absolute())
        unchanged = path in self._files and self.file_hashes.get(path) == file_hash(path)
        if only_if_updated and unchanged:
            return self.dags_of_file(path)
        self._store(load_file(path, timeout=self.import_timeout, safe_mode=safe_mode))
        self._resolve()
        return self.dags_of_file(path)

    def collect(self) -> CollectResult:
        """Scan the folder: import new and changed files, drop removed ones."""
        started = time.monotonic()
        result = CollectResult()
        before_dags = dict(self._dag_files)
        before_errors = dict(self.import_errors)
        self._add_folder_to_sys_path()
        paths = [str(p.absolute()) for p in list_dag_files(self.dag_folder)]
        if self.include_examples and EXAMPLES_FOLDER.is_dir():
            paths += [str(p) for p in list_dag_files(EXAMPLES_FOLDER) if str(p) not in paths]
        for path in paths:
            if path in self._files and self.file_hashes.get(path) == file_hash(path):
                result.unchanged_files.append(path)
                continue
            self._store(load_file(path, timeout=self.import_timeout, safe_mode=self.safe_mode))
            result.imported_files.append(path)
        current = set(paths)
        for path in sorted(set(self._files) - current):
            del self._files[path]
            self.file_hashes.pop(path, None)
            result.removed_files.append(path)
        self._resolve()
        touched = set(result.imported_files) | set(result.removed_files)
        for dag_id in set(before_dags) | set(self._dag_files):
            old, new = before_dags.get(dag_id), self._dag_files.get(dag_id)
            if old != new:
                touched.update(p for p in (old, new) if p)
        for path in set(before_errors) | set(self.import_errors):
            if before_errors.get(path) != self.import_errors.get(path):
                touched.add(path)
        result.touched_files = sorted(touched)
        result.added_dag_ids = sorted(set(self._dag_files) - set(before_dags))
        result.removed_dag_ids = sorted(set(before_dags) - set(self._dag_files))
        result.duration = time.monotonic() - started
        return result

    # -- internals -------------------------------------------------------------------------
    def _add_folder_to_sys_path(self) -> None:
        """DAG files import helper modules of their folder, as Airflow allows."""
        folder = self.dag_folder if os.path.isdir(self.dag_folder) else None
        if folder and folder not in sys.path:
            sys.path.append(folder)

    def _store(self, loaded: LoadedFile) -> None:
        self._files[loaded.path] = loaded
        self.file_hashes[loaded.path] = loaded.content_hash

    def _resolve(self) -> None:
        """Rebuild ``dags`` and ``import_errors`` from the loaded files.

        A dag_id defined by two files stays with the file that had it before (else the first
        file in path order); the other file gets an import error, as Airflow's duplicate check.
        """
        previous = self._dag_files
        candidates: dict[str, list[tuple[str, Any]]] = {}
        errors: dict[str, list[str]] = {}
        for path in sorted(self._files):
            loaded = self._files[path]
            if loaded.import_error:
                errors.setdefault(path, []).append(loaded.import_error)
            for dag in loaded.dags:
                candidates.setdefault(dag.dag_id, []).append((path, dag))
        dags: dict[str, Any] = {}
        dag_files: dict[str, str] = {}
        for dag_id, found in candidates.items():
            paths = [p for p, _ in found]
            owner = previous.get(dag_id) if previous.get(dag_id) in paths else paths[0]
            for path, dag in found:
                if path == owner:
                    dags[dag_id], dag_files[dag_id] = dag, path
                else:
                    errors.setdefault(path, []).append(
                        f"{path}: DuplicateDagIdError: DAG {dag_id!r} is already defined in "
                        f"{owner}; every dag_id must be unique across the DAG folder"
                    )
        self.dags = dict(sorted(dags.items()))
        self._dag_files = dag_files
        self.import_errors = {p: "\n".join(m) for p, m in sorted(errors.items())}
