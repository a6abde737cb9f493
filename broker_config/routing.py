"""Queue routing: which broker queue a try's message goes to, and how it is built and published.

A task names a queue (``queue="high_cpu"``; tasks that name none use
``TRADEWIND__BROKER__DEFAULT_QUEUE``, ``default``). The broker queue is that name behind
``TRADEWIND__BROKER__QUEUE_PREFIX`` (empty by default; a prefix lets several fleets or test runs
share one broker). Every message is addressed to the one actor, ``run_task_try``: the actor is
the same everywhere, only the message's ``queue_name`` differs, so a worker runs whatever arrives
on the queues it subscribed to.

Durability and dead letters are dramatiq's: queues are declared durable with a dead-letter route
to ``<queue>.XQ``; messages are persistent; a message the worker rejects (an invalid schema) is
nacked and lands in ``<queue>.XQ`` rather than being lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from broker_config.messages import ACTOR_NAME, encode_task_message
from tradewind.core.keys import TryKey
from tradewind.errors import BrokerError

if TYPE_CHECKING:
    from dramatiq import Broker
    from dramatiq.message import Message

_QUEUE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,199}$")
_RESERVED_SUFFIXES = (".DQ", ".XQ")


def validate_queue_name(name: str) -> str:
    """A queue name both brokers accept; raises BrokerError naming it."""
    if not _QUEUE_NAME.match(name or "") or name.endswith(_RESERVED_SUFFIXES):
        raise BrokerError(
            f"queue name {name!r} is not allowed",
            hint="start with a letter or '_', then letters, digits, '_', '-' or '.', "
            "at most 200 characters, "
            "not ending in .DQ or .XQ",
        )
    if name.startswith("amq."):
        raise BrokerError(f"queue name {name!r} is reserved by RabbitMQ (amq.*)")
    return name


def parse_queue_list(text: str | Sequence[str]) -> list[str]:
    """``"high_cpu, default"`` -> ``["high_cpu", "default"]`` (order kept, duplicates dropped)."""
    items = text.split(",") if isinstance(text, str) else list(text)
    out: list[str] = []
    for item in items:
        name = item.strip()
        if name and name not in out:
            out.append(validate_queue_name(name))
    return out


@dataclass(frozen=True)
class Router:
    """Maps task queues to broker queues and builds task messages."""

    default_queue: str = "default"
    prefix: str = ""

    @classmethod
    def from_settings(cls, settings: object) -> Router:
        broker = settings.broker  # type: ignore[attr-defined]
        return cls(default_queue=broker.default_queue, prefix=broker.queue_prefix)

    def task_queue(self, queue: str | None) -> str:
        """The logical queue of a task (its own, or the default)."""
        return validate_queue_name(queue or self.default_queue)

    def broker_queue(self, queue: str | None) -> str:
        """The queue name on the broker for a task queue."""
        return validate_queue_name(self.prefix + self.task_queue(queue))

    def task_queue_of(self, broker_queue: str) -> str:
        """The logical name of a broker queue (the prefix removed)."""
        if self.prefix and broker_queue.startswith(self.prefix):
            return broker_queue[len(self.prefix) :]
        return broker_queue

    def message(self, try_key: TryKey, queue: str | None) -> Message:
        """The dramatiq message that asks a worker on ``queue`` to run ``try_key``."""
        from dramatiq.message import Message

        return Message(
            queue_name=self.broker_queue(queue),
            actor_name=ACTOR_NAME,
            args=(),
            kwargs=encode_task_message(try_key),
            options={},
        )


def publish(broker: Broker, messages: Iterable[Message]) -> int:
    """Publish messages, batched where the broker can (one channel / one Redis pipeline)."""
    batch = list(messages)
    for name in {m.queue_name for m in batch}:
        broker.declare_queue(name)
    many = getattr(broker, "publish_many", None)
    if many is not None:
        return int(many(batch))
    for message in batch:
        broker.enqueue(message)
    return len(batch)
