"""The scheduling loop: the only decider of what runs next.

One iteration, each step its own short transaction:

1. heartbeat this scheduler's row (throttled);
2. re-parse the DAG folder when ``dag_dir_list_interval`` has passed;
3. take the executor's finished tries; fail or retry those that died without a state;
4. create due DAG runs (schedules, catch-up) and dataset-triggered runs;
5. advance active runs (readiness, retries, run states), then run DAG callbacks of finished runs;
6. queue what fits the slots (``scheduled -> queued``), commit, hand over to the executor;
7. now and then: zombies and tries queued for too long.

Then it waits for a wake-up (a try ended, a run was triggered) for at most ``poll_interval``.
"""

from __future__ import annotations

import logging
import os
import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from scheduler import job
from scheduler.active_runs import advance_runs
from scheduler.dag_callbacks import run_dag_callbacks
from scheduler.executors.try_runner import TaskLoader
from scheduler.linger import linger_window
from scheduler.lost_tries import fail_unrecorded_tries
from scheduler.queueing import queue_scheduled
from scheduler.run_filter import RunFilter
from scheduler.spec_cache import SpecCache
from scheduler.zombies import check_lost_tries
from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.metastore.models import utcnow
from tradewind.metastore.statistics import refresh_if_stale
from tradewind.metastore.wakeup import WakeupListener, open_listener

if TYPE_CHECKING:
    from scheduler.dag_processor import DagProcessor
    from scheduler.executors.base import Executor
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)
HEARTBEAT_EVERY = 5.0
#: a metastore that keeps failing stops the scheduler after this many loops in a row
MAX_CONSECUTIVE_DB_FAILURES = 10


def _is_transient(exc: BaseException) -> bool:
    """A lost connection or a lock conflict: worth another loop; anything else is a bug."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


ZOMBIE_CHECK_EVERY = 10.0


@dataclass
class LoopStats:
    finished: int = 0
    created_runs: int = 0
    queued: int = 0
    active_runs: int = 0
    duration: float = 0.0
    next_check_at: datetime | None = None

    #: the queueing step filled every open slot it was given: there may be more to queue
    more_work: bool = False


class Scheduler:
    """One scheduler: a loop over the metastore driving one executor.

    ``only`` restricts it to some runs of one DAG (a backfill: no run creation, no DAG
    processor, pause ignored). Tests drive it with :meth:`run_once` or :meth:`run`.
    """

    def __init__(
        self,
        settings: Settings,
        metastore: Metastore,
        executor: Executor,
        *,
        dag_processor: DagProcessor | None = None,
        only: RunFilter | None = None,
        create_runs: bool = True,
        listen: bool = True,
    ) -> None:
        self.settings = settings
        self.metastore = metastore
        self.executor = executor
        self.dag_processor = dag_processor
        self.only = only
        self.create_runs = create_runs and only is None
        self.specs = SpecCache()
        self.callback_loader = TaskLoader(settings)
        self._listen = listen
        self._listener: WakeupListener | None = None
        self._job_id: int | None = None
        self._last_heartbeat = 0.0
        self._last_zombie_check = 0.0
        #: seconds between looks for zombies and tries queued for too long
        self.zombie_check_interval = min(
            ZOMBIE_CHECK_EVERY, settings.scheduler.zombie_threshold / 2
        )
        self._stop_requested = False
        self._stop_r, self._stop_w = os.pipe()
        os.set_blocking(self._stop_w, False)
        self._started = False
        self._notified = True
        self._finished_early: list = []
        #: tries queued or running that the last pass saw, and whether every queue they are
        #: in has a backlog (see ``_gather``)
        self._in_flight = 0
        self._backlog = 0  # tries waiting in the least busy queue with tries in flight
        self._last_create = 0.0
        self.iterations = 0

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        if self.only is None:
            self._job_id = job.register_job(self.metastore, self.settings.core.hostname)
        self.executor.start()
        if self._listen:
            self._listener = open_listener(self.metastore)

    def request_stop(self) -> None:
        """Ask the loop to stop after this iteration (safe from a signal handler)."""
        self._stop_requested = True
        try:
            os.write(self._stop_w, b"x")
        except OSError:
            pass

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def shutdown(self, *, graceful: bool = True) -> None:
        """Stop the executor; hand back whatever it still held (``-> scheduled``/``none``)."""
        held = list(getattr(self.executor, "running_keys", list)())
        try:
            self.executor.end(graceful=graceful)
        finally:
            self._hand_back(held)
            if self._listener is not None:
                self._listener.close()
            if self._job_id is not None:
                job.stop_job(self.metastore, self._job_id)
            for fd in (self._stop_r, self._stop_w):
                try:
                    os.close(fd)
                except OSError:
                    pass

    def _hand_back(self, held: list) -> None:
        from scheduler.handback import hand_back_tries

        with self.metastore.session() as session:
            hand_back_tries(session, held, now=utcnow())

    # -- running -------------------------------------------------------------------------------
    def run(
        self,
        *,
        until: Callable[[], bool] | None = None,
        timeout: float | None = None,
        max_iterations: int | None = None,
    ) -> bool:
        """Loop until a stop is requested, ``until()`` holds, ``timeout`` seconds pass or
        ``max_iterations`` ran. Returns True when ``until()`` held (or no ``until`` was given)."""
        self.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        count = 0
        failures = 0
        while not self._stop_requested:
            try:
                stats = self.run_once()
                failures = 0
            except Exception as exc:
                failures += 1
                if failures > MAX_CONSECUTIVE_DB_FAILURES or not _is_transient(exc):
                    raise
                log.warning("metastore error (%d in a row), retrying: %s", failures, exc)
                stats = LoopStats()
            count += 1
            if until is not None and until():
                return True
            if max_iterations is not None and count >= max_iterations:
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            self._wait(stats, deadline)
        return until is None

    def _wait(self, stats: LoopStats, deadline: float | None) -> None:
        """Sleep until something happened: a wake-up notification (trigger, unpause, a try
        recorded elsewhere), a try our executor saw end, a stop request, a retry coming due, or
        ``poll_interval``. Executor messages that end nothing (a worker became free) do not
        cost an iteration."""
        poll = self.settings.scheduler.poll_interval
        # the sequential executor runs what it holds in the next iteration: no sleeping then
        in_loop = getattr(self.executor, "runs_in_loop", False) and bool(
            getattr(self.executor, "running_keys", list)()
        )
        until = time.monotonic() + (0.0 if stats.more_work or in_loop else poll)
        if stats.next_check_at is not None:
            due_in = max(0.0, (stats.next_check_at - utcnow()).total_seconds())
            until = min(until, time.monotonic() + due_in)
        if deadline is not None:
            until = min(until, deadline)
        while not self._stop_requested:
            fds, listener_fd = self._wakeup_fds()
            fds.append(self._stop_r)
            left = until - time.monotonic()
            if left <= 0:
                return
            try:
                ready, _, _ = select.select(fds, [], [], left)
            except (InterruptedError, ValueError, OSError):
                return
            if not ready:
                return
            if self._stop_r in ready:
                return
            woken = False
            if self._listener is not None and listener_fd in ready and self._listener.drain():
                self._notified = woken = True
            finished = self.executor.collect_finished()
            if finished:
                self._finished_early.extend(finished)
                woken = True
            if woken:
                self._gather(until)
                return

    def _gather(self, until: float) -> None:
        """With other tries still running, linger a moment so that one iteration handles the
        ends of several (a lone chain is not delayed: nothing else is in flight). The tries in
        flight are the executor's own, or, for a fleet of workers, those the last pass saw
        queued or running (each of which wakes the scheduler when it ends). Behind a backlog
        of queued tries it lingers longer, the longer the backlog (:mod:`scheduler.linger`)."""
        in_flight = max(len(getattr(self.executor, "running_keys", list)()), self._in_flight)
        if in_flight < 2:
            return
        window = linger_window(self._backlog)
        limit = min(until, time.monotonic() + window)
        fds, listener_fd = self._wakeup_fds()
        while (left := limit - time.monotonic()) > 0 and not self._stop_requested:
            try:
                ready, _, _ = select.select(fds, [], [], left)
            except (InterruptedError, ValueError, OSError):
                return
            if listener_fd is not None and listener_fd in ready and self._listener is not None:
                self._notified = self._listener.drain() or self._notified
            if ready:
                self._finished_early.extend(self.executor.collect_finished())

    def _wakeup_fds(self) -> tuple[list[int], int | None]:
        """What ends a wait: the executor's descriptors and the wake-up listener's (if any)."""
        fds = list(getattr(self.executor, "wakeup_fds", list)())
        listener_fd = self._listener.fileno() if self._listener is not None else None
        if listener_fd is not None:
            fds.append(listener_fd)
        return fds, listener_fd

    def run_once(self) -> LoopStats:
        """One iteration of the loop (see the module docstring)."""
        self.start()
        started = time.monotonic()
        stats = LoopStats()
        self.iterations += 1
        now = utcnow()
        processed = False
        if self.dag_processor is not None and self.dag_processor.due():
            try:
                processed = bool(self.dag_processor.process())
            except Exception:  # e.g. two schedulers syncing the same new version at once
                log.exception("processing the DAG folder failed; trying again next interval")
        finished = self._finished_early + self.executor.collect_finished()
        self._finished_early = []
        stats.finished = len(finished)
        mono = time.monotonic()
        poll = self.settings.scheduler.poll_interval
        timed = self.create_runs and (processed or mono - self._last_create >= poll)
        if timed:
            self._last_create = mono
            stats.created_runs = self._create_runs(now, scheduled=True, datasets=True)
        # A wake-up (a try recorded elsewhere, a trigger) or a finished producer may have left
        # a dataset event: look for dataset-triggered runs in the advancing transaction. New
        # manual runs need nothing here; scheduled ones are looked for every poll_interval.
        datasets = (
            self.create_runs
            and not timed
            and (
                self._notified or any(self.specs.has_outlets(k.dag_id, k.task_id) for k in finished)
            )
        )
        self._notified = False
        (
            stats.active_runs,
            stats.next_check_at,
            stats.queued,
            stats.more_work,
        ) = self._advance_and_queue(now, finished, datasets=datasets)
        self._maybe_check_zombies(now)
        stats.duration = time.monotonic() - started
        self._maybe_heartbeat(stats.duration)
        return stats

    # -- steps ---------------------------------------------------------------------------------
    def _maybe_heartbeat(self, duration: float) -> None:
        if self._job_id is None:
            return
        mono = time.monotonic()
        if mono - self._last_heartbeat >= HEARTBEAT_EVERY:
            self._last_heartbeat = mono
            job.heartbeat_job(self.metastore, self._job_id, duration)

    def _create_runs(self, now: datetime, *, scheduled: bool, datasets: bool) -> int:
        from scheduler.dagruns import create_due_runs
        from scheduler.datasets import create_dataset_runs

        created = 0
        with self.metastore.session() as session:
            if scheduled:
                created += create_due_runs(session, self.specs, now=now, settings=self.settings)
            if datasets:
                created += create_dataset_runs(session, self.specs, now=now)
        return created

    def _advance_and_queue(
        self, now: datetime, finished: list[TryKey], *, datasets: bool = False
    ) -> tuple[int, datetime | None, int, bool]:
        """Fail lost tries, create dataset runs, advance the active runs and queue what fits,
        in one short transaction (on the hot path after a try ends, every commit counts);
        the queued tries go to the executor after the commit."""
        from scheduler.datasets import create_dataset_runs

        open_slots = self.executor.open_slots()
        with self.metastore.session() as session:
            if datasets:
                create_dataset_runs(session, self.specs, now=now)
            if finished:
                fail_unrecorded_tries(session, self.executor, self.specs, finished, now)
            result = advance_runs(
                session,
                self.specs,
                now=now,
                only=self.only,
                allow_future=self.settings.core.allow_trigger_in_future,
            )
            tries = []
            if open_slots > 0 and (result.active or result.schedulable):
                tries = queue_scheduled(
                    session,
                    open_slots=open_slots,
                    now=utcnow(),
                    only=self.only,
                    parallelism=self.settings.scheduler.parallelism,
                )
        self._in_flight = result.in_flight + len(tries)
        self._backlog = result.backlog(tries)
        if tries:
            self.executor.queue_tries(tries)
        if result.started_tasks:  # after the publish: a first claim may run without it
            refresh_if_stale(self.metastore, result.started_tasks)
        if any(f.has_callback for f in result.finished):
            run_dag_callbacks(self.metastore, self.callback_loader, result.finished)
        more = bool(tries) and len(tries) >= open_slots and self.executor.open_slots() > 0
        return result.active, result.next_check_at, len(tries), more

    def _maybe_check_zombies(self, now: datetime) -> None:
        mono = time.monotonic()
        if mono - self._last_zombie_check < self.zombie_check_interval:
            return
        self._last_zombie_check = mono
        in_hand = [
            TaskInstanceKey(*tuple(k)[:4]) for k in getattr(self.executor, "running_keys", list)()
        ]
        check_lost_tries(self.metastore, self.specs, self.settings.scheduler, now, in_hand)
