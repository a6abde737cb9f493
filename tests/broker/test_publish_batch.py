"""The scheduler publishes a batch of task messages to RabbitMQ with one socket flush per
``PUBLISH_BATCH``: every message still lands on its own queue, persistent, and a batch whose
connection was lost is published again in full."""

from __future__ import annotations

import json

import pika

from broker_config.brokers.rabbitmq import PUBLISH_BATCH
from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.core.keys import TryKey

URL = "amqp://guest:guest@127.0.0.1:5672/"


def _drain(queue: str) -> list[tuple[int, str]]:
    """(delivery mode, task id) of every message on ``queue``, removing them."""
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    found = []
    try:
        channel = connection.channel()
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return found
            found.append((properties.delivery_mode, json.loads(body)["kwargs"]["task_id"]))
    finally:
        connection.close()


def _messages(router: Router, count: int) -> list:
    return [
        router.message(TryKey("d", "manual__1", f"t{i}", -1, 1), "high_cpu" if i % 3 else "default")
        for i in range(count)
    ]


def test_a_batch_larger_than_one_flush_lands_whole_on_each_queue(
    queue_prefix: str, delete_queues: list[str]
) -> None:
    router = Router(prefix=queue_prefix)
    queues = {name: router.broker_queue(name) for name in ("default", "high_cpu")}
    delete_queues.extend(queues.values())
    count = PUBLISH_BATCH * 2 + 7
    broker = build_broker(URL)
    try:
        assert publish(broker, _messages(router, count)) == count
    finally:
        broker.close()
    default, high_cpu = _drain(queues["default"]), _drain(queues["high_cpu"])
    assert {mode for mode, _ in default + high_cpu} == {2}  # persistent
    assert sorted(t for _, t in default) == sorted(f"t{i}" for i in range(0, count, 3))
    assert len(high_cpu) == count - len(default)
    assert len({t for _, t in high_cpu}) == len(high_cpu)


def test_a_batch_whose_connection_was_lost_is_published_again(
    queue_prefix: str, delete_queues: list[str]
) -> None:
    router = Router(prefix=queue_prefix)
    queues = [router.broker_queue("default"), router.broker_queue("high_cpu")]
    delete_queues.extend(queues)
    broker = build_broker(URL)
    try:
        assert publish(broker, _messages(router, 10)) == 10
        broker.connection.close()  # dropped under the broker, as by a RabbitMQ restart
        assert publish(broker, _messages(router, 30)) == 30
    finally:
        broker.close()
    task_ids = [t for queue in queues for _, t in _drain(queue)]
    assert set(task_ids) == {f"t{i}" for i in range(30)}
    assert len(task_ids) == 40  # the first 10 went out twice: each claim drops a duplicate
