"""The claim, as dramatiq middleware: no try runs before its compare-and-set ``queued -> running``.

Before the actor sees a message, :class:`ClaimMiddleware`

1. hands the message back if this worker no longer serves its queue or is draining;
2. claims the try through ``tradewind.runtime.claim.claim_try`` (one transaction, which also
   reads, in one query, the DAG's file location and what the try needs to start: its run and
   its instance's columns, so the try's process needs no connection of its own; the previous
   successful run is looked up only if the task's context asks for it), so a duplicate, stale
   or already-handled message is acknowledged and dropped without running anything;
3. acknowledges the message at once (see ``broker_config.brokers.early_ack`` for why: from here
   the metastore owns the try, through heartbeats and the scheduler's zombie detection).

The claimed try is handed to the actor through a thread-local (middleware and actor run on the
same dramatiq worker thread).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dramatiq.middleware import Middleware, SkipMessage

from broker_config.brokers.early_ack import ack_now
from broker_config.messages import ACTOR_NAME
from broker_config.middleware import TRY_KEY_OPTION
from tradewind.core.keys import TryKey
from tradewind.runtime.try_start import TryStart, claim_and_start

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore
    from worker.gate import QueueGate
    from worker.tracker import RunningTries, WorkerIdentity

log = logging.getLogger(__name__)
_current = threading.local()


@dataclass
class ClaimedTry:
    try_key: TryKey
    queue: str
    fileloc: str
    #: ``tradewind.runtime.try_start.TryStart`` read with the claim (None: the try reads it)
    start: Any = None
    #: the scheduler was woken with the try's outcome already (in the same transaction)
    notified: bool = False


def current_claim() -> ClaimedTry | None:
    """The try this thread's message claimed (None: nothing claimed)."""
    return getattr(_current, "claimed", None)


def _fileloc(metastore: Metastore, dag_id: str) -> str:
    from sqlalchemy import select

    from tradewind.metastore.models import DagModel

    with metastore.session() as session:
        query = select(DagModel.fileloc).where(DagModel.dag_id == dag_id)
        return session.execute(query).scalar() or ""


class ClaimMiddleware(Middleware):
    def __init__(
        self,
        metastore: Metastore,
        identity: WorkerIdentity,
        tracker: RunningTries,
        gate: QueueGate,
    ) -> None:
        self.metastore = metastore
        self.identity = identity
        self.tracker = tracker
        self.gate = gate

    def before_process_message(self, broker: Any, message: Any) -> None:
        _current.claimed = None
        if message.actor_name != ACTOR_NAME:
            return
        try_key: TryKey = message.options[TRY_KEY_OPTION]
        if not self.gate.accepts(message.queue_name):
            self._hand_back(broker, message)
            raise SkipMessage("handed back")
        self.tracker.add(try_key, message.queue_name)
        try:
            start = claim_and_start(
                self.metastore,
                try_key,
                hostname=self.identity.hostname,
                worker_name=self.identity.name,
                pid=self.identity.pid,
            )
            if start is not None and not isinstance(start, TryStart):
                start = None  # cannot happen right after the claim: the try's process reads it
                fileloc = _fileloc(self.metastore, try_key.dag_id)
            elif start is not None:
                fileloc = start.fileloc or ""
            else:
                self.tracker.remove(try_key)
                log.info(
                    "dropping message for %s: not queued at that try (duplicate or stale)", try_key
                )
                raise SkipMessage("not claimable")
        except SkipMessage:
            raise
        except BaseException:
            self.tracker.remove(try_key)
            raise
        ack_now(message)
        _current.claimed = ClaimedTry(try_key, message.queue_name, fileloc, start)

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        self._release()

    def after_skip_message(self, broker: Any, message: Any) -> None:
        self._release()

    def _release(self) -> None:
        claimed = current_claim()
        if claimed is not None:
            self.tracker.remove(claimed.try_key)
        _current.claimed = None

    def _hand_back(self, broker: Any, message: Any) -> None:
        """Re-publish an equivalent message to its queue; the original is then acknowledged."""
        from dramatiq.message import Message

        copy = Message(
            queue_name=message.queue_name,
            actor_name=message.actor_name,
            args=(),
            kwargs=dict(message.kwargs),
            options={},
        )
        broker.enqueue(copy)
        log.info("handed %s back to %s", message.options[TRY_KEY_OPTION], message.queue_name)
