"""The local executor: up to ``parallelism`` tries at once on this machine, on SQLite too.

The scheduler's process forks warm worker processes (on demand, at most ``parallelism``; see
:mod:`scheduler.executors.local_worker`). Each try runs in a process of its own, in its own
process group, so a crashing or hanging task cannot take the pool down and can be killed as a
whole. Workers report on their pipes, which the scheduler loop selects on, so it wakes the moment
a try has recorded its state.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scheduler.executors.base import BaseExecutor, QueuedTry
from scheduler.executors.local_worker import STOP, worker_main
from tradewind.core.keys import TryKey

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    current: QueuedTry | None = None
    sent_at: float = field(default=0.0)


class LocalExecutor(BaseExecutor):
    """A pool of forked worker processes, each running one try at a time in a forked child."""

    def __init__(
        self, settings: Settings, metastore: Metastore, *, parallelism: int | None = None
    ) -> None:
        self.settings = settings
        self.metastore = metastore
        self.parallelism = max(1, parallelism or settings.scheduler.parallelism)
        self._ctx = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []
        self._pending: deque[QueuedTry] = deque()
        self._finished: list[TryKey] = []
        self._reported: set[TryKey] = set()
        #: tries whose process said it recorded their state
        self._clean: set[TryKey] = set()
        #: seconds a graceful ``end`` waits for running tries before killing them
        self.grace_period: float | None = None

    # -- the protocol ------------------------------------------------------------------------
    def start(self) -> None:
        pass  # workers are forked when the first tries arrive

    def queue_tries(self, tries: list[QueuedTry]) -> None:
        self._pending.extend(sorted(tries, key=lambda q: -q.priority))
        self._dispatch()

    def open_slots(self) -> int:
        busy = sum(1 for w in self._workers if w.current is not None)
        return max(0, self.parallelism - busy - len(self._pending))

    def collect_finished(self) -> list[TryKey]:
        for worker in list(self._workers):
            self._read(worker)
        self._dispatch()
        finished, self._finished = self._finished, []
        return finished

    def end(self, graceful: bool = True) -> None:
        """Stop the workers: graceful lets running tries finish (for at most ``grace_period``
        seconds, when set); otherwise, or after that, their process groups get SIGTERM."""
        self._pending.clear()
        for worker in self._workers:
            try:
                worker.conn.send(STOP)
            except OSError:
                pass
        wait = None if graceful else 0.0
        if graceful and self.grace_period is not None:
            wait = self.grace_period
        deadline = None if wait is None else time.monotonic() + wait
        for worker in self._workers:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            worker.process.join(timeout=left)
        for worker in self._workers:
            if worker.process.is_alive():
                os.kill(worker.process.pid, signal.SIGTERM)  # kills its try's process group
        for worker in list(self._workers):
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            self._read(worker)
        self._workers.clear()

    # -- extras the loop uses ----------------------------------------------------------------
    def wakeup_fds(self) -> list[int]:
        fds: list[int] = []
        for worker in self._workers:
            fds.append(worker.conn.fileno())
            fds.append(worker.process.sentinel)
        return fds

    def unrecorded(self, keys: list[TryKey]) -> list[TryKey]:
        unknown = [k for k in keys if k not in self._clean]
        self._clean.difference_update(keys)
        return unknown

    def running_keys(self) -> list[TryKey]:
        keys = [w.current.try_key for w in self._workers if w.current is not None]
        return keys + [q.try_key for q in self._pending]

    # -- internals ---------------------------------------------------------------------------
    def _dispatch(self) -> None:
        while self._pending:
            worker = next((w for w in self._workers if w.current is None), None)
            if worker is None:
                if len(self._workers) >= self.parallelism:
                    return
                worker = self._spawn()
            queued = self._pending.popleft()
            try:
                worker.conn.send((tuple(queued.try_key), queued.queue, queued.fileloc))
                worker.current = queued
            except OSError:
                self._pending.appendleft(queued)
                self._retire(worker)

    def _spawn(self) -> _Worker:
        parent_end, child_end = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker_main,
            args=(child_end, self.settings, self.metastore),
            name="tradewind-local-worker",
            daemon=True,
        )
        process.start()
        child_end.close()
        worker = _Worker(process=process, conn=parent_end)
        self._workers.append(worker)
        return worker

    def _read(self, worker: _Worker) -> None:
        """``ended``: the try's process recorded its state (sent by the try process itself, so
        the loop wakes before the process has even exited); ``free``: the worker is idle."""
        try:
            while worker.conn.poll():
                kind, key_tuple, _code = worker.conn.recv()
                key = TryKey(*key_tuple)
                if kind == "ended":
                    self._finished.append(key)
                    self._reported.add(key)
                    self._clean.add(key)
                elif kind == "free":
                    if key not in self._reported:
                        self._finished.append(key)
                    self._reported.discard(key)
                    worker.current = None
        except (EOFError, OSError):
            self._retire(worker)
            return
        if not worker.process.is_alive():
            self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        """A worker process died: what it ran has ended (the loop looks at its state)."""
        if worker.current is not None:
            self._finished.append(worker.current.try_key)
            worker.current = None
        if worker in self._workers:
            self._workers.remove(worker)
        worker.conn.close()
        worker.process.join(timeout=1)
