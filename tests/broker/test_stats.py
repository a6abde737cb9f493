"""Queue statistics (depth, in flight, consumers, dead letters) on RabbitMQ and Redis."""

from __future__ import annotations

import time

from dramatiq.message import Message

from broker_config.factory import build_broker
from broker_config.stats.base import QueueStats, queue_stats_for


def _message(queue: str) -> Message:
    return Message(queue, "noop", (), {}, {})


def test_depth_consumers_and_in_flight_are_counted(
    broker_url: str, queue_prefix: str, delete_queues
) -> None:
    queue = f"{queue_prefix}stats"
    delete_queues.append(queue)
    broker = build_broker(broker_url)
    broker.declare_queue(queue)
    for _ in range(3):
        broker.enqueue(_message(queue))
    stats = queue_stats_for(broker)
    assert isinstance(stats, QueueStats)
    (stat,) = stats.stats([queue])
    assert (stat.depth, stat.consumers, stat.dead_letters) == (3, 0, 0)
    assert stat.in_flight in (0, None)

    consumer = broker.consume(queue, prefetch=1, timeout=1000)
    message = None
    deadline = time.monotonic() + 10
    while message is None and time.monotonic() < deadline:
        message = next(consumer)
    assert message is not None
    (stat,) = stats.stats([queue])
    assert stat.depth == 2
    assert stat.consumers == 1
    if stat.in_flight is not None:  # RabbitMQ knows only with the management API
        assert stat.in_flight == 1
    consumer.nack(message)
    deadline = time.monotonic() + 10
    while stats.stats([queue])[0].dead_letters != 1 and time.monotonic() < deadline:
        connection = getattr(consumer, "connection", None)  # RabbitMQ: let pika send the nack
        if connection is not None:
            connection.process_data_events(0.05)
        time.sleep(0.05)
    assert stats.stats([queue])[0].dead_letters == 1
    consumer.close()
    stats.close()
    broker.flush(queue)
    broker.close()


def test_a_queue_that_does_not_exist_counts_as_empty(broker_url: str, queue_prefix: str) -> None:
    broker = build_broker(broker_url)
    stats = queue_stats_for(broker)
    (stat,) = stats.stats([f"{queue_prefix}never_declared"])
    assert (stat.depth, stat.consumers, stat.dead_letters) == (0, 0, 0)
    stats.close()
    broker.close()
