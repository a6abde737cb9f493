"""dramatiq's Redis broker, with early acks, batched publish and a consumer registry.

dramatiq's Redis layout (namespace ``dramatiq`` unless set): the queue is the list
``<ns>:<queue>`` of message ids plus the hash ``<ns>:<queue>.msgs``; a fetched message moves to
the ack set ``<ns>:__acks__.<broker id>.<queue>`` until acknowledged; rejected messages go to
``<ns>:<queue>.XQ``; each broker process heartbeats in the sorted set ``<ns>:__heartbeats__``,
and the ack sets of a process whose heartbeat is older than ``heartbeat_timeout`` are requeued.

Redis has no notion of "a consumer of this queue", so each consumer here also stamps
``<ns>:__tw_consumers__.<queue>`` (a sorted set: consumer id -> last poll, milliseconds), which
the queue statistics count.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable
from typing import Any

from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import current_millis
from dramatiq.message import Message

from broker_config.brokers.early_ack import already_acked, attach_early_ack

CONSUMER_STAMP_INTERVAL = 2.0


def consumers_key(namespace: str, queue_name: str) -> str:
    return f"{namespace}:__tw_consumers__.{queue_name}"


class TradewindRedisBroker(RedisBroker):
    @property
    def consumer_class(self) -> type:
        return _TradewindRedisConsumer

    def publish_many(self, messages: Iterable[Message]) -> int:
        """Publish in one pipeline round trip (dramatiq's enqueue script, pipelined)."""
        dispatch = self.scripts["dispatch"]
        pipe = self.client.pipeline(transaction=False)
        count = 0
        for message in messages:
            message = message.copy(options={"redis_message_id": str(uuid.uuid4())})
            self.emit_before("enqueue", message, None)
            args = [
                "enqueue",
                current_millis(),
                message.queue_name,
                self.broker_id,
                self.heartbeat_timeout,
                self.dead_message_ttl,
                0,
                self._max_unpack_size(),
                message.options["redis_message_id"],
                message.encode(),
            ]
            dispatch(args=args, keys=[self.namespace], client=pipe)
            count += 1
        if count:
            pipe.execute()
        return count


class _TradewindRedisConsumer(_RedisConsumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._consumer_id = f"{self.broker.broker_id}:{os.getpid()}:{id(self)}"
        self._stamped_at = 0.0

    def _stamp(self) -> None:
        now = time.monotonic()
        if now - self._stamped_at < CONSUMER_STAMP_INTERVAL:
            return
        self._stamped_at = now
        key = consumers_key(self.broker.namespace, self.queue_name)
        self.broker.client.zadd(key, {self._consumer_id: current_millis()})

    def __next__(self) -> Any:
        self._stamp()
        message = super().__next__()
        if message is not None:
            attach_early_ack(message, self)
        return message

    def ack(self, message: Any) -> None:
        if already_acked(message):
            self.queued_message_ids.discard(message.message_id)
            return
        super().ack(message)

    def nack(self, message: Any) -> None:
        if already_acked(message):
            self.queued_message_ids.discard(message.message_id)
            return
        super().nack(message)

    def close(self) -> None:
        try:
            key = consumers_key(self.broker.namespace, self.queue_name)
            self.broker.client.zrem(key, self._consumer_id)
        except Exception:
            pass
        super().close()
