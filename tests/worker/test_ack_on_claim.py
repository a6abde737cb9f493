"""The consumer-timeout design: a message is acknowledged when its claim commits, so a long try
holds no unacknowledged delivery (RabbitMQ's consumer_timeout cannot fire), and a redelivery of
its message while it runs (what RabbitMQ does after that timeout) neither runs it twice nor
loses it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from broker_config.stats.base import queue_stats_for

URLS = {"rabbitmq": "amqp://guest:guest@127.0.0.1:5672/", "redis": "redis://127.0.0.1:6379/0"}


def _ran(harness) -> int:
    return len(list((harness.dag_file.parent.parent / "markers").iterdir()))


def _unacknowledged(kind: str, queue: str, in_flight: int | None) -> int | None:
    """In-flight messages; on RabbitMQ without the management API, asked of rabbitmqctl."""
    if in_flight is not None or kind != "rabbitmq" or not shutil.which("rabbitmqctl"):
        return in_flight
    listing = subprocess.run(
        ["rabbitmqctl", "list_queues", "-q", "name", "messages_unacknowledged"],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    counts = dict(line.split("\t") for line in listing.splitlines() if "\t" in line)
    return int(counts.get(queue, "0"))


@pytest.mark.parametrize("kind", ["rabbitmq", "redis"])
def test_a_running_try_holds_no_delivery_and_its_redelivery_is_dropped(
    harness, start_worker, wait, kind
) -> None:
    url = URLS[kind]
    start_worker(url, ["default"], concurrency=2)
    key = harness.queue(harness.new_run(), "held")
    router = Router.from_settings(harness.settings)
    queue = router.broker_queue("default")
    broker = build_broker(url)
    stats = queue_stats_for(broker)
    try:
        publish(broker, [router.message(key, "default")])
        wait(lambda: harness.state(key) == "running", what="the try to be claimed")
        # acknowledged at the claim: nothing unacknowledged while the try runs
        stat = wait(
            lambda: (
                (s := stats.stats([queue])[0]).depth == 0
                and _unacknowledged(kind, queue, s.in_flight) == 0
                and s
            ),
            timeout=5,
            what="the delivery to be acknowledged while the try runs",
        )
        assert stat.depth == 0
        # what RabbitMQ does after consumer_timeout: the same message again, mid-try
        publish(broker, [router.message(key, "default")])
        wait(lambda: stats.stats([queue])[0].depth == 0, what="the redelivery to be consumed")
        assert harness.state(key) == "running"
        (harness.dag_file.parent.parent / "release").touch()
        wait(lambda: harness.state(key) == "success", what="the first (only) run to finish")
    finally:
        stats.close()
        broker.close()
    assert _ran(harness) == 1
    assert harness.ti(key.ti_key).try_number == 1
