"""How long a failed try waits before the next one: Airflow 2's ``next_retry_datetime``.

Without ``retry_exponential_backoff`` the wait is ``retry_delay``. With it, the wait is
``min_backoff + hash % min_backoff`` where ``min_backoff = ceil(retry_delay * 2 ** (try - 1))``
(at least 1 s) and ``hash`` is the SHA-1 of ``"{dag_id}#{task_id}#{logical_date}#{try}"``, so it
lies in ``[min_backoff, 2 * min_backoff)`` and is the same for a given try wherever it is
computed; it is capped at 24 h (Airflow's ``[core] max_task_retry_delay``) and then at the task's
``max_retry_delay``.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from tradewind.core.spec import TaskSpec

#: Airflow's default ``[core] max_task_retry_delay``: one day.
MAX_RETRY_DELAY: float = 24 * 60 * 60.0


def backoff_seconds(
    retry_delay: float,
    try_number: int,
    *,
    exponential: bool = False,
    max_retry_delay: float | None = None,
    jitter_key: str | None = None,
) -> float:
    """Seconds to wait after try ``try_number`` (1 for the first try) failed.

    ``jitter_key`` is ``"{dag_id}#{task_id}#{logical_date}"``; without it the exponential wait
    is its lower bound ``min_backoff`` (no jitter).
    """
    if not exponential:
        return float(retry_delay)
    try:
        min_backoff = math.ceil(retry_delay * (2 ** (try_number - 1)))
    except OverflowError:
        min_backoff = int(MAX_RETRY_DELAY)
    # beyond the cap the result is the cap whatever the jitter; keeps the numbers finite
    min_backoff = min(max(min_backoff, 1), int(MAX_RETRY_DELAY))
    if jitter_key is None:
        delay = float(min_backoff)
    else:
        digest = hashlib.sha1(f"{jitter_key}#{try_number}".encode(), usedforsecurity=False)
        delay = float(min_backoff + int(digest.hexdigest(), 16) % min_backoff)
    delay = min(delay, MAX_RETRY_DELAY)
    if max_retry_delay:
        delay = min(delay, float(max_retry_delay))
    return delay


def retry_delay_seconds(
    task: TaskSpec,
    try_number: int,
    *,
    dag_id: str | None = None,
    logical_date: datetime | None = None,
) -> float:
    """The wait after ``task``'s try ``try_number`` failed, as Airflow computes it.

    Give ``dag_id`` and ``logical_date`` to get Airflow's deterministic jitter.
    """
    jitter_key = None
    if dag_id is not None and logical_date is not None:
        jitter_key = f"{dag_id}#{task.task_id}#{logical_date.isoformat()}"
    return backoff_seconds(
        task.retry_delay,
        try_number,
        exponential=task.retry_exponential_backoff,
        max_retry_delay=task.max_retry_delay,
        jitter_key=jitter_key,
    )


def next_retry_at(
    task: TaskSpec,
    try_number: int,
    *,
    failed_at: datetime,
    dag_id: str | None = None,
    logical_date: datetime | None = None,
) -> datetime:
    """When the next try may be scheduled: the failed try's end plus :func:`retry_delay_seconds`."""
    delay = retry_delay_seconds(task, try_number, dag_id=dag_id, logical_date=logical_date)
    return failed_at + timedelta(seconds=delay)
