"""Clearing task instances, as ``airflow tasks clear`` and the dashboard's Clear button do.

A cleared task instance goes back to ``none`` with ``max_tries = try_number + retries`` (so it
gets its retries again), and each finished run it belongs to goes back to ``queued`` so the
scheduler looks at it again. Every write goes through :mod:`tradewind.metastore.transitions`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from tradewind.core.graph import closure
from tradewind.core.keys import TaskInstanceKey
from tradewind.core.setup_teardown import setups_and_teardowns
from tradewind.core.spec import DagSpec
from tradewind.core.states import DagRunState, TaskState
from tradewind.errors import TradewindError
from tradewind.metastore import transitions
from tradewind.metastore.dag_specs import latest_spec
from tradewind.metastore.models import DagRun, TaskInstance, utcnow

_FAILED = (TaskState.FAILED.value, TaskState.UPSTREAM_FAILED.value)
_CLEARABLE = [s for s in TaskState if s != TaskState.NONE]


def clear_task_instances(
    session: Session,
    dag_id: str,
    *,
    run_ids: Iterable[str] | None = None,
    task_ids: Iterable[str] | None = None,
    task_regex: str | None = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    only_failed: bool = False,
    only_running: bool = False,
    downstream: bool = False,
    upstream: bool = False,
    exclude_task_ids: Iterable[str] = (),
    recursive: bool = True,
    dry_run: bool = False,
) -> list[TaskInstanceKey]:
    """Clear the matching task instances of ``dag_id``; returns their keys (all of them, also
    those already in ``none``). With ``dry_run`` nothing is written.

    ``task_ids`` are task ids; an entry that names no task is taken as a regular expression
    searched in every task id, as is ``task_regex`` (Airflow's ``tasks clear -t``).
    ``start_date``/``end_date`` bound the runs' logical dates (inclusive). ``downstream`` /
    ``upstream`` add the selected tasks' relatives, transitively; the setups a selected task runs
    under and their teardowns come along, as in Airflow; ``exclude_task_ids`` are
    left alone whatever else selects them.

    With ``recursive`` (Airflow's default), an ``ExternalTaskMarker`` among the matches also
    clears its external task and that task's downstream in the external DAG's run at the
    marker's logical date, following markers there in turn (see
    :mod:`tradewind.metastore.clearing_external`).
    """
    from tradewind.metastore.clearing_external import follow_markers

    spec = latest_spec(session, dag_id)
    selected = select_task_ids(spec, task_ids, task_regex)
    if selected is not None:
        selected = task_relatives(spec, selected, upstream=upstream, downstream=downstream)
        selected |= setups_and_teardowns(spec, selected)
    excluded = set(exclude_task_ids)
    if excluded:
        selected = (set(spec.task_ids) if selected is None else selected) - excluded

    rows = matching_rows(
        session,
        dag_id,
        run_ids=run_ids,
        task_ids=selected,
        start_date=start_date,
        end_date=end_date,
        only_failed=only_failed,
        only_running=only_running,
    )
    found: dict[str, tuple[DagSpec, dict[TaskInstanceKey, Row[Any]]]] = {
        dag_id: (spec, {_key(dag_id, r): r for r in rows})
    }
    if recursive and rows:
        follow_markers(
            session, spec, rows, found, only_failed=only_failed, only_running=only_running
        )

    keys = sorted(key for _, by_key in found.values() for key in by_key)
    if dry_run or not keys:
        return keys
    for dag_spec, by_key in found.values():
        _reset(session, dag_spec, list(by_key.values()))
    return keys


def matching_rows(
    session: Session,
    dag_id: str,
    *,
    run_ids: Iterable[str] | None = None,
    task_ids: Iterable[str] | None = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    only_failed: bool = False,
    only_running: bool = False,
) -> list[Row[Any]]:
    """The task instances of ``dag_id`` a clear selects (run id, task id, map index, state,
    try number); a None filter does not filter."""
    query = select(
        TaskInstance.run_id,
        TaskInstance.task_id,
        TaskInstance.map_index,
        TaskInstance.state,
        TaskInstance.try_number,
    ).join(DagRun, (DagRun.dag_id == TaskInstance.dag_id) & (DagRun.run_id == TaskInstance.run_id))
    query = query.where(TaskInstance.dag_id == dag_id)
    if run_ids is not None:
        query = query.where(TaskInstance.run_id.in_(list(run_ids)))
    if start_date is not None:
        query = query.where(DagRun.logical_date >= start_date)
    if end_date is not None:
        query = query.where(DagRun.logical_date <= end_date)
    if task_ids is not None:
        query = query.where(TaskInstance.task_id.in_(sorted(task_ids)))
    if only_failed:
        query = query.where(TaskInstance.state.in_(_FAILED))
    if only_running:
        query = query.where(TaskInstance.state == TaskState.RUNNING.value)
    return list(session.execute(query).all())


def _key(dag_id: str, row: Row[Any]) -> TaskInstanceKey:
    return TaskInstanceKey(dag_id, row.run_id, row.task_id, row.map_index)


def _reset(session: Session, spec: DagSpec, rows: list[Row[Any]]) -> None:
    """Put ``rows`` (of ``spec``'s DAG) back to ``none`` with their retries, requeue their runs."""
    dag_id = spec.dag_id
    retries = {t.task_id: t.retries for t in spec.tasks}
    groups: dict[int, list[TaskInstanceKey]] = defaultdict(list)
    for r in rows:
        if r.state != TaskState.NONE.value:
            groups[r.try_number].append(_key(dag_id, r))
    touched_runs: set[str] = set()
    for try_number, group in groups.items():
        by_retries: dict[int, list[TaskInstanceKey]] = defaultdict(list)
        for key in group:
            by_retries[retries.get(key.task_id, 0)].append(key)
        for task_retries, chunk in by_retries.items():
            transitions.set_task_states(
                session,
                chunk,
                TaskState.NONE,
                expected=_CLEARABLE,
                try_number=try_number,
                max_tries=try_number + task_retries,
                next_try_at=None,
                first_poke_at=None,
            )
            touched_runs.update(k.run_id for k in chunk)
    requeue_runs(session, dag_id, touched_runs)


def requeue_runs(session: Session, dag_id: str, run_ids: Iterable[str]) -> int:
    """Put finished runs back to ``queued`` so the scheduler evaluates them again."""
    moved = 0
    for run_id in sorted(set(run_ids)):
        moved += transitions.set_run_state(
            session,
            dag_id,
            run_id,
            DagRunState.QUEUED,
            expected=[DagRunState.SUCCESS, DagRunState.FAILED],
            queued_at=utcnow(),
            start_date=None,
            end_date=None,
            last_scheduling_decision=None,
        )
    return moved


def select_task_ids(
    spec: DagSpec, task_ids: Iterable[str] | None, task_regex: str | None = None
) -> set[str] | None:
    """Task ids named directly or matched by regular expressions; None when no filter given."""
    if task_ids is None and task_regex is None:
        return None
    known = spec.task_ids
    patterns = [task_regex] if task_regex else []
    chosen: set[str] = set()
    for entry in task_ids or ():
        if entry in known:
            chosen.add(entry)
        else:
            patterns.append(entry)
    for pattern in patterns:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise TradewindError(f"bad task regular expression {pattern!r}: {exc}") from None
        chosen.update(t for t in known if regex.search(t))
    return chosen


def task_relatives(
    spec: DagSpec, task_ids: Sequence[str] | set[str], *, upstream: bool, downstream: bool
) -> set[str]:
    """``task_ids`` plus, transitively, their upstream and/or downstream tasks."""
    result = set(task_ids)
    if downstream:
        edges = {t.task_id: t.downstream for t in spec.tasks}
        for task_id in task_ids:
            result |= closure(edges, task_id)
    if upstream:
        edges = {t.task_id: t.upstream for t in spec.tasks}
        for task_id in task_ids:
            result |= closure(edges, task_id)
    return result
