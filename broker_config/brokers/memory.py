"""The in-process broker (``memory://``): dramatiq's StubBroker, for tests and the embedded
default. Messages live in this process only; it has no early ack (a lost process loses them,
and nothing else could have consumed them anyway)."""

from __future__ import annotations

from collections.abc import Iterable

from dramatiq.brokers.stub import StubBroker
from dramatiq.message import Message


class MemoryBroker(StubBroker):
    def publish_many(self, messages: Iterable[Message]) -> int:
        count = 0
        for message in messages:
            self.enqueue(message)
            count += 1
        return count
