"""The executor contract: how a try the scheduler queued gets run.

The scheduler moves a task instance ``scheduled -> queued`` (compare-and-set, committed) and then
hands its :class:`QueuedTry` to the executor. Whoever runs it claims it (``queued -> running``)
through ``tradewind.runtime.claim.claim_try`` and runs it with ``tradewind.runtime.run_try``, which
writes the final state. The executor never writes a state itself.

Three executors implement it: ``sequential`` and ``local`` (this package) and ``broker``
(``scheduler/executors/broker.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from tradewind.core.keys import TryKey


@dataclass(frozen=True)
class QueuedTry:
    """One try handed to an executor: what to run, on which queue, how urgent, from which file."""

    try_key: TryKey
    queue: str = "default"
    priority: int = 1
    fileloc: str = ""


@runtime_checkable
class Executor(Protocol):
    """What the scheduler loop needs from an executor.

    - ``start()`` once before the first ``queue_tries``;
    - ``queue_tries(tries)`` hands over tries already committed as ``queued``; it must not block
      on running them (the sequential executor runs them in ``collect_finished``);
    - ``open_slots()`` is how many more tries it takes now (``parallelism`` minus those in hand);
    - ``collect_finished()`` returns the tries whose execution this executor knows has ended
      since the last call (a process exited, a worker acknowledged). The loop wakes on them and,
      when such a task instance is still ``queued``/``running`` at that try number (the process
      died before recording a state), fails or retries it. An executor that cannot know when a
      try ends (a remote fleet whose workers record their own states) returns ``[]``;
    - ``end(graceful)`` stops: graceful waits for the tries in hand, otherwise they are killed
      and the loop hands them back (``running/queued -> scheduled``).
    """

    def start(self) -> None: ...

    def queue_tries(self, tries: list[QueuedTry]) -> None: ...

    def open_slots(self) -> int: ...

    def collect_finished(self) -> list[TryKey]: ...

    def end(self, graceful: bool = True) -> None: ...


class BaseExecutor:
    """Optional base class with the defaults of the extras the loop asks for with ``getattr``."""

    def wakeup_fds(self) -> list[int]:
        """File descriptors that become readable when a try ends (the loop selects on them)."""
        return []

    def running_keys(self) -> list[TryKey]:
        """Tries in this executor's hands (queued to it and not finished yet)."""
        return []

    def unrecorded(self, keys: list[TryKey]) -> list[TryKey]:
        """Of ``keys`` (from ``collect_finished``), those that may have ended without recording
        a state (the loop checks these in the metastore). Default: all of them."""
        return keys
