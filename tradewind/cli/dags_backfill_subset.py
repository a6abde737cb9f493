"""What `tradewind dags backfill` flags change in the runs: ``-t`` (a task subset, as Airflow's
``dag.partial_subset``), ``-c`` (the runs' conf) and ``-m`` (mark success without running)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.spec import DagSpec
from tradewind.core.states import FINISHED, DagRunState, TaskState
from tradewind.errors import TradewindError

#: task-instance states a backfill would run, so ``-m`` marks them success
_TO_RUN = (TaskState.NONE, TaskState.SCHEDULED, TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE)
_FINISHED = frozenset(s.value for s in FINISHED)
_FAILED = frozenset({TaskState.FAILED.value, TaskState.UPSTREAM_FAILED.value})


def subset_task_ids(spec: DagSpec, task_regex: str, *, include_upstream: bool) -> set[str]:
    """The tasks whose id matches ``task_regex`` (searched, as Airflow's ``re.findall``) and,
    unless ``include_upstream`` is false (``-i``), all their upstream tasks."""
    from tradewind.metastore.clearing import select_task_ids, task_relatives

    matched = select_task_ids(spec, None, task_regex) or set()
    if not matched:
        raise TradewindError(
            f"no task of DAG {spec.dag_id!r} matches the regex {task_regex!r}; nothing to run",
            hint=f"its tasks are: {', '.join(spec.task_ids)}",
        )
    return task_relatives(spec, matched, upstream=include_upstream, downstream=False)


def subset_spec(spec: DagSpec, task_ids: Iterable[str]) -> DagSpec:
    """``spec`` with only ``task_ids``, their relations to the other tasks cut off."""
    keep = set(task_ids)
    tasks = tuple(
        dataclasses.replace(
            task,
            upstream=tuple(t for t in task.upstream if t in keep),
            downstream=tuple(t for t in task.downstream if t in keep),
        )
        for task in spec.tasks
        if task.task_id in keep
    )
    return dataclasses.replace(spec, tasks=tasks)


def set_conf(session: Session, dag_id: str, run_ids: list[str], conf: Mapping[str, Any]) -> None:
    """Every backfilled run takes ``conf``, existing ones too (as Airflow's backfill does)."""
    from tradewind.metastore.models import DagRun

    session.execute(
        update(DagRun)
        .where(DagRun.dag_id == dag_id, DagRun.run_id.in_(run_ids))
        .values(conf=dict(conf))
        .execution_options(synchronize_session=False)
    )


def add_missing_instances(
    session: Session, spec: DagSpec, run_ids: list[str], version_id: int | None
) -> None:
    """Instances for ``spec``'s tasks missing in the runs (an earlier subset backfill made
    them), as Airflow's ``verify_integrity`` adds them for the backfilled (sub)DAG."""
    from sqlalchemy import insert

    from tradewind.metastore.models import TaskInstance
    from tradewind.metastore.runs import task_instance_rows

    present = set(
        session.execute(
            select(TaskInstance.run_id, TaskInstance.task_id)
            .where(TaskInstance.dag_id == spec.dag_id, TaskInstance.run_id.in_(run_ids))
            .distinct()
        ).all()
    )
    for run_id in run_ids:
        rows, _ = task_instance_rows(spec, run_id, version_id)
        missing = [r for r in rows if (run_id, r["task_id"]) not in present]
        if missing:
            session.execute(insert(TaskInstance.__table__), missing)


def mark_success(session: Session, spec: DagSpec, run_ids: list[str]) -> tuple[int, list[str]]:
    """``-m``: the task instances of ``spec``'s tasks that the backfill would run become
    success without running; each run whose (those tasks') instances are then all finished
    becomes success, or failed when one of them failed. Returns the number of instances
    marked and the runs left unfinished (instances queued or running elsewhere)."""
    from tradewind.metastore import transitions
    from tradewind.metastore.models import DagRun, TaskInstance, utcnow

    dag_id, now = spec.dag_id, utcnow()
    rows = session.execute(
        select(
            TaskInstance.run_id, TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state
        ).where(
            TaskInstance.dag_id == dag_id,
            TaskInstance.run_id.in_(run_ids),
            TaskInstance.task_id.in_(spec.task_ids),
        )
    ).all()
    to_run = {s.value for s in _TO_RUN}
    keys = [
        TaskInstanceKey(dag_id, r.run_id, r.task_id, r.map_index) for r in rows if r.state in to_run
    ]
    transitions.set_task_states(
        session,
        keys,
        TaskState.SUCCESS,
        expected=_TO_RUN,
        start_date=now,
        end_date=now,
        duration=0.0,
    )
    states: dict[str, set[str]] = {run_id: set() for run_id in run_ids}
    for r in rows:
        states[r.run_id].add(TaskState.SUCCESS.value if r.state in to_run else str(r.state))
    runs = dict(
        session.execute(
            select(DagRun.run_id, DagRun.state).where(
                DagRun.dag_id == dag_id, DagRun.run_id.in_(run_ids)
            )
        ).all()
    )
    unfinished: list[str] = []
    for run_id in run_ids:
        if not states[run_id] <= _FINISHED:
            unfinished.append(run_id)
            continue
        target = DagRunState.FAILED if states[run_id] & _FAILED else DagRunState.SUCCESS
        was = DagRunState(runs[run_id])
        if was == target:
            continue
        fields: dict[str, Any] = {"end_date": now}
        if was == DagRunState.QUEUED:
            fields["start_date"] = now
        transitions.set_run_state(session, dag_id, run_id, target, expected=[was], **fields)
    return len(keys), unfinished
