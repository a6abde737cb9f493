"""Redis queue statistics from dramatiq's key layout (see ``broker_config.brokers.redis``).

- depth: ``LLEN <ns>:<queue>``;
- in flight: the sizes of the ack sets ``<ns>:__acks__.<broker id>.<queue>`` of every broker
  process whose heartbeat in ``<ns>:__heartbeats__`` is recent;
- consumers: entries of ``<ns>:__tw_consumers__.<queue>`` stamped within the heartbeat timeout;
- dead letters: ``ZCARD <ns>:<queue>.XQ`` (dramatiq keeps dead letters in a sorted set).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dramatiq.common import current_millis, xq_name

from broker_config.brokers.redis import consumers_key
from broker_config.stats.base import QueueStat


class RedisQueueStats:
    def __init__(self, broker: Any) -> None:
        self.client = broker.client
        self.namespace = broker.namespace
        self.heartbeat_timeout = broker.heartbeat_timeout

    def stats(self, queues: Sequence[str]) -> list[QueueStat]:
        """One MULTI/EXEC per call, so the numbers of a queue are one consistent snapshot."""
        ns = self.namespace
        cutoff = current_millis() - self.heartbeat_timeout
        live = [
            b.decode() if isinstance(b, bytes) else b
            for b in self.client.zrangebyscore(f"{ns}:__heartbeats__", cutoff, "+inf")
        ]
        pipe = self.client.pipeline(transaction=True)
        for name in queues:
            pipe.llen(f"{ns}:{name}")
            for broker_id in live:
                pipe.scard(f"{ns}:__acks__.{broker_id}.{name}")
            pipe.zcount(consumers_key(ns, name), cutoff, "+inf")
            pipe.zcard(f"{ns}:{xq_name(name)}")
        values = iter(pipe.execute())
        out = []
        for name in queues:
            depth = int(next(values))
            in_flight = sum(int(next(values)) for _ in live)
            consumers = int(next(values))
            dead = int(next(values))
            out.append(QueueStat(name, depth, in_flight, consumers, dead))
        return out

    def close(self) -> None:
        pass
