"""RabbitMQ queues are declared durable and task messages are published persistent."""

from __future__ import annotations

import json

import pika
import pika.exceptions
import pytest

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.core.keys import TryKey

URL = "amqp://guest:guest@127.0.0.1:5672/"
KEY = TryKey("d", "manual__1", "t", -1, 1)


def test_task_messages_are_persistent_on_a_durable_queue(
    queue_prefix: str, delete_queues: list[str]
) -> None:
    router = Router(prefix=queue_prefix)
    queue = router.broker_queue("default")
    delete_queues.append(queue)
    broker = build_broker(URL)
    try:
        assert publish(broker, [router.message(KEY, "default")]) == 1
    finally:
        broker.close()
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    try:
        channel = connection.channel()
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        assert method is not None, "the message was not on its queue"
        assert properties.delivery_mode == 2  # persistent: survives a broker restart
        assert json.loads(body)["kwargs"]["task_id"] == "t"
        # Redeclaring the queue as transient is refused: it exists durable.
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            channel.queue_declare(queue, durable=False)
        assert refused.value.reply_code == 406
    finally:
        connection.close()
