"""The broker executor (``TRADEWIND__SCHEDULER__EXECUTOR=broker``): publish each queued try to
its queue, where the fleet's workers take it.

- ``queue_tries`` publishes one message per try (``broker_config.routing``), batched: one channel
  on RabbitMQ, one pipeline on Redis. The tries are already committed ``queued``; if publishing
  fails the error is logged and the scheduler's queued-timeout check re-queues them.
- ``open_slots`` is large: the workers' ``-c`` bounds what runs on each, and the scheduler
  enforces parallelism, pools and ``max_active_tasks`` fleet-wide from the metastore's counts.
- ``collect_finished`` returns ``[]``: workers record their own states and wake the scheduler
  themselves (``worker.wakeup``); lost tries are the zombie detection's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scheduler.executors.base import BaseExecutor, QueuedTry
from tradewind.core.keys import TryKey

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)
OPEN_SLOTS = 100_000
#: tries published before the rest of a pass's messages are built
FIRST_CHUNK = 16


class BrokerExecutor(BaseExecutor):
    def __init__(self, settings: Settings, metastore: Metastore) -> None:
        from broker_config.routing import Router

        self.settings = settings
        self.metastore = metastore
        self.router = Router.from_settings(settings)
        self.broker: Any = None
        self.published = 0

    def start(self) -> None:
        self.broker = self._build()

    def _build(self) -> Any:
        from broker_config.factory import build_broker

        return build_broker(
            self.settings.broker.url, consumer_timeout_ms=self.settings.broker.consumer_timeout_ms
        )

    def queue_tries(self, tries: list[QueuedTry]) -> None:
        # the first few go out before the rest are even built: workers start on a big batch
        # while it is still being published
        for chunk in (tries[:FIRST_CHUNK], tries[FIRST_CHUNK:]):
            if chunk:
                self._publish(chunk)

    def _publish(self, tries: list[QueuedTry]) -> None:
        from broker_config.routing import publish

        messages = [self.router.message(t.try_key, t.queue) for t in tries]
        for attempt in (1, 2):
            try:
                self.published += publish(self.broker, messages)
                return
            except Exception as exc:
                log.warning("publishing %d tries failed (attempt %d): %s", len(tries), attempt, exc)
                try:
                    self.broker.close()
                except Exception:
                    pass
                try:
                    self.broker = self._build()
                except Exception as build_exc:
                    log.error("broker unavailable: %s", build_exc)
                    break
        log.error(
            "%d tries stay queued without a message; the queued-timeout check re-queues them",
            len(tries),
        )

    def open_slots(self) -> int:
        return OPEN_SLOTS

    def collect_finished(self) -> list[TryKey]:
        return []

    def end(self, graceful: bool = True) -> None:
        if self.broker is not None:
            self.broker.close()
            self.broker = None
