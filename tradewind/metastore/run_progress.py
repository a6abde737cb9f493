"""One scheduling step of one DAG run: load its task instances, decide, write the moves.

The scheduler calls :func:`update_dagrun` for every active run on every loop, so it reads the
run's instances in one query (plus the previous run's when a task ``depends_on_past``), asks the
pure :func:`tradewind.core.readiness.decide`, and writes each kind of move as one bulk
compare-and-set through :mod:`tradewind.metastore.transitions`. Nothing here commits.

Most loops find a big run settled (its instances queued, running or done, none of them waiting
for a decision: :func:`tradewind.core.run_shape.is_settled`); then nothing is decided, loaded
or written beyond the one query of its instances.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from operator import itemgetter
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, type_coerce
from sqlalchemy.orm import Session

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.readiness import RunDecisions, Slot, TIRow, decide, expansion_candidates
from tradewind.core.run_shape import is_settled, shape_of
from tradewind.core.spec import DagSpec
from tradewind.core.states import UNFINISHED, DagRunState, TaskState, is_task_transition_allowed
from tradewind.metastore.map_lengths import map_lengths
from tradewind.metastore.models import DagRun, TaskInstance, UtcDateTime
from tradewind.metastore.transitions import set_run_state, set_task_states

T = TaskState
_REMOVABLE = [s for s in TaskState if s != T.REMOVED and is_task_transition_allowed(s, T.REMOVED)]
_SCHEDULED = T.SCHEDULED.value
_UNFINISHED = frozenset(s.value for s in UNFINISHED)
_TI = TaskInstance.__table__


@dataclass(frozen=True)
class RunProgress:
    """What one step left behind: the instances waiting in ``scheduled`` (to be queued), the
    run's state, and when the run next needs a look even if nothing finishes (the earliest
    retry / reschedule, or the run's ``dagrun_timeout``)."""

    schedulable: list[TaskInstanceKey] = field(default_factory=list)
    run_state: DagRunState = DagRunState.RUNNING
    next_check_at: datetime | None = None
    #: whether this step wrote anything
    changed: bool = False
    #: instances queued or running when the step read them (tries in flight elsewhere)
    in_flight: int = 0
    #: queue -> how many of those are queued (waiting for a worker) and running, per queue
    by_queue: Mapping[str, tuple[int, int]] = field(default_factory=dict)


#: a run's instances in :class:`TIRow`'s column order, as a Core query built once (an ORM query
#: costs twice as much in Python for a run of 1,000 instances). ``next_try_at`` comes back as
#: the driver gives it, without the per-row UTC conversion of its column type: few rows have
#: one, and :func:`_as_tirows` converts those.
_ROWS_OF_RUN = select(
    _TI.c.task_id,
    _TI.c.map_index,
    _TI.c.state,
    _TI.c.try_number,
    type_coerce(_TI.c.next_try_at, UtcDateTime.impl),
).where(_TI.c.dag_id == bindparam("dag_id"), _TI.c.run_id == bindparam("run_id"))
_to_utc = UtcDateTime().process_result_value


def _fetch_rows(session: Session, dag_id: str, run_id: str) -> Sequence[Row[Any]]:
    """A run's instances as plain rows (see ``_ROWS_OF_RUN``: their ``next_try_at`` is not yet
    in UTC, :func:`_as_tirows` makes it so)."""
    if session.autoflush:
        session.flush()  # what an ORM query does first; nothing to do in a clean session
    return session.execute(_ROWS_OF_RUN, {"dag_id": dag_id, "run_id": run_id}).all()


#: a TIRow from a row of ``_ROWS_OF_RUN`` (its five columns), without a Python call per row
_tirow = partial(tuple.__new__, TIRow)
_next_try_at = itemgetter(4)


def _as_tirows(rows: Sequence[Row[Any]]) -> list[TIRow]:
    """Rows of ``_fetch_rows`` as :class:`TIRow` (``next_try_at`` in UTC)."""
    out = list(map(_tirow, rows))
    if list(map(_next_try_at, rows)).count(None) < len(rows):  # some have one: make it UTC
        out = [r if r[4] is None else r._replace(next_try_at=_to_utc(r[4], None)) for r in out]
    return out


def load_ti_rows(session: Session, dag_id: str, run_id: str) -> list[TIRow]:
    """The readiness view of a run's task instances, in one query."""
    return _as_tirows(_fetch_rows(session, dag_id, run_id))


def load_previous_rows(session: Session, run: DagRun) -> list[TIRow] | None:
    """The instances of the run before ``run`` (by logical date), or None if it is the first."""
    previous = session.execute(
        select(DagRun.run_id)
        .where(DagRun.dag_id == run.dag_id, DagRun.logical_date < run.logical_date)
        .order_by(DagRun.logical_date.desc())
        .limit(1)
    ).scalar_one_or_none()
    if previous is None:
        return None
    return load_ti_rows(session, run.dag_id, previous)


def update_dagrun(
    session: Session,
    run: DagRun,
    spec: DagSpec,
    *,
    now: datetime | None = None,
    past: Sequence[TIRow] | None = None,
) -> RunProgress:
    """Advance one run by one step; see the module docstring.

    ``past`` are the previous run's instances if the caller already has them; otherwise they
    are loaded when a task needs them. A queued run starts (``running``, ``start_date``); a
    finished run is left alone.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    dag_id, run_id = run.dag_id, run.run_id
    state = DagRunState(run.state)
    if state in (DagRunState.SUCCESS, DagRunState.FAILED):
        return RunProgress(run_state=state)
    start_date = run.start_date
    changed = False
    if state == DagRunState.QUEUED:
        set_run_state(
            session,
            dag_id,
            run_id,
            DagRunState.RUNNING,
            expected=[DagRunState.QUEUED],
            start_date=now,
            end_date=None,
        )
        start_date, changed = now, True

    raw = _fetch_rows(session, dag_id, run_id)
    deadline = _deadline(spec, start_date)
    if deadline is not None and now > deadline:
        _time_out(session, dag_id, run_id, raw, now)
        _expire(session, run)
        return RunProgress(run_state=DagRunState.FAILED, changed=True)

    if is_settled(spec, raw):
        # nothing to decide (see is_settled): only the instances already scheduled to report
        if changed:
            _expire(session, run)
        return RunProgress(
            schedulable=_scheduled_keys(dag_id, run_id, raw),
            next_check_at=deadline,
            changed=changed,
            **_in_flight(spec, raw),
        )

    rows = _as_tirows(raw)
    if past is None and shape_of(spec).needs_past:
        past = load_previous_rows(session, run)
    candidates = expansion_candidates(spec, rows)
    lengths = map_lengths(session, dag_id, run_id, candidates, spec) if candidates else {}
    decisions = decide(spec, rows, now=now, past_rows=past, map_lengths=lengths)

    scheduled = _apply(session, run, spec, decisions, now)
    changed = changed or decisions.changed
    run_state = DagRunState.RUNNING
    if decisions.run_state is not None:
        set_run_state(
            session,
            dag_id,
            run_id,
            decisions.run_state,
            expected=[state, DagRunState.RUNNING],
            end_date=now,
        )
        run_state, changed = decisions.run_state, True
    if changed:
        _expire(session, run)

    keys = _scheduled_keys(dag_id, run_id, rows)
    keys.extend(TaskInstanceKey(dag_id, run_id, tid, mi) for tid, mi in scheduled)
    next_check = _earliest(decisions.next_check_at, deadline)
    if run_state != DagRunState.RUNNING:
        keys, next_check = [], None
    return RunProgress(
        schedulable=keys,
        run_state=run_state,
        next_check_at=next_check,
        changed=changed,
        **(_in_flight(spec, raw) if run_state == DagRunState.RUNNING else {}),
    )


_QUEUED, _RUNNING = T.QUEUED.value, T.RUNNING.value


def _in_flight(spec: DagSpec, raw: Sequence[Any]) -> dict[str, Any]:
    """:class:`RunProgress`'s ``in_flight`` and ``by_queue`` counts of these rows."""
    queue_of = shape_of(spec).queue_of
    counts: dict[str, list[int]] = {}
    for row in raw:
        state = row[2]
        if state in (_QUEUED, _RUNNING):
            count = counts.setdefault(queue_of.get(row[0], ""), [0, 0])
            count[state == _RUNNING] += 1
    return {
        "in_flight": sum(q + r for q, r in counts.values()),
        "by_queue": {queue: (q, r) for queue, (q, r) in counts.items()},
    }


# -- writing ----------------------------------------------------------------------------


def _apply(
    session: Session, run: DagRun, spec: DagSpec, d: RunDecisions, now: datetime
) -> list[Slot]:
    """Write every decision; returns the slots newly moved to ``scheduled``."""
    dag_id, run_id = run.dag_id, run.run_id

    def keys(slots: Iterable[Slot]) -> list[TaskInstanceKey]:
        return [TaskInstanceKey(dag_id, run_id, tid, mi) for tid, mi in slots]

    if d.add:
        _insert(session, run, spec, d.add)
    set_task_states(session, keys(d.restore), T.NONE, expected=[T.REMOVED])
    set_task_states(session, keys(d.remove), T.REMOVED, expected=_REMOVABLE)
    schedule = list(d.schedule)
    for task_id, length in d.expand.items():
        if not _expand(session, run, spec, task_id, length):
            schedule = [slot for slot in schedule if slot[0] != task_id]
    for to, slots in ((T.SKIPPED, d.skip), (T.UPSTREAM_FAILED, d.upstream_failed)):
        set_task_states(
            session, keys(slots), to, expected=[T.NONE], start_date=now, end_date=now, duration=0.0
        )
    set_task_states(
        session,
        keys(schedule),
        T.SCHEDULED,
        expected=[T.NONE],
        increment_try=True,
        scheduled_at=now,
        next_try_at=None,
    )
    set_task_states(
        session,
        keys(d.retry),
        T.SCHEDULED,
        expected=[T.UP_FOR_RETRY],
        increment_try=True,
        scheduled_at=now,
        next_try_at=None,
    )
    set_task_states(
        session,
        keys(d.reschedule),
        T.SCHEDULED,
        expected=[T.UP_FOR_RESCHEDULE],
        scheduled_at=now,
        next_try_at=None,
    )
    return schedule + d.retry + d.reschedule


def _row_values(run: DagRun, spec: DagSpec, task_id: str, weights: Mapping[str, int]) -> dict:
    task = spec.task(task_id)
    return {
        "dag_id": run.dag_id,
        "run_id": run.run_id,
        "task_id": task_id,
        "state": T.NONE.value,
        "try_number": 0,
        "max_tries": task.retries,
        "operator": task.operator,
        "queue": task.queue,
        "pool": task.pool,
        "pool_slots": task.pool_slots,
        "priority_weight": weights.get(task_id, task.priority_weight),
        "dag_version_id": run.dag_version_id,
    }


def _insert(session: Session, run: DagRun, spec: DagSpec, slots: Sequence[Slot]) -> None:
    weights = _priority_weights(spec)
    session.execute(
        insert(TaskInstance),
        [{**_row_values(run, spec, tid, weights), "map_index": mi} for tid, mi in slots],
    )


def _expand(session: Session, run: DagRun, spec: DagSpec, task_id: str, length: int) -> bool:
    """Replace the ``-1`` placeholder by instances ``0..length-1`` (state none)."""
    placeholder = session.execute(
        select(TaskInstance.max_tries).where(
            TaskInstance.dag_id == run.dag_id,
            TaskInstance.run_id == run.run_id,
            TaskInstance.task_id == task_id,
            TaskInstance.map_index == -1,
            TaskInstance.state == T.NONE.value,
        )
    ).first()
    if placeholder is None:
        return False  # someone else expanded (or moved) it
    session.execute(
        delete(TaskInstance)
        .where(
            TaskInstance.dag_id == run.dag_id,
            TaskInstance.run_id == run.run_id,
            TaskInstance.task_id == task_id,
            TaskInstance.map_index == -1,
        )
        .execution_options(synchronize_session=False)
    )
    values = {**_row_values(run, spec, task_id, _priority_weights(spec))}
    values["max_tries"] = placeholder[0]
    session.execute(insert(TaskInstance), [{**values, "map_index": i} for i in range(length)])
    return True


def _time_out(
    session: Session, dag_id: str, run_id: str, rows: Sequence[Sequence[Any]], now: datetime
) -> None:
    """``dagrun_timeout`` passed: the run fails and its unfinished instances are skipped."""
    unfinished = [
        TaskInstanceKey(dag_id, run_id, task_id, map_index)
        for task_id, map_index, state, *_ in rows
        if state in _UNFINISHED
    ]
    set_task_states(session, unfinished, T.SKIPPED, expected=list(UNFINISHED), end_date=now)
    set_run_state(
        session,
        dag_id,
        run_id,
        DagRunState.FAILED,
        expected=[DagRunState.QUEUED, DagRunState.RUNNING],
        end_date=now,
    )


# -- reading ----------------------------------------------------------------------------


def _scheduled_keys(
    dag_id: str, run_id: str, rows: Sequence[Sequence[Any]]
) -> list[TaskInstanceKey]:
    """The keys of the rows in ``scheduled`` (rows in :class:`TIRow`'s column order)."""
    return [TaskInstanceKey(dag_id, run_id, r[0], r[1]) for r in rows if r[2] == _SCHEDULED]


def _priority_weights(spec: DagSpec) -> Mapping[str, int]:
    try:
        from tradewind.core.priority import priority_weights
    except ImportError:
        return {}
    return priority_weights(spec)


def _deadline(spec: DagSpec, start_date: datetime | None) -> datetime | None:
    if not spec.dagrun_timeout or start_date is None:
        return None
    return start_date + timedelta(seconds=spec.dagrun_timeout)


def _earliest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _expire(session: Session, run: Any) -> None:
    """The run row was updated by statement: make the ORM object reload it when next read."""
    if run in session:
        session.expire(run, ["state", "start_date", "end_date"])
