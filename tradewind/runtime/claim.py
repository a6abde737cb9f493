"""Claiming a try: the one compare-and-set that makes a queued try this process's to run."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.metastore.transitions import record_try, set_task_state


def claim_try(
    session: Session,
    try_key: TryKey,
    *,
    hostname: str,
    worker_name: str | None = None,
    pid: int,
) -> bool:
    """Move the try ``queued -> running`` if it is still queued at that try number.

    Returns False when someone else claimed it, it was cleared or marked, or the message is
    stale (another try number): the caller drops the message. On success the try's history row
    is written as ``running``. The caller's session commits.
    """
    now = datetime.now(UTC)
    claimed = set_task_state(
        session,
        try_key.ti_key,
        TaskState.RUNNING,
        expected=[TaskState.QUEUED],
        try_number=try_key.try_number,
        start_date=now,
        end_date=None,
        duration=None,
        hostname=hostname,
        worker_name=worker_name,
        pid=pid,
        last_heartbeat=now,
    )
    if claimed:
        record_try(
            session,
            try_key,
            TaskState.RUNNING,
            hostname=hostname,
            worker_name=worker_name,
            pid=pid,
            start_date=now,
            end_date=None,
            duration=None,
            error=None,
        )
    return claimed
