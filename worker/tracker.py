"""What this worker process is doing right now: its identity and the tries it runs."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from tradewind.core.keys import TryKey


@dataclass(frozen=True)
class WorkerIdentity:
    """How the worker names itself in the metastore and in task records."""

    name: str
    hostname: str
    pid: int
    version: str
    queues: tuple[str, ...]
    concurrency: int


@dataclass
class RunningTry:
    try_key: TryKey
    queue: str
    started: float = field(default_factory=time.monotonic)
    #: the child process running it (0 until forked)
    child_pid: int = 0


class RunningTries:
    """Thread-safe registry of the tries this process runs (for heartbeats, drain, the row)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tries: dict[TryKey, RunningTry] = {}
        self._idle = threading.Condition(self._lock)

    def add(self, try_key: TryKey, queue: str) -> RunningTry:
        with self._lock:
            entry = self._tries[try_key] = RunningTry(try_key, queue)
            return entry

    def set_child(self, try_key: TryKey, pid: int) -> None:
        with self._lock:
            if try_key in self._tries:
                self._tries[try_key].child_pid = pid

    def remove(self, try_key: TryKey) -> None:
        with self._lock:
            self._tries.pop(try_key, None)
            if not self._tries:
                self._idle.notify_all()

    def snapshot(self) -> list[RunningTry]:
        with self._lock:
            return list(self._tries.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._tries)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing runs or ``timeout`` seconds passed; True when idle."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._tries:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
            return True
