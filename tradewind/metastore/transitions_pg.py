"""A worker's two writes of a try on Postgres, one statement each, on the raw driver cursor.

The claim (``queued -> running`` by compare-and-set, the try's history row, and the read of
what the try needs to start) and the common finish (the state by compare-and-set, the history
row, the scheduler's wake-up) are each a single statement with data-modifying CTEs, executed on
the session's psycopg2 cursor: the same writes as ``tradewind.runtime.claim.claim_try`` +
``tradewind.runtime.try_start.load_start_in`` and ``tradewind.runtime.try_record.write_finish``
(the portable path, which SQLite and MariaDB take), at a fraction of the round trips and CPU:
the fleet's throughput is bounded by this per-try work. Both are prepared once per connection
(``tradewind.metastore.prepared``) and run on a pooled driver connection, in the worker's own
transaction (``Metastore.driver_transaction``) or a session's. A finish that stores XComs or
dataset events takes the portable path. This module is the state writer's Postgres companion (with
``tradewind.metastore.transitions``, the only code that writes states): the same
compare-and-sets, the same rule that a history row that says how a try ended is never put back
to ``running``.
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
_KEY = (
    "dag_id = %(dag_id)s AND run_id = %(run_id)s AND task_id = %(task_id)s "
    "AND map_index = %(map_index)s"
)
_TRY_KEY = "dag_id, run_id, task_id, map_index, try_number"
#: the run's columns, in the order the claim returns them after the instance's
RUN_COLUMNS = tuple(c.key for c in DagRun.__table__.c)

CLAIM = f"""
WITH claimed AS (
    UPDATE task_instance SET state = 'running', start_date = %(now)s, end_date = NULL,
        duration = NULL, hostname = %(hostname)s, worker_name = %(worker_name)s, pid = %(pid)s,
        last_heartbeat = %(now)s
    WHERE {_KEY} AND state = 'queued' AND try_number = %(try_number)s
    RETURNING dag_id, run_id, max_tries, start_date, first_poke_at, operator, queue, pool,
        priority_weight
), history AS (
    INSERT INTO task_try ({_TRY_KEY}, state, hostname, worker_name, pid, start_date, end_date,
        duration, error)
    SELECT %(dag_id)s, %(run_id)s, %(task_id)s, %(map_index)s, %(try_number)s, 'running',
        %(hostname)s, %(worker_name)s, %(pid)s, %(now)s, NULL, NULL, NULL
    FROM claimed
    ON CONFLICT ({_TRY_KEY}) DO UPDATE SET state = excluded.state,
        hostname = excluded.hostname, worker_name = excluded.worker_name, pid = excluded.pid,
        start_date = excluded.start_date, end_date = NULL, duration = NULL, error = NULL
    WHERE task_try.state NOT IN ({_ENDED})
), cleared AS (
    DELETE FROM xcom WHERE {_KEY}
        AND EXISTS (SELECT 1 FROM claimed WHERE %(try_number)s > 1 OR first_poke_at IS NOT NULL)
)
SELECT c.max_tries, c.start_date, c.first_poke_at, c.operator, c.queue, c.pool,
    c.priority_weight, dag.fileloc, {", ".join(f"r.{name}" for name in RUN_COLUMNS)}
FROM claimed c
JOIN dag_run r ON r.dag_id = c.dag_id AND r.run_id = c.run_id
LEFT JOIN dag ON dag.dag_id = c.dag_id
"""

#: the instance's columns a common finish writes (a plan with others takes the portable path)
FINISH_FIELDS = frozenset(
    {"end_date", "duration", "next_try_at", "first_poke_at", "rendered_fields"}
)


def claim_and_start(
    connection: Any, key: TryKey, *, hostname: str, worker_name: str | None, pid: int
) -> tuple[Any, ...] | None:
    """Claim the try and read its start in one statement; None: not claimable (the caller
    drops the message). The row: the instance's start columns, the DAG's file, then the
    run's :data:`RUN_COLUMNS`. A retry or a rescheduled poke starts without the XComs of its
    earlier tries (cleared by the same statement). ``connection``: a pooled driver connection,
    in a transaction that has run nothing yet, or in autocommit (the statement is atomic)."""
    now = datetime.now(UTC)
    params = {**_key_params(key), "now": now, "hostname": hostname}
    params.update(worker_name=worker_name, pid=pid)
    with execute_prepared(connection, CLAIM, params) as cursor:
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


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


def write_common_finish(
    connection: Any, key: TryKey, start: Any, plan: Any, *, hostname: str, notify: bool
) -> bool:
    """``write_finish`` of a plan without XComs or dataset events, in one statement
    (``connection``: a pooled driver connection, in a transaction that has run nothing yet, or
    in autocommit). Nothing is written, and nobody woken, when the try is no longer running."""
    names = tuple(sorted(plan.fields))
    params = {
        **_key_params(key),
        **{f"f_{name}": _value(name, plan.fields[name]) for name in names},
        "state": plan.state.value,
        "hostname": hostname,
        "start_date": start.start_date,
        "end_date": plan.now,
        "duration": plan.fields["duration"],
        "error": plan.error,
        "operator": start.operator,
        "queue": start.queue,
        "channel": CHANNEL if notify else None,
    }
    with execute_prepared(connection, _finish_statement(names), params) as cursor:
        row = cursor.fetchone()
    return bool(row and row[0])


_FINISH_STATEMENTS: dict[tuple[str, ...], str] = {}


def _finish_statement(names: tuple[str, ...]) -> str:
    statement = _FINISH_STATEMENTS.get(names)
    if statement is None:
        assigned = ", ".join(f"{name} = %(f_{name})s" for name in names)
        statement = _FINISH_STATEMENTS[names] = f"""
WITH moved AS (
    UPDATE task_instance SET state = %(state)s, {assigned}
    WHERE {_KEY} AND state = 'running' AND try_number = %(try_number)s
    RETURNING 1
), history AS (
    INSERT INTO task_try ({_TRY_KEY}, state, hostname, start_date, end_date, duration, error,
        operator, queue)
    SELECT %(dag_id)s, %(run_id)s, %(task_id)s, %(map_index)s, %(try_number)s, %(state)s,
        %(hostname)s, %(start_date)s, %(end_date)s, %(duration)s, %(error)s, %(operator)s,
        %(queue)s
    FROM moved
    ON CONFLICT ({_TRY_KEY}) DO UPDATE SET state = excluded.state,
        hostname = excluded.hostname, start_date = excluded.start_date,
        end_date = excluded.end_date, duration = excluded.duration, error = excluded.error,
        operator = excluded.operator, queue = excluded.queue
)
SELECT (SELECT count(*) FROM moved),
    CASE WHEN %(channel)s::text IS NOT NULL AND EXISTS (SELECT 1 FROM moved)
        THEN pg_notify(%(channel)s::text, '') END
"""
    return statement


def _value(name: str, value: Any) -> Any:
    if name == "rendered_fields" and value is not None:
        return json.dumps(value)
    return value


def _key_params(key: TryKey) -> dict[str, Any]:
    return {
        "dag_id": key.dag_id,
        "run_id": key.run_id,
        "task_id": key.task_id,
        "map_index": key.map_index,
        "try_number": key.try_number,
    }
