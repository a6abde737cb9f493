"""A message off the schema is dead-lettered (<queue>.XQ), never silently lost."""

from __future__ import annotations

import pytest
from dramatiq.message import Message

from broker_config.factory import build_broker
from broker_config.messages import ACTOR_NAME
from broker_config.routing import Router
from broker_config.stats.base import queue_stats_for

URLS = {"rabbitmq": "amqp://guest:guest@127.0.0.1:5672/", "redis": "redis://127.0.0.1:6379/0"}


@pytest.mark.parametrize("kind", ["rabbitmq", "redis"])
def test_a_message_with_another_schema_version_lands_in_the_dead_letter_queue(
    harness, start_worker, wait, kind
) -> None:
    url = URLS[kind]
    start_worker(url, ["default"])
    key = harness.queue(harness.new_run(), "quick")
    queue = Router.from_settings(harness.settings).broker_queue("default")
    payload = {"v": 2, **key._asdict()}
    broker = build_broker(url)
    broker.enqueue(Message(queue, ACTOR_NAME, (), payload, {}))
    stats = queue_stats_for(broker)
    try:
        stat = wait(
            lambda: (s := stats.stats([queue])[0]).dead_letters == 1 and s, what="a dead letter"
        )
        wait(lambda: stats.stats([queue])[0].depth == 0, what="the queue to be empty")
        assert stat.dead_letters == 1
    finally:
        stats.close()
        broker.close()
    assert harness.state(key) == "queued"
