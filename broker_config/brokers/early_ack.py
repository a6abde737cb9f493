"""Acknowledge on claim: the one transport behaviour Tradewind adds to dramatiq's consumers.

The consumer-timeout design
---------------------------
RabbitMQ closes a channel whose delivery stays unacknowledged longer than ``consumer_timeout``
(30 minutes by default) and redelivers the message while the first try may still be running.
Tradewind **acknowledges a task message as soon as the worker's claim commits** (the
compare-and-set ``queued -> running`` in the metastore), not when the try ends:

- until the claim, the broker owns the try: a worker killed with prefetched, unclaimed
  messages has them redelivered (acks late, up to the claim);
- after the claim, the metastore owns it: the worker heartbeats the task instance, and the
  scheduler's zombie detection retries or fails a try whose heartbeat stops (a killed worker).
  A redelivered message would be useless there anyway: the claim refuses it (``running`` is not
  ``queued``), so a try is never run twice;
- so no delivery stays unacknowledged for the length of a try, ``consumer_timeout`` never fires
  for a long task, on any RabbitMQ version (per-queue ``x-consumer-timeout`` needs 3.12+; this
  design needs nothing from the server).

dramatiq still acknowledges the message when the actor returns; that second ack is skipped.
An ack or nack whose channel is already gone is dropped with a debug line: RabbitMQ has
requeued that delivery itself, and the claim makes its redelivery harmless.
"""

from __future__ import annotations

import logging
from typing import Any

from dramatiq.broker import MessageProxy

log = logging.getLogger(__name__)
_ACKED = "_tradewind_acked"


def attach_early_ack(message: MessageProxy, consumer: Any) -> MessageProxy:
    """Give ``message`` an ``ack_now()`` that acknowledges it on ``consumer`` once."""

    def ack_now() -> None:
        if getattr(message, _ACKED, False):
            return
        consumer.ack(message)
        setattr(message, _ACKED, True)

    message.ack_now = ack_now  # type: ignore[attr-defined]
    message.ack_consumer = consumer  # type: ignore[attr-defined]
    return message


def already_acked(message: MessageProxy) -> bool:
    return bool(getattr(message, _ACKED, False))


def ack_now(message: MessageProxy) -> bool:
    """Acknowledge ``message`` now if its transport supports it; True when it did."""
    early = getattr(message, "ack_now", None)
    if early is None:
        return False
    try:
        early()
    except Exception:  # the channel is gone: RabbitMQ requeued it, the claim fences it
        log.debug("early ack of %s failed; its redelivery will be refused", message, exc_info=True)
        return False
    return True


def ack_now_many(messages: list[MessageProxy]) -> None:
    """:func:`ack_now` for several messages; a consumer that can (RabbitMQ's) acknowledges
    its messages together, in one hand-over to its connection's thread."""
    by_consumer: dict[int, tuple[Any, list[MessageProxy]]] = {}
    for message in messages:
        consumer = getattr(message, "ack_consumer", None)
        if consumer is not None and hasattr(consumer, "ack_many"):
            by_consumer.setdefault(id(consumer), (consumer, []))[1].append(message)
        else:
            ack_now(message)
    for consumer, batch in by_consumer.values():
        pending = [m for m in batch if not already_acked(m)]
        try:
            consumer.ack_many(pending)
        except Exception:  # the channel is gone: RabbitMQ requeued them, the claim fences them
            log.debug("early ack of %d messages failed", len(pending), exc_info=True)
            continue
        for message in pending:
            setattr(message, _ACKED, True)
