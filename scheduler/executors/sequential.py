"""The sequential executor: one try at a time, in the scheduler's own process (for debugging)."""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING

from scheduler.executors.base import BaseExecutor, QueuedTry
from scheduler.executors.try_runner import TaskLoader, claim, run_claimed
from tradewind.core.keys import TryKey

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


class SequentialExecutor(BaseExecutor):
    """Runs the tries it is given inside :meth:`collect_finished`, one after the other."""

    #: tells the loop not to sleep while tries wait here
    runs_in_loop = True

    def __init__(self, settings: Settings, metastore: Metastore) -> None:
        self.settings = settings
        self.metastore = metastore
        self._pending: deque[QueuedTry] = deque()
        self._loader = TaskLoader(settings)

    def start(self) -> None:
        pass

    def queue_tries(self, tries: list[QueuedTry]) -> None:
        self._pending.extend(sorted(tries, key=lambda q: -q.priority))

    def open_slots(self) -> int:
        return 0 if self._pending else 1

    def running_keys(self) -> list[TryKey]:
        return [q.try_key for q in self._pending]

    def collect_finished(self) -> list[TryKey]:
        finished: list[TryKey] = []
        while self._pending:
            queued = self._pending.popleft()
            self._run(queued)
            finished.append(queued.try_key)
        return finished

    def _run(self, queued: QueuedTry) -> None:
        hostname = self.settings.core.hostname
        try:
            task = self._loader.get_task(
                queued.fileloc, queued.try_key.dag_id, queued.try_key.task_id
            )
        except Exception as exc:
            log.error("cannot load %s: %s", queued.try_key, exc)
            return  # still queued: the loop fails or retries it
        start = claim(self.metastore, queued, hostname=hostname)
        if start is None:
            return
        try:
            run_claimed(self.metastore, self.settings, task, queued, hostname=hostname, start=start)
        except Exception:
            log.exception("try %s crashed outside the task runner", queued.try_key)

    def end(self, graceful: bool = True) -> None:
        if graceful:
            self.collect_finished()
        self._pending.clear()
