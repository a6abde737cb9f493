"""A worker's two writes of its tries on Postgres, one statement each, on the raw driver cursor.

The claim (``queued -> running`` by compare-and-set, the try's history row, and the read of
what the try needs to start) and the common finish (the state by compare-and-set, the history
row, the scheduler's wake-up) are each a single statement with data-modifying CTEs: the same
writes as ``tradewind.runtime.claim.claim_try`` + ``tradewind.runtime.try_start.load_start_in``
and ``tradewind.runtime.try_record.write_finish`` (the portable path, which SQLite and MariaDB
take), at a fraction of the round trips and CPU: the fleet's throughput is bounded by this
per-try work. Each statement takes a batch of tries (the keys as parallel arrays, ``unnest``),
so a worker claims, or finishes, all the tries that are ready at once in one round trip; one
try is a batch of one. Both are prepared once per connection (``tradewind.metastore.prepared``)
and run on a pooled driver connection, in autocommit (``Metastore.driver_transaction``) or a
session's transaction. A finish that stores XComs or dataset events takes the portable path.
This module is the state writer's Postgres companion (with ``tradewind.metastore.transitions``,
the only code that writes states): the same compare-and-sets, the same rule that a history row
that says how a try ended is never put back to ``running``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tradewind.core.keys import TryKey
from tradewind.core.states import FINISHED, TaskState
from tradewind.metastore.models import DagRun
from tradewind.metastore.prepared import execute_prepared
from tradewind.metastore.wakeup import CHANNEL

_ENDED = ", ".join(f"'{s.value}'" for s in (*FINISHED, TaskState.UP_FOR_RETRY))
_TRY_KEY = "dag_id, run_id, task_id, map_index, try_number"
#: the run's columns, in the order the claim returns them after the instance's
RUN_COLUMNS = tuple(c.key for c in DagRun.__table__.c)

#: the keys of a batch, as parallel arrays (one element per try)
_KEYS = """unnest(%(dag_id)s::text[], %(run_id)s::text[], %(task_id)s::text[],
        %(map_index)s::int[], %(try_number)s::int[])"""
_MATCH = (
    "t.dag_id = k.dag_id AND t.run_id = k.run_id AND t.task_id = k.task_id "
    "AND t.map_index = k.map_index AND t.try_number = k.try_number"
)
_HISTORY_UPSERT = f"""ON CONFLICT ({_TRY_KEY}) DO UPDATE SET state = excluded.state,
        hostname = excluded.hostname"""

CLAIM = f"""
WITH k AS (
    SELECT * FROM {_KEYS} AS k(dag_id, run_id, task_id, map_index, try_number)
), claimed AS (
    UPDATE task_instance t SET state = 'running', start_date = %(now)s, end_date = NULL,
        duration = NULL, hostname = %(hostname)s, worker_name = %(worker_name)s, pid = %(pid)s,
        last_heartbeat = %(now)s
    FROM k WHERE {_MATCH} AND t.state = 'queued'
    RETURNING t.dag_id, t.run_id, t.task_id, t.map_index, t.try_number, t.max_tries,
        t.start_date, t.first_poke_at, t.operator, t.queue, t.pool, t.priority_weight
), history AS (
    INSERT INTO task_try ({_TRY_KEY}, state, hostname, worker_name, pid, start_date, end_date,
        duration, error)
    SELECT {_TRY_KEY}, 'running', %(hostname)s, %(worker_name)s, %(pid)s, %(now)s, NULL, NULL,
        NULL
    FROM claimed
    {_HISTORY_UPSERT}, worker_name = excluded.worker_name, pid = excluded.pid,
        start_date = excluded.start_date, end_date = NULL, duration = NULL, error = NULL
    WHERE task_try.state NOT IN ({_ENDED})
), cleared AS (
    DELETE FROM xcom x USING claimed c
    WHERE x.dag_id = c.dag_id AND x.run_id = c.run_id AND x.task_id = c.task_id
        AND x.map_index = c.map_index AND (c.try_number > 1 OR c.first_poke_at IS NOT NULL)
)
SELECT c.task_id, c.map_index, c.try_number, c.dag_id, c.run_id, c.max_tries, c.start_date,
    c.first_poke_at, c.operator, c.queue, c.pool, c.priority_weight, dag.fileloc,
    {", ".join(f"r.{name}" for name in RUN_COLUMNS)}
FROM claimed c
JOIN dag_run r ON r.dag_id = c.dag_id AND r.run_id = c.run_id
LEFT JOIN dag ON dag.dag_id = c.dag_id
"""
#: where a claim row's start columns begin (after the try's key)
CLAIM_KEY_COLUMNS = 5

#: the instance's columns a common finish writes (a plan with others takes the portable path)
FINISH_FIELDS = frozenset(
    {"end_date", "duration", "next_try_at", "first_poke_at", "rendered_fields"}
)


def claim_many(
    connection: Any, keys: list[TryKey], *, hostname: str, worker_name: str | None, pid: int
) -> dict[TryKey, tuple[Any, ...]]:
    """Claim the tries ``keys`` (distinct) and read their starts, in one statement; a key
    missing from the result was not claimable (the caller drops its message). A row: the
    instance's start columns, the DAG's file, then the run's :data:`RUN_COLUMNS`. A retry or a
    rescheduled poke starts without the XComs of its earlier tries (cleared by the same
    statement). ``connection``: a pooled driver connection, in a transaction that has run
    nothing yet, or in autocommit (the statement is atomic)."""
    params: dict[str, Any] = _keys_params(keys)
    params.update(now=datetime.now(UTC), hostname=hostname, worker_name=worker_name, pid=pid)
    with execute_prepared(connection, CLAIM, params) as cursor:
        rows = cursor.fetchall()
    claimed: dict[TryKey, tuple[Any, ...]] = {}
    for row in rows:
        task_id, map_index, try_number, dag_id, run_id = row[:CLAIM_KEY_COLUMNS]
        key = TryKey(dag_id, run_id, task_id, map_index, try_number)
        claimed[key] = tuple(row[CLAIM_KEY_COLUMNS:])
    return claimed


def claim_and_start(
    connection: Any, key: TryKey, *, hostname: str, worker_name: str | None, pid: int
) -> tuple[Any, ...] | None:
    """:func:`claim_many` of one try: its row, or None when it was not claimable."""
    rows = claim_many(connection, [key], hostname=hostname, worker_name=worker_name, pid=pid)
    return rows.get(key)


def run_from_row(values: tuple[Any, ...]) -> dict[str, Any]:
    """The run's columns of a claim row, as the ORM would read them (UTC datetimes, JSON)."""
    columns = dict(zip(RUN_COLUMNS, values, strict=True))
    for name, value in columns.items():
        if isinstance(value, datetime):
            columns[name] = value.astimezone(UTC)
    if isinstance(columns.get("conf"), str):
        columns["conf"] = json.loads(columns["conf"])
    return columns


def finish_is_common(plan: Any) -> bool:
    return not plan.xcoms and not plan.outlets and set(plan.fields) <= FINISH_FIELDS


#: one try's common finish: its key, its ``TryStart`` and its ``FinishPlan``
Finish = tuple[TryKey, Any, Any]


def write_common_finishes(
    connection: Any, finishes: list[Finish], *, hostname: str, notify: bool
) -> set[TryKey]:
    """``write_finish`` of plans without XComs or dataset events, for distinct tries: one
    statement per set of columns written (one, in practice), each atomic. Returns the tries
    whose state moved; a try no longer running is left alone, and nobody is woken for it.
    ``connection``: a pooled driver connection in autocommit."""
    groups: dict[tuple[str, ...], list[Finish]] = {}
    for finish in finishes:
        groups.setdefault(tuple(sorted(finish[2].fields)), []).append(finish)
    moved: set[TryKey] = set()
    for names, group in groups.items():
        params = _keys_params([key for key, _, _ in group])
        for name in names:
            params[f"f_{name}"] = [_value(name, plan.fields[name]) for _, _, plan in group]
        params.update(
            state=[plan.state.value for _, _, plan in group],
            start_date=[start.start_date for _, start, _ in group],
            end_date=[plan.now for _, _, plan in group],
            error=[plan.error for _, _, plan in group],
            operator=[start.operator for _, start, _ in group],
            queue=[start.queue for _, start, _ in group],
            hostname=hostname,
            channel=CHANNEL if notify else None,
        )
        with execute_prepared(connection, _finish_statement(names), params) as cursor:
            for row in cursor.fetchall():
                if row[0] is not None:
                    moved.add(TryKey(*row[:5]))
    return moved


def write_common_finish(
    connection: Any, key: TryKey, start: Any, plan: Any, *, hostname: str, notify: bool
) -> bool:
    """:func:`write_common_finishes` of one try: True when its state moved."""
    finishes = [(key, start, plan)]
    return key in write_common_finishes(connection, finishes, hostname=hostname, notify=notify)


_FINISH_STATEMENTS: dict[tuple[str, ...], str] = {}
#: the SQL type of each column a common finish may write
_FIELD_TYPES = {
    "end_date": "timestamptz",
    "duration": "float8",
    "next_try_at": "timestamptz",
    "first_poke_at": "timestamptz",
    "rendered_fields": "text",
}


def _finish_statement(names: tuple[str, ...]) -> str:
    statement = _FINISH_STATEMENTS.get(names)
    if statement is None:
        fields = "".join(f", %(f_{n})s::{_FIELD_TYPES[n]}[]" for n in names)
        columns = "".join(f", f_{n}" for n in names)
        assigned = "".join(
            f", {n} = k.f_{n}" + ("::json" if n == "rendered_fields" else "") for n in names
        )
        statement = _FINISH_STATEMENTS[names] = f"""
WITH k AS (
    SELECT * FROM unnest(%(dag_id)s::text[], %(run_id)s::text[], %(task_id)s::text[],
        %(map_index)s::int[], %(try_number)s::int[], %(state)s::text[],
        %(start_date)s::timestamptz[], %(end_date)s::timestamptz[], %(error)s::text[],
        %(operator)s::text[], %(queue)s::text[]{fields})
    AS k(dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, error,
        operator, queue{columns})
), moved AS (
    UPDATE task_instance t SET state = k.state{assigned}
    FROM k WHERE {_MATCH} AND t.state = 'running'
    RETURNING {", ".join(f"k.{c.strip()}" for c in _TRY_KEY.split(","))}, k.state,
        k.start_date, k.end_date, k.f_duration, k.error, k.operator, k.queue
), history AS (
    INSERT INTO task_try ({_TRY_KEY}, state, hostname, start_date, end_date, duration, error,
        operator, queue)
    SELECT {_TRY_KEY}, state, %(hostname)s, start_date, end_date, f_duration, error,
        operator, queue
    FROM moved
    {_HISTORY_UPSERT}, start_date = excluded.start_date,
        end_date = excluded.end_date, duration = excluded.duration, error = excluded.error,
        operator = excluded.operator, queue = excluded.queue
), woken AS (
    SELECT pg_notify(%(channel)s::text, '')
    WHERE %(channel)s::text IS NOT NULL AND EXISTS (SELECT 1 FROM moved)
)
SELECT {_TRY_KEY} FROM moved
UNION ALL SELECT NULL, NULL, NULL, NULL, NULL FROM woken
"""
    return statement


def _value(name: str, value: Any) -> Any:
    if name == "rendered_fields" and value is not None:
        return json.dumps(value)
    return value


def _keys_params(keys: list[TryKey]) -> dict[str, Any]:
    return {
        "dag_id": [key.dag_id for key in keys],
        "run_id": [key.run_id for key in keys],
        "task_id": [key.task_id for key in keys],
        "map_index": [key.map_index for key in keys],
        "try_number": [key.try_number for key in keys],
    }
