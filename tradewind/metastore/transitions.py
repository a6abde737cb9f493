"""The one state writer.

Every change of a task instance's or a DAG run's state goes through this module (or, for a
worker's claim and finish on Postgres, its companion ``transitions_pg``), as a
compare-and-set: ``UPDATE ... WHERE state IN (:expected) [AND try_number = :try]``, then a look at
the row count. The allowed moves come from ``tradewind.core.states``; an illegal one raises
``IllegalTransition`` naming both states before anything is written.

The statements are SQLAlchemy Core on the tables, not ORM-enabled bulk updates: a worker writes
two states and two try rows per try, and the ORM's bulk machinery cost more CPU than the
database. The one-row statements are built once per shape (which columns are written, how many
states are expected) with bound parameters, and reused: SQLAlchemy's compiled cache is hit
without rebuilding the statement or recomputing its cache key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ClauseElement,
    Executable,
    and_,
    bindparam,
    case,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.orm import Session

from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.core.states import (
    FINISHED,
    DagRunState,
    TaskState,
    check_run_transition,
    check_task_transition,
)
from tradewind.metastore.engine import session_connection
from tradewind.metastore.models import DagRun, TaskInstance, TaskTry

_TI = TaskInstance.__table__
_TRY = TaskTry.__table__
_RUN = DagRun.__table__


def _states(expected: Iterable[TaskState | str]) -> list[str]:
    return [TaskState(s).value for s in expected]


def set_task_state(
    session: Session,
    key: TaskInstanceKey,
    to: TaskState | str,
    *,
    expected: Iterable[TaskState | str],
    try_number: int | None = None,
    increment_try: bool = False,
    **fields: Any,
) -> bool:
    """Move one task instance to ``to`` if it is in one of ``expected`` (and at ``try_number``).

    Returns True when the row moved, False when it was not in an expected state (someone else
    got there first). ``fields`` are other columns written in the same statement.
    """
    moved = set_task_states(
        session,
        [key],
        to,
        expected=expected,
        try_number=try_number,
        increment_try=increment_try,
        **fields,
    )
    return moved == 1


def set_task_states(
    session: Session,
    keys: Sequence[TaskInstanceKey],
    to: TaskState | str,
    *,
    expected: Iterable[TaskState | str],
    try_number: int | None = None,
    increment_try: bool = False,
    **fields: Any,
) -> int:
    """The bulk form of :func:`set_task_state`; returns how many rows moved.

    ``increment_try`` also sets ``try_number = try_number + 1`` in the same statement (a new try
    being scheduled).
    """
    if not keys:
        return 0
    to_value = TaskState(to).value
    expected_states = _states(expected)
    for src in expected_states:
        check_task_transition(src, to_value)
    if len(keys) == 1 and not any(isinstance(v, ClauseElement) for v in fields.values()):
        stmt = _one_ti_update(
            tuple(sorted(fields)), len(expected_states), try_number is not None, increment_try
        )
        params = _one_ti_params(keys[0], to_value, expected_states, try_number, fields)
        return _rowcount(session_connection(session).execute(stmt, params))
    if increment_try:
        fields["try_number"] = _TI.c.try_number + 1
    conditions = [_TI.c.state.in_(expected_states)]
    if try_number is not None:
        conditions.append(_TI.c.try_number == try_number)
    conn = session_connection(session)
    moved = 0
    for (dag_id, run_id), members in _by_run(keys).items():
        for chunk_start in range(0, len(members), 1000):
            chunk = members[chunk_start : chunk_start + 1000]
            stmt = (
                update(_TI)
                .where(_TI.c.dag_id == dag_id, _TI.c.run_id == run_id, _members(chunk))
                .where(*conditions)
                .values(state=to_value, **fields)
            )
            moved += _rowcount(conn.execute(stmt))
    return moved


def _by_run(keys: Iterable[TaskInstanceKey]) -> dict[tuple[str, str], list[TaskInstanceKey]]:
    runs: dict[tuple[str, str], list[TaskInstanceKey]] = {}
    for key in keys:
        runs.setdefault((key.dag_id, key.run_id), []).append(key)
    return runs


def _members(keys: Sequence[TaskInstanceKey]) -> Any:
    """The instances of one run among ``keys``, as one ``IN`` of bound values (the statement
    compiles once, whatever the number of keys, instead of an ``OR`` of one clause per key)."""
    if all(k.map_index == -1 for k in keys):
        return and_(_TI.c.map_index == -1, _TI.c.task_id.in_([k.task_id for k in keys]))
    pairs = [(k.task_id, k.map_index) for k in keys]
    return tuple_(_TI.c.task_id, _TI.c.map_index).in_(pairs)


@lru_cache(maxsize=128)
def _one_ti_update(
    names: tuple[str, ...], n_expected: int, with_try: bool, increment_try: bool
) -> Executable:
    """``UPDATE task_instance SET state, <names> WHERE <key> AND state IN (...) [AND try]``,
    every value a bound parameter (see :func:`_one_ti_params`)."""
    expected = [bindparam(f"e{i}", type_=_TI.c.state.type) for i in range(n_expected)]
    where = [
        _TI.c.dag_id == bindparam("k_dag_id"),
        _TI.c.run_id == bindparam("k_run_id"),
        _TI.c.task_id == bindparam("k_task_id"),
        _TI.c.map_index == bindparam("k_map_index"),
        _TI.c.state == expected[0] if n_expected == 1 else _TI.c.state.in_(expected),
    ]
    if with_try:
        where.append(_TI.c.try_number == bindparam("k_try_number"))
    values: dict[str, Any] = {
        name: bindparam(f"v_{name}", type_=_TI.c[name].type) for name in ("state", *names)
    }
    if increment_try:
        values["try_number"] = _TI.c.try_number + 1
    return update(_TI).where(*where).values(values)


def _one_ti_params(
    key: TaskInstanceKey,
    to: str,
    expected: list[str],
    try_number: int | None,
    fields: Mapping[str, Any],
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "k_dag_id": key.dag_id,
        "k_run_id": key.run_id,
        "k_task_id": key.task_id,
        "k_map_index": key.map_index,
        "v_state": to,
    }
    if try_number is not None:
        params["k_try_number"] = try_number
    for i, state in enumerate(expected):
        params[f"e{i}"] = state
    for name, value in fields.items():
        params[f"v_{name}"] = value
    return params


def _rowcount(result: Any) -> int:
    return (result.rowcount if isinstance(result, CursorResult) else 0) or 0


def set_run_state(
    session: Session,
    dag_id: str,
    run_id: str,
    to: DagRunState | str,
    *,
    expected: Iterable[DagRunState | str],
    **fields: Any,
) -> bool:
    """Move one DAG run to ``to`` if it is in one of ``expected``."""
    expected_states = [DagRunState(s).value for s in expected]
    for src in expected_states:
        check_run_transition(src, to)
    stmt = (
        update(_RUN)
        .where(
            _RUN.c.dag_id == dag_id,
            _RUN.c.run_id == run_id,
            _RUN.c.state.in_(expected_states),
        )
        .values(state=DagRunState(to).value, **fields)
    )
    return _rowcount(session_connection(session).execute(stmt)) == 1


def record_try(session: Session, key: TryKey, state: TaskState | str, **fields: Any) -> None:
    """Insert or update the history row of one try (hostname, dates, error, final state).

    One statement where the database has an upsert (Postgres, SQLite: ``INSERT ... ON CONFLICT
    DO UPDATE``; MySQL/MariaDB: ``ON DUPLICATE KEY UPDATE``), else a look-up then an insert or
    update. A try's row that says how the try ended is never put back to ``running`` (a late
    or repeated claim-time write); ``up_for_reschedule`` is re-claimed at the same try number.
    """
    params = {
        "dag_id": key.dag_id,
        "run_id": key.run_id,
        "task_id": key.task_id,
        "map_index": key.map_index,
        "try_number": key.try_number,
        "state": TaskState(state).value,
        **fields,
    }
    guarded = params["state"] == TaskState.RUNNING.value
    conn = session_connection(session)
    stmt = _try_upsert(conn.dialect.name, tuple(sorted(fields)), guarded)
    if stmt is not None:
        conn.execute(stmt, {f"v_{name}": value for name, value in params.items()})
        return
    _record_try_without_upsert(conn, params, guarded)


#: how a try's row says the try ended: never overwritten by ``running``
_ENDED_TRY_STATES = [s.value for s in (*FINISHED, TaskState.UP_FOR_RETRY)]

#: the unique key of ``task_try`` (its UniqueConstraint), the upsert's conflict target
_TRY_KEY_COLUMNS = ["dag_id", "run_id", "task_id", "map_index", "try_number"]


def _try_ended() -> Any:
    return _TRY.c.state.in_([literal(s) for s in _ENDED_TRY_STATES])


@lru_cache(maxsize=64)
def _try_upsert(dialect: str, names: tuple[str, ...], guarded: bool) -> Executable | None:
    """The upsert of one try's row writing ``state`` and ``names`` (None: no upsert here).

    ``inline``: no ``RETURNING id`` of the row (nobody reads it)."""
    columns = [*_TRY_KEY_COLUMNS, "state", *names]
    values = {c: bindparam(f"v_{c}", type_=_TRY.c[c].type) for c in columns}
    updated = ["state", *names]
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        stmt = upsert(_TRY).values(values).inline()
        return stmt.on_conflict_do_update(
            index_elements=_TRY_KEY_COLUMNS,
            set_={c: stmt.excluded[c] for c in updated},
            where=~_try_ended() if guarded else None,
        )
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        stmt = mysql_insert(_TRY).values(values).inline()
        if not guarded:
            return stmt.on_duplicate_key_update([(c, stmt.inserted[c]) for c in updated])
        # MySQL assigns left to right, later expressions seeing earlier assignments: ``state``
        # goes last, so that every CASE reads the row's state from before this statement.
        keep = _try_ended()
        return stmt.on_duplicate_key_update(
            [(c, case((keep, _TRY.c[c]), else_=stmt.inserted[c])) for c in [*names, "state"]]
        )
    return None


def _record_try_without_upsert(conn: Connection, row: dict[str, Any], guarded: bool) -> None:
    where = [_TRY.c[c] == row[c] for c in _TRY_KEY_COLUMNS]
    exists = conn.execute(select(_TRY.c.id).where(*where)).first()
    if exists is None:
        conn.execute(insert(_TRY).values(row))
        return
    values = {c: v for c, v in row.items() if c not in _TRY_KEY_COLUMNS}
    guard = (~_try_ended(),) if guarded else ()
    conn.execute(update(_TRY).where(_TRY.c.id == exists[0], *guard).values(values))


def ti_key_filter(keys: Sequence[TaskInstanceKey]) -> Any:
    """A WHERE clause matching exactly these task instances."""
    return tuple_(
        TaskInstance.dag_id, TaskInstance.run_id, TaskInstance.task_id, TaskInstance.map_index
    ).in_([tuple(k) for k in keys])
