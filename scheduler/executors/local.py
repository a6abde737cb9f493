"""The local executor: up to ``parallelism`` tries at once on this machine, on SQLite too.

The scheduler's process forks warm worker processes (on demand, at most ``parallelism``). A
worker keeps the DAG files it has imported and, for each try, forks once more: the try runs in
its own process group, so a crashing or hanging task cannot take the pool down and can be killed
as a whole. While the try runs, the worker heartbeats its task instance; when it ends, the worker
reports on its pipe, which the scheduler loop selects on, so the loop wakes at once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import select
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scheduler.executors.base import BaseExecutor, QueuedTry
from scheduler.executors.try_heartbeat import heartbeat_try
from scheduler.executors.try_runner import TaskLoader, claim, run_claimed
from tradewind.core.keys import TryKey

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)
STOP = None


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
            target=_worker_main,
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


# -- the worker process ----------------------------------------------------------------------
_child_pid: int | None = None
_spare_pid: int | None = None
_stopping = False


def _on_sigterm(_signum: int, _frame: Any) -> None:
    global _stopping
    _stopping = True
    if _child_pid is not None:
        try:
            os.killpg(_child_pid, signal.SIGTERM)
        except OSError:
            pass
    if _spare_pid is not None:  # idle: it has nothing to lose
        try:
            os.kill(_spare_pid, signal.SIGKILL)
        except OSError:
            pass


#: imported by each worker before it forks, so that a try's process starts warm
WARM_MODULES = (
    "tradewind.runtime.run_try",
    "tradewind.runtime.claim",
    "tradewind.runtime.callbacks",
    "tradewind.runtime.context",
    "tradewind.runtime.task_instance",
    "tradewind.runtime.task_log",
    "tradewind.runtime.timeout",
    "tradewind.runtime.datasets",
    "tradewind.templating.render",
    "tradewind.templating.macros",
    "tradewind.metastore.xcoms",
    "tradewind.metastore.runs",
    "tradewind.core.backoff",
)


def _warm_up(settings: Settings) -> Metastore:
    """Import what a try needs and initialise a metastore engine (then close its connection):
    each forked try process inherits both and only opens its own connection."""
    import importlib

    from tradewind.metastore.engine import Metastore
    from tradewind.runtime.claim import claim_try

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            log.debug("cannot pre-import %s", name, exc_info=True)
    store = Metastore(settings.database.url, pool_size=1)
    try:
        with store.session() as session:  # compiles the claim's statements; claims nothing
            claim_try(session, TryKey("", "", "", -1, 0), hostname="", pid=0)
    except Exception:
        log.debug("metastore warm-up failed", exc_info=True)
    store.engine.dispose()
    return store


class _Spare:
    """A try process forked ahead of time (its own process group), blocked on a pipe until the
    worker hands it a try: the fork is off the path from one task's end to the next's start."""

    def __init__(self, loader: TaskLoader, settings: Settings, conn: Connection, store: Metastore):
        read_end, self._write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._write_end)
            _spare_main(read_end, loader, settings, conn, store)
        os.close(read_end)

    def start(self, message: tuple[Any, ...]) -> None:
        import pickle

        data = pickle.dumps(message)
        os.write(self._write_end, len(data).to_bytes(4, "big") + data)
        os.close(self._write_end)

    def discard(self) -> None:
        os.close(self._write_end)  # the spare reads EOF and exits
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _spare_main(
    read_end: int, loader: TaskLoader, settings: Settings, conn: Connection, store: Metastore
) -> None:
    code = 1
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        with store.engine.connect():  # open this process's connection before it is needed
            pass
        with os.fdopen(read_end, "rb") as pipe:
            header = pipe.read(4)
            if len(header) < 4:
                os._exit(0)  # discarded
            import pickle

            key_tuple, queue, fileloc = pickle.loads(pipe.read(int.from_bytes(header, "big")))
        queued = QueuedTry(TryKey(*key_tuple), queue=queue, fileloc=fileloc)
        task = loader.get_task(fileloc, queued.try_key.dag_id, queued.try_key.task_id)
        code = 0
    except BaseException:
        log.exception("a try process could not start")
        os._exit(code)
    _try_child(queued, task, settings, conn, store)


def _worker_main(conn: Connection, settings: Settings, parent_metastore: Metastore) -> None:
    # ``parent_metastore`` stays referenced and untouched: the scheduler's connections are its
    # own, and dropping the objects here could close them under it.
    global _spare_pid
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the scheduler's to handle
    signal.signal(signal.SIGTERM, _on_sigterm)
    loader = TaskLoader(settings)
    try_store = _warm_up(settings)
    heartbeat_store: list[Metastore] = []
    spare = _Spare(loader, settings, conn, try_store)
    _spare_pid = spare.pid
    try:
        while not _stopping:
            try:
                message = conn.recv()
            except (EOFError, OSError, KeyboardInterrupt):
                return
            if message is STOP:
                return
            key_tuple, queue, fileloc = message
            queued = QueuedTry(TryKey(*key_tuple), queue=queue, fileloc=fileloc)
            running, spare = spare, None
            running.start(message)
            try:  # while the try runs: warm the next spare (this file parsed, then forked)
                loader.get_task(fileloc, queued.try_key.dag_id, queued.try_key.task_id)
            except Exception:
                pass
            spare = _Spare(loader, settings, conn, try_store)
            _spare_pid = spare.pid
            code = _wait_for_try(running.pid, queued, settings, heartbeat_store)
            try:
                conn.send(("free", key_tuple, code))
            except OSError:
                return
    finally:
        if spare is not None:
            spare.discard()
        del parent_metastore


def _wait_for_try(
    pid: int, queued: QueuedTry, settings: Settings, heartbeat_store: list[Metastore]
) -> int:
    """Heartbeat the try while its process runs; returns the process's exit code."""
    global _child_pid
    _child_pid = pid
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            ready, _, _ = select.select([pidfd], [], [], settings.worker.heartbeat_interval)
            if ready:
                break
            heartbeat_try(settings, heartbeat_store, queued.try_key)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(pidfd)
        _child_pid = None
    return os.waitstatus_to_exitcode(status)


def _try_child(
    queued: QueuedTry, task: Any, settings: Settings, conn: Connection, store: Metastore
) -> None:
    code = 1
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        from tradewind.metastore.engine import set_default_metastore

        # the try's log goes to its own file, not to the scheduler's console
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        set_default_metastore(store)
        hostname = settings.core.hostname
        if claim(store, queued, hostname=hostname):
            run_claimed(store, settings, task, queued, hostname=hostname)
            conn.send(("ended", tuple(queued.try_key), 0))
        code = 0
    except BaseException:
        log.exception("try %s crashed outside the task runner", queued.try_key)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)
