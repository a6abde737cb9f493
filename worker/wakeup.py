"""Wake the scheduler as soon as a try ends, so the next task is queued in milliseconds.

Uses the metastore's wake-up (``tradewind.metastore.wakeup``: Postgres ``NOTIFY``, or a datagram
next to a SQLite file). Sent from the worker process after the try's child exited, i.e. after
the final state was committed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from dramatiq.middleware import Middleware

from worker.intake import current_try

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


def notify_try_ended(metastore: Metastore) -> None:
    try:
        from tradewind.metastore.wakeup import notify_scheduler_now

        notify_scheduler_now(metastore)
    except Exception:  # a lost wake-up costs one scheduler poll interval, nothing more
        log.debug("could not wake the scheduler", exc_info=True)


class WakeupMiddleware(Middleware):
    def __init__(self, metastore: Metastore) -> None:
        self.metastore = metastore

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        incoming = current_try()
        if incoming is not None and not incoming.notified:
            notify_try_ended(self.metastore)
