"""Broker fixtures: real RabbitMQ and Redis, one unique queue prefix per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
REDIS_URL = "redis://127.0.0.1:6379/0"
BROKER_URLS = {"rabbitmq": RABBITMQ_URL, "redis": REDIS_URL}


@pytest.fixture
def queue_prefix() -> str:
    return f"twtest_{uuid.uuid4().hex[:8]}_"


@pytest.fixture(params=["rabbitmq", "redis"])
def broker_url(request: pytest.FixtureRequest) -> str:
    return BROKER_URLS[request.param]


@pytest.fixture
def delete_queues() -> Iterator[list[str]]:
    """Queue names to delete on RabbitMQ after the test (with their .DQ/.XQ)."""
    names: list[str] = []
    yield names
    if not names:
        return
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    channel = connection.channel()
    for name in names:
        for full in (name, f"{name}.DQ", f"{name}.XQ"):
            channel.queue_delete(full)
    connection.close()
