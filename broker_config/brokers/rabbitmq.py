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
#: messages written to the socket between two flushes by ``publish_many``
PUBLISH_BATCH = 500


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
        """Publish on this thread's one channel, declaring each queue once, flushing the
        socket once per :data:`PUBLISH_BATCH` messages instead of once per message.

        After a connection or channel error the whole batch is published again one message at
        a time (dramatiq's ``enqueue``, which reconnects): a message sent twice is harmless, the
        worker's claim drops the duplicate.
        """
        batch = list(messages)
        try:
            self._publish_batch(batch)
        except (pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError):
            del self.connection
            for message in batch:
                self.enqueue(message)
        return len(batch)

    def _publish_batch(self, messages: list[Message]) -> None:
        channel = self.channel
        # pika's BlockingChannel.basic_publish is this frame write followed by a flush; with
        # publisher confirms each message waits for its confirm, so the batch cannot apply
        if getattr(channel, "_delivery_confirmation", True):
            for message in messages:
                self.enqueue(message)
            return
        for start in range(0, len(messages), PUBLISH_BATCH):
            for message in messages[start : start + PUBLISH_BATCH]:
                self.declare_queue(message.queue_name, ensure=True)
                self.emit_before("enqueue", message, None)
                channel._impl.basic_publish(
                    exchange="",
                    routing_key=message.queue_name,
                    body=message.encode(),
                    properties=pika.BasicProperties(
                        delivery_mode=2, priority=message.options.get("broker_priority")
                    ),
                )
                self.emit_after("enqueue", message, None)
            channel._flush_output()


class _TradewindRabbitmqConsumer(_RabbitmqConsumer):
    def __next__(self) -> Any:
        message = super().__next__()
        if message is not None:
            attach_early_ack(message, self)
        return message

    def ack_many(self, messages: list[Any]) -> None:
        """Acknowledge ``messages`` in one callback on the connection's thread, written to the
        socket together (dramatiq's ``ack`` hands each over, and flushes each, on its own)."""
        tags = [message._tag for message in messages]
        if not tags:
            return
        for tag in tags:
            self.known_tags.discard(tag)
        channel = self.channel

        def acknowledge() -> None:
            for tag in tags:
                channel._impl.basic_ack(tag)
            channel._flush_output()

        try:
            self.connection.add_callback_threadsafe(acknowledge)
        except (pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError) as e:
            raise ConnectionClosed(e) from None

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
