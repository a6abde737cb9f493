"""Handing back the tries a stopping scheduler's executor still held.

A try still ``queued`` never started: it goes back to ``scheduled`` (same try number) and the
next scheduler queues it again. A ``running`` one was interrupted: it goes back to ``none`` and
its history row says why, so it is scheduled again with a new try number, as Airflow resets
orphaned tasks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.metastore import transitions

log = logging.getLogger(__name__)
T = TaskState


def hand_back_tries(session: Session, keys: Iterable[TryKey], *, now: datetime) -> int:
    count = 0
    for key in keys:
        if transitions.set_task_state(
            session, key.ti_key, T.SCHEDULED, expected=[T.QUEUED], try_number=key.try_number
        ):
            count += 1
            continue
        if transitions.set_task_state(
            session, key.ti_key, T.NONE, expected=[T.RUNNING], try_number=key.try_number
        ):
            transitions.record_try(
                session, key, T.FAILED, end_date=now, error="handed back: the scheduler stopped"
            )
            count += 1
    if count:
        log.info("handed back %d tries", count)
    return count
