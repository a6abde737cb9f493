"""Queue statistics for the dashboard: one contract, one backend per broker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from dramatiq import Broker


@dataclass(frozen=True)
class QueueStat:
    """One queue: messages waiting, delivered but not acknowledged, and consumers.

    ``in_flight`` is None when the broker cannot tell (RabbitMQ without its management API).
    """

    queue: str
    depth: int
    in_flight: int | None
    consumers: int
    dead_letters: int = 0


@runtime_checkable
class QueueStats(Protocol):
    def stats(self, queues: Sequence[str]) -> list[QueueStat]:
        """Statistics of these broker queues (a missing queue counts as empty)."""

    def close(self) -> None: ...


def queue_stats_for(broker: Broker, *, management_url: str | None = None) -> QueueStats:
    """The statistics backend for ``broker`` (RabbitMQ, Redis or the in-memory one)."""
    from broker_config.brokers.memory import MemoryBroker

    if isinstance(broker, MemoryBroker):
        from broker_config.stats.memory import MemoryQueueStats

        return MemoryQueueStats(broker)
    from dramatiq.brokers.redis import RedisBroker

    if isinstance(broker, RedisBroker):
        from broker_config.stats.redis import RedisQueueStats

        return RedisQueueStats(broker)
    from broker_config.stats.rabbitmq import RabbitmqQueueStats

    return RabbitmqQueueStats(broker, management_url=management_url)
