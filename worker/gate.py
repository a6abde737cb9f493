"""Which queues this worker takes tries from right now, and whether it takes any.

The dashboard (through the worker row) and SIGTERM change it at runtime; the intake
middleware asks it before taking a message. A message that arrives for a queue the worker no
longer serves, or while it drains, is handed back: a copy is re-published to its queue and the
original acknowledged (a copy is equivalent, since a message holds only the try key, and the
claim keeps a try from running twice should both be delivered).
"""

from __future__ import annotations

import threading


class QueueGate:
    def __init__(self, queues: list[str]) -> None:
        self._lock = threading.Lock()
        self._queues = list(queues)
        self._draining = False

    @property
    def queues(self) -> list[str]:
        with self._lock:
            return list(self._queues)

    @property
    def draining(self) -> bool:
        return self._draining

    def accepts(self, broker_queue: str) -> bool:
        with self._lock:
            return not self._draining and broker_queue in self._queues

    def set_queues(self, queues: list[str]) -> tuple[list[str], list[str]]:
        """Replace the queue list; returns (added, removed)."""
        with self._lock:
            added = [q for q in queues if q not in self._queues]
            removed = [q for q in self._queues if q not in queues]
            self._queues = list(queues)
            return added, removed

    def drain(self) -> None:
        self._draining = True

    def resume(self) -> None:
        self._draining = False
