"""Marking task instances and DAG runs by hand (success / failed), with Airflow's semantics.

``mark_task_instances`` mirrors ``DAG.set_task_instance_state``: the chosen task instances (and,
if asked, their relatives and the same tasks in past/future runs) take the state, then failed
tasks downstream of them are cleared so the run can carry on. ``set_dagrun_state`` mirrors
``set_dag_run_state_to_success/failed/queued``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import FINISHED, DagRunState, TaskState, is_task_transition_allowed
from tradewind.errors import DagRunNotFound, TradewindError
from tradewind.metastore import transitions
from tradewind.metastore.clearing import clear_task_instances, task_relatives
from tradewind.metastore.dag_specs import latest_spec
from tradewind.metastore.models import DagRun, TaskInstance, utcnow

MARKABLE: tuple[TaskState, ...] = (TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED)


def mark_task_instances(
    session: Session,
    keys: Iterable[TaskInstanceKey],
    state: TaskState | str,
    *,
    upstream: bool = False,
    downstream: bool = False,
    past: bool = False,
    future: bool = False,
    dry_run: bool = False,
) -> list[TaskInstanceKey]:
    """Set ``state`` (success, failed or skipped) on the task instances named by ``keys``.

    A key with map index -1 names every map index of a mapped task. ``upstream``/``downstream``
    add the tasks' relatives in the same runs; ``past``/``future`` the same tasks in the DAG's
    earlier/later runs. Returns the task instances whose state changed (or would, ``dry_run``).
    """
    target = TaskState(state)
    if target not in MARKABLE:
        raise TradewindError(
            f"cannot mark task instances {target.value}",
            hint="mark them success, failed or skipped, or clear them",
        )
    by_dag: dict[str, list[TaskInstanceKey]] = defaultdict(list)
    for key in keys:
        by_dag[key.dag_id].append(key)
    altered: list[TaskInstanceKey] = []
    for dag_id, dag_keys in by_dag.items():
        altered.extend(
            _mark_in_dag(
                session, dag_id, dag_keys, target, upstream, downstream, past, future, dry_run
            )
        )
    return sorted(altered)


def set_dagrun_state(
    session: Session, dag_id: str, run_id: str, state: DagRunState | str
) -> list[TaskInstanceKey]:
    """Set a run's state as Airflow's "Mark success / failed / queued" do.

    success: every task instance not yet successful becomes successful. failed: running task
    instances fail and unfinished ones are skipped. queued/running: only the run changes.
    Returns the task instances whose state changed.
    """
    target = DagRunState(state)
    run = session.execute(
        select(DagRun.state).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)
    ).first()
    if run is None:
        raise DagRunNotFound(f"DAG run {run_id!r} of DAG {dag_id!r} not found")
    rows = session.execute(
        select(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state).where(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
        )
    ).all()
    now = utcnow()
    altered: list[TaskInstanceKey] = []

    def move(selected: list[TaskInstanceKey], to: TaskState, expected: list[TaskState]) -> None:
        if selected:
            transitions.set_task_states(session, selected, to, expected=expected, end_date=now)
            altered.extend(selected)

    def keys_in(states: Iterable[TaskState]) -> list[TaskInstanceKey]:
        wanted = {s.value for s in states}
        return [
            TaskInstanceKey(dag_id, run_id, r.task_id, r.map_index)
            for r in rows
            if r.state in wanted
        ]

    if target == DagRunState.SUCCESS:
        sources = [
            s
            for s in TaskState
            if s != TaskState.SUCCESS and is_task_transition_allowed(s, TaskState.SUCCESS)
        ]
        move(keys_in(sources), TaskState.SUCCESS, sources)
    elif target == DagRunState.FAILED:
        move(keys_in([TaskState.RUNNING]), TaskState.FAILED, [TaskState.RUNNING])
        pending = [s for s in TaskState if s not in FINISHED and s != TaskState.RUNNING]
        move(keys_in(pending), TaskState.SKIPPED, pending)

    if run.state != target.value:
        fields: dict[str, object] = {}
        if target in (DagRunState.SUCCESS, DagRunState.FAILED):
            fields["end_date"] = now
        elif target == DagRunState.QUEUED:
            fields.update(
                queued_at=now, start_date=None, end_date=None, last_scheduling_decision=None
            )
        else:
            fields.update(end_date=None)
        transitions.set_run_state(
            session, dag_id, run_id, target, expected=[DagRunState(run.state)], **fields
        )
    return sorted(altered)


def _mark_in_dag(
    session: Session,
    dag_id: str,
    keys: list[TaskInstanceKey],
    target: TaskState,
    upstream: bool,
    downstream: bool,
    past: bool,
    future: bool,
    dry_run: bool,
) -> list[TaskInstanceKey]:
    spec = latest_spec(session, dag_id) if (upstream or downstream) else None
    run_dates = dict(
        session.execute(
            select(DagRun.run_id, DagRun.logical_date).where(DagRun.dag_id == dag_id)
        ).all()
    )
    conditions = []
    for key in keys:
        if key.run_id not in run_dates:
            raise DagRunNotFound(f"DAG run {key.run_id!r} of DAG {dag_id!r} not found")
        runs = _runs_around(run_dates, key.run_id, past, future)
        own = TaskInstance.task_id == key.task_id
        if key.map_index >= 0:
            own = and_(own, TaskInstance.map_index == key.map_index)
        conditions.append(and_(TaskInstance.run_id.in_(runs), own))
        if spec is not None:
            relatives = task_relatives(
                spec, [key.task_id], upstream=upstream, downstream=downstream
            )
            relatives.discard(key.task_id)
            if relatives:
                conditions.append(
                    and_(TaskInstance.run_id.in_(runs), TaskInstance.task_id.in_(sorted(relatives)))
                )
    sources = [s for s in TaskState if s != target and is_task_transition_allowed(s, target)]
    rows = session.execute(
        select(TaskInstance.run_id, TaskInstance.task_id, TaskInstance.map_index).where(
            TaskInstance.dag_id == dag_id,
            TaskInstance.state.in_([s.value for s in sources]),
            or_(*conditions),
        )
    ).all()
    altered = [TaskInstanceKey(dag_id, r.run_id, r.task_id, r.map_index) for r in rows]
    if dry_run or not altered:
        return altered
    transitions.set_task_states(session, altered, target, expected=sources, end_date=utcnow())
    marked_tasks = {k.task_id for k in altered}
    clear_task_instances(
        session,
        dag_id,
        run_ids=sorted({k.run_id for k in altered}),
        task_ids=sorted(marked_tasks),
        downstream=True,
        only_failed=True,
        exclude_task_ids=marked_tasks,
    )
    return altered


def _runs_around(run_dates: dict, run_id: str, past: bool, future: bool) -> list[str]:
    if not (past or future):
        return [run_id]
    pivot = run_dates[run_id]
    return [
        rid
        for rid, date in run_dates.items()
        if rid == run_id or (past and date <= pivot) or (future and date >= pivot)
    ]
