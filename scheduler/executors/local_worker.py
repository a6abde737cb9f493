"""The local executor's worker process (forked by :mod:`scheduler.executors.local`).

A worker receives tries on its pipe, one at a time. Each try runs in its own process, forked
ahead of time (a *spare*: warm imports, the DAG files this worker has seen, its own process
group), so that starting a try costs no fork. While the try runs, the worker heartbeats it and
forks the next spare; the try's process reports ``ended`` as soon as its state is recorded and
the worker reports ``free`` once the process is gone.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
from typing import TYPE_CHECKING, Any

from scheduler.executors.base import QueuedTry
from scheduler.executors.try_heartbeat import heartbeat_try
from scheduler.executors.try_runner import TaskLoader, claim, run_claimed
from tradewind.core.keys import TryKey

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)
#: what the executor sends to stop a worker
STOP = None

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
    "tradewind.runtime.try_start",
    "tradewind.metastore.transitions_pg",
    "tradewind.metastore.prepared",
    "tradewind.runtime.callbacks",
    "tradewind.runtime.context",
    "tradewind.runtime.task_instance",
    "tradewind.runtime.task_log",
    "tradewind.runtime.timeout",
    "tradewind.runtime.datasets",
    "tradewind.runtime.dataset_events",
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
    from tradewind.runtime.try_start import claim_and_start

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            log.debug("cannot pre-import %s", name, exc_info=True)
    store = Metastore(settings.database.url, pool_size=1)
    try:
        # compiles the claim's statements; claims nothing
        claim_and_start(store, TryKey("", "", "", -1, 0), hostname="", worker_name=None, pid=0)
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
        if store.dialect == "sqlite":  # open the connection early (a server's are counted)
            with store.engine.connect():
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


def worker_main(conn: Connection, settings: Settings, parent_metastore: Metastore) -> None:
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
        start = claim(store, queued, hostname=hostname)
        if start is not None:
            run_claimed(store, settings, task, queued, hostname=hostname, start=start)
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
