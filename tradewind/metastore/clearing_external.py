"""Following ``ExternalTaskMarker``s when clearing, as Airflow's ``DAG.clear`` does.

A cleared marker instance also clears, in the run of its ``external_dag_id`` at its
``logical_date``, the ``external_task_id`` and that task's downstream tasks (with the setups and
teardowns a clear brings along), and markers among those are followed in turn. Nothing happens
when that run, or its external task instance, does not exist. The first marker met sets the
depth limit (its ``recursion_depth``); going deeper raises :class:`TradewindError`. The same
``only_failed`` / ``only_running`` filters apply in the external DAGs.

The spec does not keep a marker's arguments, so the marker's DAG file is imported and its
template fields are rendered with the marker's run (dates, ``params``, ``conf``, ``macros``;
not ``ti.xcom_pull``). When the file does not load, the fields the marker stored when it last
ran are used, with the default depth of 10.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.setup_teardown import setups_and_teardowns
from tradewind.core.spec import DagSpec
from tradewind.errors import TradewindError
from tradewind.metastore.clearing import matching_rows, task_relatives
from tradewind.metastore.dag_specs import latest_spec
from tradewind.metastore.models import DagRun, TaskInstance

MARKER_OPERATOR = "ExternalTaskMarker"
DEFAULT_RECURSION_DEPTH = 10

#: dag_id -> (its spec, the selected task instances by key)
Found = dict[str, tuple[DagSpec, dict[TaskInstanceKey, Row[Any]]]]


@dataclass(frozen=True)
class MarkerTarget:
    """Where a marker instance points: a task of another DAG's run at a logical date."""

    external_dag_id: str
    external_task_id: str
    logical_date: datetime
    recursion_depth: int = DEFAULT_RECURSION_DEPTH


def follow_markers(
    session: Session,
    spec: DagSpec,
    rows: Sequence[Row[Any]],
    found: Found,
    *,
    only_failed: bool = False,
    only_running: bool = False,
) -> None:
    """Add to ``found`` the external task instances the markers among ``rows`` reach."""
    _Walk(session, found, only_failed, only_running).follow(spec, rows, 0)


@dataclass
class _Walk:
    session: Session
    found: Found
    only_failed: bool
    only_running: bool
    visited: set[TaskInstanceKey] = field(default_factory=set)
    max_depth: int | None = None
    dags: dict[str, Any] = field(default_factory=dict)

    def follow(self, spec: DagSpec, rows: Sequence[Row[Any]], depth: int) -> None:
        markers = {t.task_id for t in spec.tasks if t.operator == MARKER_OPERATOR}
        if not markers:
            return
        for row in sorted(rows, key=lambda r: (r.run_id, r.task_id, r.map_index)):
            key = TaskInstanceKey(spec.dag_id, row.run_id, row.task_id, row.map_index)
            if row.task_id not in markers or key in self.visited:
                continue
            self.visited.add(key)
            target = resolve_marker(self.session, spec, key, self._dag(spec))
            if self.max_depth is None:
                self.max_depth = target.recursion_depth
            if depth + 1 > self.max_depth:
                raise TradewindError(
                    f"Maximum recursion depth {self.max_depth} reached for {MARKER_OPERATOR} "
                    f"{key.task_id}. Attempted to clear too many tasks or there may be a cyclic "
                    "dependency.",
                    hint="raise the first marker's recursion_depth, or clear without recursion",
                )
            self._clear_target(target, depth)

    def _clear_target(self, target: MarkerTarget, depth: int) -> None:
        ext_dag_id = target.external_dag_id
        run_ids = self.session.scalars(
            select(TaskInstance.run_id)
            .join(
                DagRun,
                (DagRun.dag_id == TaskInstance.dag_id) & (DagRun.run_id == TaskInstance.run_id),
            )
            .where(
                TaskInstance.dag_id == ext_dag_id,
                TaskInstance.task_id == target.external_task_id,
                DagRun.logical_date == target.logical_date,
            )
        ).all()
        for run_id in sorted(set(run_ids)):
            ext_spec = self._spec(ext_dag_id)
            selected = task_relatives(
                ext_spec, [target.external_task_id], upstream=False, downstream=True
            )
            selected |= setups_and_teardowns(ext_spec, selected)
            rows = matching_rows(
                self.session,
                ext_dag_id,
                run_ids=[run_id],
                task_ids=selected,
                only_failed=self.only_failed,
                only_running=self.only_running,
            )
            by_key = self.found.setdefault(ext_dag_id, (ext_spec, {}))[1]
            for r in rows:
                by_key.setdefault(TaskInstanceKey(ext_dag_id, r.run_id, r.task_id, r.map_index), r)
            self.follow(ext_spec, rows, depth + 1)

    def _spec(self, dag_id: str) -> DagSpec:
        if dag_id in self.found:
            return self.found[dag_id][0]
        return latest_spec(self.session, dag_id)

    def _dag(self, spec: DagSpec) -> Any | None:
        if spec.dag_id not in self.dags:
            self.dags[spec.dag_id] = load_live_dag(spec)
        return self.dags[spec.dag_id]


def load_live_dag(spec: DagSpec) -> Any | None:
    """The DAG object from the spec's file, or None when the file does not give it."""
    from tradewind.parsing.loader import load_file

    if not spec.fileloc:
        return None
    loaded = load_file(spec.fileloc, safe_mode=False)
    return next((d for d in loaded.dags if d.dag_id == spec.dag_id), None)


def resolve_marker(
    session: Session, spec: DagSpec, key: TaskInstanceKey, dag: Any | None
) -> MarkerTarget:
    """The marker instance's target, its fields rendered for its run."""
    task = getattr(dag, "task_dict", {}).get(key.task_id) if dag is not None else None
    if task is not None:
        return _rendered_target(session, dag, task, key)
    stored = session.scalar(
        select(TaskInstance.rendered_fields).where(
            TaskInstance.dag_id == key.dag_id,
            TaskInstance.run_id == key.run_id,
            TaskInstance.task_id == key.task_id,
            TaskInstance.map_index == key.map_index,
        )
    )
    if stored and stored.get("external_dag_id") and stored.get("external_task_id"):
        return MarkerTarget(
            str(stored["external_dag_id"]),
            str(stored["external_task_id"]),
            _as_date(stored.get("logical_date"), _run_date(session, key), key),
        )
    raise TradewindError(
        f"cannot read {MARKER_OPERATOR} {key.task_id!r} of DAG {key.dag_id!r}: its DAG file "
        f"{spec.fileloc or '(unknown)'} does not define it and it never ran",
        hint="fix the DAG file, or clear without following markers",
    )


def _rendered_target(session: Session, dag: Any, task: Any, key: TaskInstanceKey) -> MarkerTarget:
    from tradewind.runtime.context import build_context
    from tradewind.templating.render import render_template_fields

    run = session.scalars(
        select(DagRun).where(DagRun.dag_id == key.dag_id, DagRun.run_id == key.run_id)
    ).one()
    marker = copy.copy(task)
    ti = SimpleNamespace(
        dag_id=key.dag_id,
        run_id=key.run_id,
        task_id=key.task_id,
        map_index=key.map_index,
        try_number=1,
        logical_date=run.logical_date,
        task=marker,
    )
    context = build_context(dag=dag, task=marker, ti=ti, dag_run=run)
    render_template_fields(marker, context)
    depth = getattr(marker, "recursion_depth", DEFAULT_RECURSION_DEPTH)
    return MarkerTarget(
        str(marker.external_dag_id),
        str(marker.external_task_id),
        _as_date(getattr(marker, "logical_date", None), run.logical_date, key),
        int(depth),
    )


def _run_date(session: Session, key: TaskInstanceKey) -> datetime:
    return session.scalars(
        select(DagRun.logical_date).where(DagRun.dag_id == key.dag_id, DagRun.run_id == key.run_id)
    ).one()


def _as_date(value: Any, default: datetime, key: TaskInstanceKey) -> datetime:
    """A rendered ``logical_date`` as an aware datetime (naive means UTC; None, ``default``)."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise TradewindError(
                f"{MARKER_OPERATOR} {key.task_id!r} of DAG {key.dag_id!r}: logical_date "
                f"{value!r} is not an ISO-8601 date"
            ) from None
    if not isinstance(value, datetime):
        raise TradewindError(
            f"{MARKER_OPERATOR} {key.task_id!r} of DAG {key.dag_id!r}: logical_date must be a "
            f"datetime or an ISO-8601 string, not {type(value).__name__}"
        )
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
