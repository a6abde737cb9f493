"""Statistics of the in-process broker."""

from __future__ import annotations

from collections.abc import Sequence

from broker_config.brokers.memory import MemoryBroker
from broker_config.stats.base import QueueStat


class MemoryQueueStats:
    def __init__(self, broker: MemoryBroker) -> None:
        self.broker = broker

    def stats(self, queues: Sequence[str]) -> list[QueueStat]:
        out = []
        for name in queues:
            queue = self.broker.queues.get(name)
            depth = queue.qsize() if queue is not None else 0
            pending = queue.unfinished_tasks if queue is not None else 0
            dead = len(self.broker.dead_letters_by_queue.get(name, []))
            out.append(QueueStat(name, depth, max(0, pending - depth), 0, dead))
        return out

    def close(self) -> None:
        pass
