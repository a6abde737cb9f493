"""Running a claimed try in a process of its own, and writing its outcome.

Each try runs in a warm try process (``worker.try_pool``), forked from the worker with the DAG
already imported and reused by the same worker thread for its next tries, so a crashing or
leaking task cannot take the worker down, and ``execution_timeout`` can kill it.

The metastore work of a try is done here, in the worker, on its pooled connection, in two
transactions: the claim reads what the try needs to start (``worker.claim``), and the try's
process sends the outcome (a picklable ``FinishPlan``) back on its pipe for the worker to write
(state, XCom, history, dataset events and the scheduler's wake-up in one transaction); the
process then hears which state was written and runs the callbacks. A no-op try so opens no
connection and compiles no SQL in the try process.

When the process dies without recording a state (a crash, a kill, an ``os._exit`` in user code),
or outlives its ``execution_timeout`` by :data:`HARD_TIMEOUT_GRACE` seconds, the worker retries
or fails the try itself, as the scheduler's zombie detection would later.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from worker.frames import Deadline, receive, send
from worker.try_pool import TAKEN, TryContext, TryProcess, prepare_child, wait_for

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore
    from worker.dag_cache import DagCache
    from worker.tracker import RunningTries, WorkerIdentity

log = logging.getLogger(__name__)
#: imported once in the worker so that every forked try process starts warm
WARM_MODULES = (
    "tradewind.runtime.run_try",
    "tradewind.runtime.callbacks",
    "tradewind.runtime.context",
    "tradewind.runtime.task_instance",
    "tradewind.runtime.task_log",
    "tradewind.runtime.timeout",
    "tradewind.runtime.datasets",
    "tradewind.runtime.dataset_events",
    "tradewind.runtime.email",
    "tradewind.templating",
    "tradewind.templating.render",
    "tradewind.templating.accessors",
    "tradewind.metastore.xcoms",
    "tradewind.metastore.runs",
    "tradewind.metastore.transitions",
    "tradewind.metastore.wakeup",
    "tradewind.core.backoff",
    "tradewind.sdk.python_callable",
    "tradewind.templating.environment",
    "tradewind.templating.filters",
    "tradewind.templating.macros",
    "jinja2",
    "jinja2.sandbox",
    "jinja2.nativetypes",
    "jinja2.ext",
)
#: seconds past ``execution_timeout`` after which the worker kills a try's process itself
#: (the process's own timer failed to stop the task, e.g. stuck in C code)
HARD_TIMEOUT_GRACE = 30.0


def warm_up() -> None:
    """Import what a try needs, in the worker, before any fork."""
    import importlib

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            log.debug("cannot preload %s", name, exc_info=True)


class TryProcessRunner:
    def __init__(
        self,
        *,
        metastore: Metastore,
        settings: Settings,
        identity: WorkerIdentity,
        dag_cache: DagCache,
        tracker: RunningTries,
    ) -> None:
        self.metastore = metastore
        self.settings = settings
        self.identity = identity
        self.dag_cache = dag_cache
        self.tracker = tracker
        self.context = TryContext(metastore, settings, identity.hostname, dag_cache)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._processes: set[TryProcess] = set()
        warm_up()

    def run(self, try_key: TryKey, fileloc: str, *, start: Any = None) -> bool:
        """Run a claimed try in a try process and wait for it.

        ``start`` (a ``TryStart`` read with the claim) has this process write the try's outcome;
        without it a one-try child reads and writes everything itself. Returns True when the
        scheduler was woken with the outcome already.
        """
        try:
            task = self.dag_cache.task(fileloc, try_key.dag_id, try_key.task_id)
            generation = self.dag_cache.generation_of(fileloc, try_key.dag_id)
        except Exception as exc:
            self._fail_unfinished(try_key, None, f"cannot load the task: {exc}")
            return False
        if start is None:
            self._run_alone(task, try_key)
            return False
        for attempt in (1, 2):
            process = self._process_for(generation)
            self.tracker.set_child(try_key, process.pid)
            try:
                send(process.requests, (try_key, fileloc, start))
                taken = receive(process.replies, process.pid) == TAKEN
            except OSError:
                taken = False
            if taken:
                break
            self._retire(process)  # it exited (idle) as the try was sent: another one takes it
            if attempt == 2:
                self._fail_unfinished(try_key, task, "no try process could be started")
                return False
        return self._follow(process, try_key, task, start)

    def _follow(self, process: TryProcess, try_key: TryKey, task: Any, start: Any) -> bool:
        """Write the outcome the process sends; retire the process unless it ended cleanly."""
        notified = recorded = ended = killed = False
        retire = True
        try:
            message = receive(process.replies, process.pid, self._deadline(task))
            if isinstance(message, tuple) and message[0] == "plan":
                state = None
                try:
                    state = self._record(try_key, start, message[1])
                    recorded = True
                    notified = state is not None
                finally:  # the process waits for this answer, even when the write failed
                    send(process.requests, state.value if state is not None else None)
                message = receive(process.replies, process.pid)
            if isinstance(message, tuple) and message[0] == "done":
                ended = True
                retire = bool(message[1])
        except Deadline:
            killed = True
            log.error("%s outlived its execution_timeout: killing its process", try_key)
        except OSError:
            pass
        process.tries += 1
        process.last_used = time.monotonic()
        limit = self.settings.worker.max_tries_per_process
        if retire or (limit and process.tries >= limit):
            status = self._retire(process, kill=killed or not ended)
        else:
            status = 0
        if not recorded:
            if killed:
                reason = "the try's process was killed after exceeding its execution_timeout"
            elif status != 0:
                reason = _describe_exit(status)
            else:
                reason = "its outcome was not recorded"
            self._fail_unfinished(try_key, task, reason)
        return notified

    def _process_for(self, generation: int) -> TryProcess:
        """This thread's try process, forked anew when missing, stale or gone."""
        process: TryProcess | None = getattr(self._local, "process", None)
        if process is not None and process.stale(generation):
            self._retire(process)
            process = None
        if process is None:
            with self._lock:
                others = list(self._processes)
            process = TryProcess.fork(self.context, others)
            with self._lock:
                self._processes.add(process)
            self._local.process = process
        return process

    def _retire(self, process: TryProcess, *, kill: bool = False) -> int:
        if getattr(self._local, "process", None) is process:
            self._local.process = None
        with self._lock:
            self._processes.discard(process)
        return process.stop(kill=kill)

    def close(self) -> None:
        """Stop every try process (the worker is stopping; none runs a try any more)."""
        with self._lock:
            processes = list(self._processes)
            self._processes.clear()
        for process in processes:
            process.stop()

    @staticmethod
    def _deadline(task: Any) -> float | None:
        timeout = getattr(task, "execution_timeout", None)
        if isinstance(timeout, timedelta):
            timeout = timeout.total_seconds()
        if not isinstance(timeout, int | float) or timeout <= 0:
            return None
        return time.monotonic() + timeout + HARD_TIMEOUT_GRACE

    def _run_alone(self, task: Any, try_key: TryKey) -> None:
        """A one-try child that reads and writes everything itself (no start read yet)."""
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                prepare_child(self.context, parent)
                from tradewind.runtime.run_try import run_try

                run_try(
                    self.metastore,
                    task,
                    try_key,
                    settings=self.settings,
                    hostname=self.identity.hostname,
                    worker_name=self.identity.name,
                )
            except BaseException:
                log.exception("try %s crashed in its process", try_key)
                code = 1
            finally:
                os._exit(code)
        self.tracker.set_child(try_key, pid)
        status = wait_for(pid)
        if status != 0:
            self._fail_unfinished(try_key, task, _describe_exit(status))

    def _record(self, try_key: TryKey, start: Any, plan: Any) -> TaskState | None:
        """Write the child's outcome, with the scheduler's wake-up, in one transaction."""
        from tradewind.runtime.try_record import record_finish

        if record_finish(
            self.metastore, try_key, start, plan, hostname=self.identity.hostname, notify=True
        ):
            return plan.state
        return None

    def _fail_unfinished(self, try_key: TryKey, task: Any, reason: str) -> None:
        """The child ended without a final state: retry or fail the try (compare-and-set)."""
        from sqlalchemy import select

        from tradewind.metastore.models import TaskInstance
        from tradewind.metastore.transitions import record_try, set_task_state

        now = datetime.now(UTC)
        with self.metastore.session() as session:
            row = session.execute(
                select(TaskInstance.state, TaskInstance.max_tries).where(
                    TaskInstance.dag_id == try_key.dag_id,
                    TaskInstance.run_id == try_key.run_id,
                    TaskInstance.task_id == try_key.task_id,
                    TaskInstance.map_index == try_key.map_index,
                    TaskInstance.try_number == try_key.try_number,
                )
            ).first()
            if row is None or row.state != TaskState.RUNNING.value:
                return
            retry = try_key.try_number <= row.max_tries
            delay = getattr(task, "retry_delay", None) if task is not None else None
            extra: dict[str, Any] = {}
            if retry:
                seconds = delay.total_seconds() if isinstance(delay, timedelta) else 0.0
                extra["next_try_at"] = now + timedelta(seconds=seconds)
            to = TaskState.UP_FOR_RETRY if retry else TaskState.FAILED
            if set_task_state(
                session,
                try_key.ti_key,
                to,
                expected=[TaskState.RUNNING],
                try_number=try_key.try_number,
                end_date=now,
                **extra,
            ):
                record_try(session, try_key, TaskState.FAILED, end_date=now, error=reason)
                log.warning("%s: %s -> %s", try_key, reason, to.value)

    def kill(self, pid: int, grace: float = 5.0) -> None:
        """Stop a try's process group: SIGTERM, then SIGKILL after ``grace`` seconds."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 0.0)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    os.killpg(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"the try's process was killed by signal {signal.Signals(sig).name}"
    return f"the try's process exited with code {os.WEXITSTATUS(status)} without a final state"
