"""The start of a try: what it needs from the metastore (its run, its instance's columns, the
DAG's file), read in one query, in the claimer's transaction or its own.

The query is built once, with bound parameters, and reused (Core on the tables, no ORM loading);
the run comes back as a detached ``DagRun``. The previous successful run is read only when
asked (``with_prev_success``); otherwise the context looks it up if an entry needs it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore

log = logging.getLogger("tradewind.task")


@dataclass
class TryStart:
    """What the try needs from the metastore, read once."""

    #: the run's column values; :attr:`dag_run` makes them a detached ``DagRun`` on first use
    #: (a worker only passes them on to the try's process: it never builds one)
    run_columns: dict[str, Any]
    max_tries: int
    start_date: datetime
    first_poke_at: datetime | None
    operator: str | None
    queue: str | None
    pool: str | None
    priority_weight: int | None
    #: the latest successful run before this one, when read with the start (else looked up
    #: lazily, only if the task's context asks for a ``prev_*_success`` entry)
    prev_success: Any = None
    prev_success_loaded: bool = False
    #: the DAG's file (read with the start by a worker, which loads the task from it)
    fileloc: str | None = None
    _run: Any = field(default=None, repr=False, compare=False)

    @property
    def dag_run(self) -> Any:
        if self._run is None:
            self._run = _detached_run(self.run_columns)
        return self._run

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with the run's column values, not the ORM object (a worker sends every
        try's start to its try process: a third of the cost)."""
        state = dict(self.__dict__)
        if self._run is not None:
            columns = _run_columns(self._run)
            if columns is not None:
                state["run_columns"], state["_run"] = columns, None
        return state


def _run_columns(run: Any) -> dict[str, Any] | None:
    """The column values of a loaded ``DagRun`` (None: not all loaded, or not a DagRun)."""
    from tradewind.metastore.models import DagRun

    if type(run) is not DagRun:
        return None
    loaded = run.__dict__
    names = DagRun.__table__.c.keys()
    if any(name not in loaded for name in names):
        return None
    return {name: loaded[name] for name in names}


def load_start(metastore: Metastore, key: TryKey) -> TryStart | TaskState:
    """Read what the try needs (its own transaction); a TaskState: the try must not run."""
    with metastore.session() as session:
        return load_start_in(session, key)


def load_start_in(
    session: Any, key: TryKey, *, with_prev_success: bool = False
) -> TryStart | TaskState:
    """:func:`load_start` inside the caller's transaction (a worker reads it with the claim).

    ``with_prev_success`` also reads the run's latest successful predecessor (one more indexed
    query here, instead of one on first use of a ``prev_*_success`` context entry).
    """
    from tradewind.metastore.engine import session_connection

    query, run_columns = _start_query()
    row = (
        session_connection(session)
        .execute(
            query,
            {
                "dag_id": key.dag_id,
                "run_id": key.run_id,
                "task_id": key.task_id,
                "map_index": key.map_index,
            },
        )
        .first()
    )
    if row is None:
        log.error("Task instance of %s not found: not running it", key)
        return TaskState.REMOVED
    if row.state != TaskState.RUNNING or row.try_number != key.try_number:
        log.warning(
            "Not running %s: the task instance is %s at try %s", key, row.state, row.try_number
        )
        return TaskState(row.state)
    columns = dict(zip(run_columns, row[_N_TI_COLUMNS:], strict=True))
    dag_run = _detached_run(columns)
    _clear_earlier_xcoms(session, key, row.first_poke_at)
    prev = None
    if with_prev_success:
        from tradewind.runtime.context import prev_success_in

        prev = prev_success_in(session, key.dag_id, dag_run.logical_date)
        if prev is not None:
            session.expunge(prev)
    return TryStart(
        run_columns=columns,
        _run=dag_run,
        max_tries=row.max_tries,
        start_date=row.start_date or datetime.now(UTC),
        first_poke_at=row.first_poke_at,
        operator=row.operator,
        queue=row.queue,
        pool=row.pool,
        priority_weight=row.priority_weight,
        prev_success=prev,
        prev_success_loaded=with_prev_success,
        fileloc=row.fileloc,
    )


#: the task instance's columns (and the DAG's file) that come before the run's in the query
_TI_COLUMNS = (
    "state",
    "try_number",
    "max_tries",
    "start_date",
    "first_poke_at",
    "operator",
    "queue",
    "pool",
    "priority_weight",
)
_N_TI_COLUMNS = len(_TI_COLUMNS) + 1


@lru_cache(maxsize=1)
def _start_query() -> tuple[Any, tuple[str, ...]]:
    """The start's one query (task instance, its run, the DAG's file) and the run's columns."""
    from sqlalchemy import bindparam, select

    from tradewind.metastore.models import DagModel, DagRun, TaskInstance

    ti, run, dag = TaskInstance.__table__, DagRun.__table__, DagModel.__table__
    run_columns = tuple(c.key for c in run.c)
    query = (
        select(
            *(ti.c[name] for name in _TI_COLUMNS),
            dag.c.fileloc,
            *(run.c[name].label(f"run_{name}") for name in run_columns),
        )
        .select_from(
            ti.join(run, (run.c.dag_id == ti.c.dag_id) & (run.c.run_id == ti.c.run_id)).outerjoin(
                dag, dag.c.dag_id == ti.c.dag_id
            )
        )
        .where(
            ti.c.dag_id == bindparam("dag_id"),
            ti.c.run_id == bindparam("run_id"),
            ti.c.task_id == bindparam("task_id"),
            ti.c.map_index == bindparam("map_index"),
        )
    )
    return query, run_columns


def _detached_run(columns: dict[str, Any]) -> Any:
    """A ``DagRun`` with these column values, detached (as if loaded, then expunged).

    Built as the ORM builds a loaded row (no constructor, no attribute events): a quarter of
    the cost of ``DagRun(**columns)``, paid on every try."""
    from sqlalchemy.orm import make_transient_to_detached

    from tradewind.metastore.models import DagRun
    from tradewind.runtime.context_dates import pendulum_columns

    run = DagRun._sa_class_manager.new_instance()
    run.__dict__.update(pendulum_columns(columns))
    make_transient_to_detached(run)
    return run


def claim_and_start_in(
    session: Any, key: TryKey, *, hostname: str, worker_name: str | None, pid: int
) -> TryStart | TaskState | None:
    """Claim the try (``queued -> running``) and read its start, in the caller's transaction.

    None: not claimable (a duplicate or stale message). On Postgres one statement does both
    (``tradewind.metastore.transitions_pg``); elsewhere ``claim_try`` then :func:`load_start_in`.
    """
    from tradewind.metastore.engine import session_connection

    connection = session_connection(session)
    if connection.dialect.name != "postgresql":
        from tradewind.runtime.claim import claim_try

        if not claim_try(session, key, hostname=hostname, worker_name=worker_name, pid=pid):
            return None
        return load_start_in(session, key)
    return _claim_on_driver(
        connection.connection, key, hostname=hostname, worker_name=worker_name, pid=pid
    )


def claim_and_start(
    metastore: Metastore, key: TryKey, *, hostname: str, worker_name: str | None, pid: int
) -> TryStart | TaskState | None:
    """:func:`claim_and_start_in` in a transaction of its own: a worker's claim. On Postgres
    it runs on a pooled driver connection, without a Session."""
    return claim_and_start_many(
        metastore, [key], hostname=hostname, worker_name=worker_name, pid=pid
    )[key]


def claim_and_start_many(
    metastore: Metastore,
    keys: list[TryKey],
    *,
    hostname: str,
    worker_name: str | None,
    pid: int,
) -> dict[TryKey, TryStart | TaskState | None]:
    """Claim each of the distinct tries ``keys`` and read its start, as
    :func:`claim_and_start_in` does (None: not claimable). On Postgres one statement claims
    them all, on a pooled driver connection in autocommit; elsewhere each is claimed in a
    transaction of its own."""
    if metastore.dialect != "postgresql":
        starts: dict[TryKey, TryStart | TaskState | None] = {}
        for key in keys:
            with metastore.session() as session:
                starts[key] = claim_and_start_in(
                    session, key, hostname=hostname, worker_name=worker_name, pid=pid
                )
        return starts
    from tradewind.metastore import transitions_pg

    with metastore.driver_transaction(one_statement=True) as connection:
        rows = transitions_pg.claim_many(
            connection, keys, hostname=hostname, worker_name=worker_name, pid=pid
        )
    return {key: _start_from_row(rows[key]) if key in rows else None for key in keys}


def _claim_on_driver(
    connection: Any, key: TryKey, *, hostname: str, worker_name: str | None, pid: int
) -> TryStart | None:
    from tradewind.metastore import transitions_pg

    row = transitions_pg.claim_and_start(
        connection, key, hostname=hostname, worker_name=worker_name, pid=pid
    )
    return _start_from_row(row) if row is not None else None


def _start_from_row(row: tuple[Any, ...]) -> TryStart:
    from tradewind.metastore import transitions_pg

    max_tries, start_date, first_poke_at, operator, queue, pool, priority_weight, fileloc = row[:8]
    return TryStart(
        run_columns=transitions_pg.run_from_row(row[8:]),
        max_tries=max_tries,
        start_date=start_date.astimezone(UTC),
        first_poke_at=first_poke_at.astimezone(UTC) if first_poke_at is not None else None,
        operator=operator,
        queue=queue,
        pool=pool,
        priority_weight=priority_weight,
        fileloc=fileloc,
    )


def _clear_earlier_xcoms(session: Any, key: TryKey, first_poke_at: Any) -> None:
    """A retry or a rescheduled poke starts without the XComs of earlier tries (a first try
    has none to clear: no statement)."""
    if key.try_number > 1 or first_poke_at is not None:
        from tradewind.metastore.xcoms import delete_xcoms

        delete_xcoms(session, key.ti_key)
