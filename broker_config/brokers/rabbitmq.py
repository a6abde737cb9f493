"""dramatiq's RabbitMQ broker, with early acks, optional x-consumer-timeout and batched publish.

Queues are declared by dramatiq: durable, with ``x-dead-letter-exchange=""`` and
``x-dead-letter-routing-key=<queue>.XQ`` (a rejected message lands in the dead-letter queue),
plus the ``<queue>.DQ`` delay queue. Messages are published persistent (``delivery_mode=2``).
Tradewind only adds ``x-consumer-timeout`` when ``broker.consumer_timeout_ms`` is set (RabbitMQ
3.12+ honours it; older servers ignore it). The dead-letter arguments are dramatiq's own, so a
queue declared by either side is redeclared with equal arguments; a queue that exists with other
arguments (say a different timeout) gives a clear :class:`BrokerError` instead of the channel
error ``PRECONDITION_FAILED``. See :mod:`broker_config.brokers.early_ack` for why the worker
acknowledges on claim.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pika
import pika.exceptions
from dramatiq.brokers.rabbitmq import RabbitmqBroker, _RabbitmqConsumer
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message

from broker_config.brokers.early_ack import already_acked, attach_early_ack
from tradewind.errors import BrokerError

log = logging.getLogger(__name__)


class TradewindRabbitmqBroker(RabbitmqBroker):
    def __init__(self, *, consumer_timeout_ms: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.consumer_timeout_ms = consumer_timeout_ms

    @property
    def consumer_class(self) -> type:
        return _TradewindRabbitmqConsumer

    def _build_queue_arguments(self, queue_name: str) -> dict[str, Any]:
        arguments = super()._build_queue_arguments(queue_name)
        if self.consumer_timeout_ms > 0:
            arguments["x-consumer-timeout"] = int(self.consumer_timeout_ms)
        return arguments

    def _declare_queue(self, queue_name: str) -> Any:
        try:
            return super()._declare_queue(queue_name)
        except pika.exceptions.ChannelClosedByBroker as exc:
            del self.channel
            if exc.reply_code == 406:
                raise BrokerError(
                    f"RabbitMQ refused to redeclare queue {queue_name!r} with Tradewind's "
                    f"arguments: {exc.reply_text}",
                    hint="the queue exists with other arguments (x-consumer-timeout?); delete it "
                    "or set TRADEWIND__BROKER__CONSUMER_TIMEOUT_MS to match",
                ) from None
            raise

    def publish_many(self, messages: Iterable[Message]) -> int:
        """Publish on this thread's one channel, declaring each queue once."""
        count = 0
        for message in messages:
            self.enqueue(message)
            count += 1
        return count


class _TradewindRabbitmqConsumer(_RabbitmqConsumer):
    def __next__(self) -> Any:
        message = super().__next__()
        if message is not None:
            attach_early_ack(message, self)
        return message

    def ack(self, message: Any) -> None:
        if already_acked(message):
            return
        try:
            super().ack(message)
        except ConnectionClosed:
            log.debug("ack of %s after its channel closed; RabbitMQ requeued it", message)

    def nack(self, message: Any) -> None:
        if already_acked(message):
            return
        try:
            super().nack(message)
        except ConnectionClosed:
            log.debug("nack of %s after its channel closed; RabbitMQ requeued it", message)
