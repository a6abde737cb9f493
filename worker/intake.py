"""Which messages this worker takes, as dramatiq middleware, and the try each one names.

Before the actor sees a message, :class:`IntakeMiddleware` hands it back if this worker no
longer serves its queue or is draining (a copy is re-published to its queue, the original
acknowledged), and otherwise records the try as running here (for heartbeats and the drain).
The actor then hands the try to the worker's dispatcher (``worker.dispatch``), which claims it
by compare-and-set ``queued -> running`` before anything runs, acknowledges the message at the
claim (see ``broker_config.brokers.early_ack`` for why), and drops a duplicate or stale message
without running anything. The try is handed to the actor, and its outcome to the wake-up
middleware, through a thread-local (middleware and actor run on the same dramatiq thread).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dramatiq.middleware import Middleware, SkipMessage

from broker_config.messages import ACTOR_NAME
from broker_config.middleware import TRY_KEY_OPTION
from tradewind.core.keys import TryKey

if TYPE_CHECKING:
    from worker.gate import QueueGate
    from worker.tracker import RunningTries

log = logging.getLogger(__name__)
_current = threading.local()


@dataclass
class IncomingTry:
    try_key: TryKey
    queue: str
    #: the dramatiq message (the dispatcher acknowledges it at the claim)
    message: Any = None
    #: the scheduler was woken with the try's outcome already (in the same transaction)
    notified: bool = False


def current_try() -> IncomingTry | None:
    """The try this thread's message names (None: no task message, or handed back)."""
    return getattr(_current, "incoming", None)


class IntakeMiddleware(Middleware):
    def __init__(self, tracker: RunningTries, gate: QueueGate) -> None:
        self.tracker = tracker
        self.gate = gate

    def before_process_message(self, broker: Any, message: Any) -> None:
        _current.incoming = None
        if message.actor_name != ACTOR_NAME:
            return
        try_key: TryKey = message.options[TRY_KEY_OPTION]
        if not self.gate.accepts(message.queue_name):
            self._hand_back(broker, message)
            raise SkipMessage("handed back")
        self.tracker.add(try_key, message.queue_name)
        _current.incoming = IncomingTry(try_key, message.queue_name, message)

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        self._release()

    def after_skip_message(self, broker: Any, message: Any) -> None:
        self._release()

    def _release(self) -> None:
        incoming = current_try()
        if incoming is not None:
            self.tracker.remove(incoming.try_key)
        _current.incoming = None

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
