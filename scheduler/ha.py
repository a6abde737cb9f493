"""Several schedulers on one Postgres metastore, as Airflow 2's HA scheduler does.

- DAG rows (run creation) and DAG runs (run progress) are read ``FOR UPDATE SKIP LOCKED``: each
  scheduler works on the rows no other one holds, and nobody waits.
- Queueing (slot accounting) runs under a transaction-scoped advisory lock: pools and
  ``max_active_tasks`` are shared limits, so one scheduler at a time counts and queues; a
  scheduler that does not get the lock skips queueing for that iteration. The lock is tried by
  the query that reads the queueing candidates (``scheduler.queueing``): no round trip of its own.
- Every state write is a compare-and-set, so even without the locks no try is queued twice.

On SQLite every write transaction is ``BEGIN IMMEDIATE``: transactions are serialised already.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

S = TypeVar("S")

#: the advisory-lock key of the queueing critical section ("twqueue" as an integer)
QUEUEING_LOCK_KEY = 0x7477717565756500 >> 8


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def skip_locked(stmt: Any, session: Session, *, of: Any = None) -> Any:
    """``stmt`` with ``FOR UPDATE SKIP LOCKED`` on Postgres; unchanged elsewhere."""
    if is_postgres(session):
        return stmt.with_for_update(skip_locked=True, of=of)
    return stmt
