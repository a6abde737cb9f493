"""The worker's dispatcher: one thread that claims, starts and records every try of the worker.

A dramatiq worker thread hands its try to the dispatcher (a :class:`TryJob`) and sleeps until
the try ended. The dispatcher works for all threads at once:

- the tries handed over together are claimed by one statement (``claim_and_start_many``) and
  their messages acknowledged together;
- each claimed try is sent to an idle warm try process (``worker.try_pool``), forked when none
  is free;
- one ``select`` waits on every running try's process; the outcomes that arrive together are
  written by one statement (``record_finishes``), which also wakes the scheduler once;
- a process that dies without an outcome, or outlives its ``execution_timeout`` by
  ``HARD_TIMEOUT_GRACE`` seconds, has its try retried or failed (``on_unfinished``).

Why one thread: a no-op try's own work is a fraction of a millisecond, and the cost of running
one was dominated by wake-ups (a thread per try waiting on its process and on each statement,
all contending for the worker's GIL) and by one Postgres statement per claim and per finish.
Batching those, on one thread that sleeps only when nothing is ready, is what lets a worker keep
up with the broker. Importing a DAG file stays on the worker thread (``LOAD``): it may take
seconds, and the dispatcher never waits on it.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from broker_config.brokers.early_ack import ack_now_many
from tradewind.core.keys import TryKey
from worker.frames import exited, receive, send
from worker.try_job import ALONE, DROPPED, LOAD, RAN, TryJob, describe_exit
from worker.try_pool import IDLE_EXIT_CODE, TryContext, TryProcess

if TYPE_CHECKING:
    from worker.tracker import RunningTries, WorkerIdentity

log = logging.getLogger(__name__)
#: how often the dispatcher checks that a busy try process is alive when its pipe is quiet
ALIVE_CHECK_SECONDS = 0.5
#: seconds past ``execution_timeout`` after which the worker kills a try's process itself
#: (the process's own timer failed to stop the task, e.g. stuck in C code)
HARD_TIMEOUT_GRACE = 30.0


@dataclass(eq=False)
class _Running:
    job: TryJob
    process: TryProcess
    #: a ``time.monotonic()`` past which the process is killed (None: no execution_timeout)
    deadline: float | None
    received: bool = False
    recorded: bool = False
    #: the process sent its outcome with the end of the try (``final``): no answer, no ``done``
    final: bool = False
    retire: bool = False
    attempts: int = 1


class Dispatcher:
    def __init__(
        self,
        context: TryContext,
        identity: WorkerIdentity,
        tracker: RunningTries,
        on_unfinished: Callable[[TryKey, Any, str], None],
    ) -> None:
        self.context = context
        self.identity = identity
        self.tracker = tracker
        self.on_unfinished = on_unfinished
        self._inbox: list[TryJob] = []
        self._inbox_lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._running: dict[int, _Running] = {}  # by the process's reply pipe
        self._idle: list[TryProcess] = []
        self._stopping = False
        #: when the running tries' processes and deadlines are looked at next
        self._next_check = 0.0
        self._thread = threading.Thread(target=self._loop, name="tradewind-dispatcher", daemon=True)
        self._thread.start()

    # -- the worker threads' side ------------------------------------------------------------
    def submit(self, job: TryJob) -> None:
        job.done.clear()
        with self._inbox_lock:
            self._inbox.append(job)
            first = len(self._inbox) == 1
        if first:  # later ones find the dispatcher awake already
            os.write(self._wake_w, b"x")

    def wait(self, job: TryJob) -> None:
        while not job.done.wait(1.0):
            if not self._thread.is_alive():
                raise RuntimeError("the worker's dispatcher thread stopped")

    def pid_of(self, try_key: TryKey, tracked_pid: int) -> int | None:
        """The process running ``try_key`` now: the warm one it was sent to, while it runs
        there; ``tracked_pid`` when that is a one-try fork. None when the try is not running
        in a process any more (a warm process may be running another try by now)."""
        for running in list(self._running.values()):
            if running.job.try_key == try_key:
                return running.process.pid
        warm = {p.pid for p in list(self._idle)} | {
            r.process.pid for r in list(self._running.values())
        }
        return tracked_pid if tracked_pid and tracked_pid not in warm else None

    def close(self) -> None:
        """Stop the thread, with the try processes; a try still running is killed (the worker
        is stopping and handed its tries back already)."""
        self._stopping = True
        os.write(self._wake_w, b"x")
        self._thread.join(30)

    # -- the loop ----------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            try:
                if self._step():
                    break
            except Exception:  # never leave a worker thread waiting for nothing
                log.exception("the try dispatcher failed; going on")
                time.sleep(0.1)
        for running in list(self._running.values()):
            self._end(running, killed=True)
        for process in self._idle:
            process.stop()
        self._idle.clear()

    def _step(self) -> bool:
        """Wait for something to do and do it; True when the thread should end."""
        fds = [self._wake_r, *self._running]
        ready, _, _ = select.select(fds, [], [], self._timeout())
        if self._wake_r in ready:
            try:
                os.read(self._wake_r, 4096)
            except BlockingIOError:
                pass
        with self._inbox_lock:
            jobs, self._inbox = self._inbox, []
        if jobs:
            self._take(jobs)
        plans: list[tuple[_Running, Any]] = []
        for fd in ready:
            running = self._running.get(fd)
            if running is not None:
                self._hear(running, plans)
        if plans:
            self._record(plans)
        if time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + ALIVE_CHECK_SECONDS
            self._check_running()
            self._retire_idle()
        return self._stopping

    def _timeout(self) -> float | None:
        if self._running:
            return max(0.0, self._next_check - time.monotonic())
        return 5.0 if self._idle else None

    # -- claiming and starting ---------------------------------------------------------------
    def _take(self, jobs: list[TryJob]) -> None:
        to_claim: dict[TryKey, TryJob] = {}
        for job in jobs:
            if job.start is not None:
                self._start(job)
            elif job.try_key in to_claim:  # the same try twice in one batch: a duplicate
                self._drop(job)
            else:
                to_claim[job.try_key] = job
        if to_claim:
            self._claim(to_claim)

    def _claim(self, jobs: dict[TryKey, TryJob]) -> None:
        from tradewind.runtime.try_start import TryStart, claim_and_start_many

        try:
            starts = claim_and_start_many(
                self.context.metastore,
                list(jobs),
                hostname=self.identity.hostname,
                worker_name=self.identity.name,
                pid=self.identity.pid,
            )
        except Exception as exc:
            for job in jobs.values():
                job.error = exc
                job.finish(DROPPED)
            return
        claimed = [jobs[key] for key, start in starts.items() if start is not None]
        ack_now_many([job.message for job in claimed if job.message is not None])
        for key, job in jobs.items():
            start = starts.get(key)
            if start is None:
                self._drop(job)
            elif not isinstance(start, TryStart):
                job.finish(ALONE)  # cannot happen right after the claim: the try reads it
            else:
                job.start, job.fileloc = start, start.fileloc or ""
                self._start(job)

    def _drop(self, job: TryJob) -> None:
        log.info(
            "dropping message for %s: not queued at that try (duplicate or stale)", job.try_key
        )
        job.finish(DROPPED)

    def _start(self, job: TryJob, attempts: int = 1) -> None:
        try:
            self._send(job, attempts)
        except Exception as exc:  # e.g. no process could be forked: the try must not hang
            log.exception("could not start %s", job.try_key)
            self._unfinished(job, f"the try could not be started: {exc}")

    def _unfinished(self, job: TryJob, reason: str) -> None:
        try:
            self.on_unfinished(job.try_key, job.task, reason)
        except Exception:
            log.exception("could not fail %s", job.try_key)
        job.finish(RAN)

    def _send(self, job: TryJob, attempts: int) -> None:
        key = job.try_key
        cache = self.context.dag_cache
        if job.task is None:
            found = cache.fresh_task(job.fileloc, key.dag_id, key.task_id)
            if found is None:  # the worker thread imports the file, then hands it back
                job.finish(LOAD)
                return
            job.task, generation = found
        else:  # the worker thread has just imported it
            generation = cache.generation_of(job.fileloc, key.dag_id)
        process = self._process_for(generation)
        self.tracker.set_child(key, process.pid)
        try:
            send(process.requests, (key, job.fileloc, job.start))
        except OSError:  # it exited as the try was sent: another one takes it
            process.stop()
            if attempts < 2:
                self._send(job, attempts + 1)
            else:
                self._unfinished(job, "no try process could be started")
            return
        deadline = _deadline(job.task)
        self._running[process.replies] = _Running(job, process, deadline, attempts=attempts)

    def _process_for(self, generation: int) -> TryProcess:
        """An idle warm try process that holds the DAG's import, or a new one."""
        while self._idle:
            process = self._idle.pop()
            if not process.stale(generation):
                return process
            process.stop()
        others = [*self._idle, *(r.process for r in self._running.values())]
        return TryProcess.fork(self.context, others, close=(self._wake_r, self._wake_w))

    # -- running tries -----------------------------------------------------------------------
    def _hear(self, running: _Running, plans: list[tuple[_Running, Any]]) -> None:
        message = receive(running.process.replies, running.process.pid)
        if isinstance(message, tuple) and message[0] in ("plan", "final"):
            running.received = True
            running.final = message[0] == "final"
            running.retire = running.final and bool(message[2])
            plans.append((running, message[1]))
        elif isinstance(message, tuple) and message[0] == "done":
            self._end(running, retire=bool(message[1]))
        elif message is None:  # the process is gone (crashed, killed, or exited idle)
            self._end(running, gone=True)

    def _record(self, plans: list[tuple[_Running, Any]]) -> None:
        """Write the outcomes (one statement for the common ones), then tell each process."""
        from tradewind.runtime.try_record import record_finishes

        written: set[TryKey] = set()
        try:
            written = record_finishes(
                self.context.metastore,
                [(r.job.try_key, r.job.start, plan) for r, plan in plans],
                hostname=self.identity.hostname,
                notify=True,
            )
            for running, _ in plans:
                running.recorded = True
        except Exception:
            log.exception("could not record the outcome of %d tries", len(plans))
        for running, plan in plans:
            moved = running.job.try_key in written
            running.job.notified = moved
            if running.final:  # the try is over; its process waits for the next one
                if running.recorded and not moved:
                    log.warning(
                        "The state of %s was changed while it ran: not recording %s",
                        running.job.try_key,
                        plan.state.value,
                    )
                self._end(running, retire=running.retire)
                continue
            try:  # the process waits for this answer, even when the write failed
                send(running.process.requests, plan.state.value if moved else None)
            except OSError:
                pass

    def _check_running(self) -> None:
        """End the tries whose process outlived its deadline, or exited with a quiet pipe
        (a grandchild may hold the pipe open: the process itself is watched)."""
        now = time.monotonic()
        for running in list(self._running.values()):
            if running.deadline is not None and now >= running.deadline:
                log.error(
                    "%s outlived its execution_timeout: killing its process", running.job.try_key
                )
                self._end(running, killed=True)
            elif exited(running.process.pid):
                ready, _, _ = select.select([running.process.replies], [], [], 0)
                if not ready:
                    self._end(running, gone=True)

    def _end(
        self, running: _Running, *, retire: bool = False, gone: bool = False, killed: bool = False
    ) -> None:
        self._running.pop(running.process.replies, None)
        process, job = running.process, running.job
        process.tries += 1
        process.last_used = time.monotonic()
        limit = self.context.settings.worker.max_tries_per_process
        status = 0
        if gone or killed or retire or (limit and process.tries >= limit):
            status = process.stop(kill=killed or gone)
        else:
            self._idle.append(process)
        if gone and not running.received and _exited_idle(status) and running.attempts < 2:
            self._start(job, running.attempts + 1)  # it exited idle before reading the try
            return
        if not running.recorded:
            if killed:
                reason = "the try's process was killed after exceeding its execution_timeout"
            elif status != 0:
                reason = describe_exit(status)
            else:
                reason = "its outcome was not recorded"
            self._unfinished(job, reason)
            return
        job.finish(RAN)

    def _retire_idle(self) -> None:
        for process in [p for p in self._idle if p.stale(generation=0)]:
            self._idle.remove(process)
            process.stop()


def _deadline(task: Any) -> float | None:
    timeout = getattr(task, "execution_timeout", None)
    if isinstance(timeout, timedelta):
        timeout = timeout.total_seconds()
    if not isinstance(timeout, int | float) or timeout <= 0:
        return None
    return time.monotonic() + timeout + HARD_TIMEOUT_GRACE


def _exited_idle(status: int) -> bool:
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == IDLE_EXIT_CODE
