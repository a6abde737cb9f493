"""DAG specs by version id. A version never changes, so a spec parsed once is good forever; the
loop asks the metastore only for versions it has not seen."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.core.spec import DagSpec
from tradewind.metastore.models import DagModel, DagVersion


class SpecCache:
    def __init__(self) -> None:
        self._specs: dict[int, DagSpec] = {}
        self._with_outlets: set[tuple[str, str]] = set()

    def version(self, session: Session, version_id: int) -> DagSpec | None:
        spec = self._specs.get(version_id)
        if spec is None:
            text = session.execute(
                select(DagVersion.spec_json).where(DagVersion.id == version_id)
            ).scalar_one_or_none()
            if text is None:
                return None
            spec = self._specs[version_id] = DagSpec.from_json(text)
            self._with_outlets.update((spec.dag_id, t.task_id) for t in spec.tasks if t.outlets)
        return spec

    def latest(self, session: Session, dag_id: str) -> tuple[int | None, DagSpec | None]:
        version_id = session.execute(
            select(DagModel.latest_version_id).where(DagModel.dag_id == dag_id)
        ).scalar_one_or_none()
        if version_id is None:
            return None, None
        return version_id, self.version(session, version_id)

    def has_outlets(self, dag_id: str, task_id: str) -> bool:
        """Whether the task has outlets in any cached version of its DAG (then its success
        may have queued a dataset-triggered run)."""
        return (dag_id, task_id) in self._with_outlets

    def for_run(self, session: Session, dag_id: str, version_id: int | None) -> DagSpec | None:
        """The spec a run was created with (the latest one for runs without a version)."""
        if version_id is not None:
            spec = self.version(session, version_id)
            if spec is not None and spec.dag_id == dag_id:
                return spec
        return self.latest(session, dag_id)[1]
