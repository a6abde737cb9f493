"""Each try runs in its own child process, forked from the warm worker process.

The parent has the DAG already imported (``DagCache``) and its Jinja environment built, so the
fork costs a few milliseconds and no re-import. The child dies with its parent
(``PR_SET_PDEATHSIG``: a killed worker never leaves a try running behind the scheduler's back),
runs in its own process group (so a drain can kill the task and whatever it started), drops the
parent's database connections (a task that uses the metastore opens its own), runs the task
through ``tradewind.runtime.run_try.run_started_try`` and leaves with ``os._exit`` (no atexit
handler of the parent, no broker connection closed from the child).

The metastore work of a try is done by the parent, on its pooled connection, in two
transactions: the claim reads what the try needs to start (``worker.claim``), and the child
sends the outcome (a picklable ``FinishPlan``) back on a pipe for the parent to write (state,
XCom, history, dataset events and the scheduler's wake-up in one transaction); the child then
hears which state was written and runs the callbacks. A no-op try so opens no connection and
compiles no SQL in its short-lived process.

When the child dies without recording a state (a crash, a kill, an ``os._exit`` in user code),
the parent retries or fails the try itself, as the scheduler's zombie detection would later.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import pickle
import select
import signal
import struct
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore
    from worker.dag_cache import DagCache
    from worker.tracker import RunningTries, WorkerIdentity

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
#: imported once in the worker so that every forked try starts warm (a no-op try would
#: otherwise spend most of its time importing these in each child)
WARM_MODULES = (
    "tradewind.runtime.run_try",
    "tradewind.runtime.callbacks",
    "tradewind.runtime.context",
    "tradewind.runtime.task_instance",
    "tradewind.runtime.task_log",
    "tradewind.runtime.timeout",
    "tradewind.runtime.datasets",
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
#: how often the parent checks that a try's process is alive while waiting for its outcome
_ALIVE_CHECK_SECONDS = 0.5
_LENGTH = struct.Struct("!I")


def warm_up() -> None:
    """Import what a try needs, in the parent, before any fork."""
    import importlib

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            log.debug("cannot preload %s", name, exc_info=True)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:  # not Linux: the heartbeat-based zombie detection still covers it
        pass


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
        warm_up()

    def run(self, try_key: TryKey, fileloc: str, *, start: Any = None) -> bool:
        """Run a claimed try in a child process and wait for it.

        ``start`` (a ``TryStart`` read with the claim) has this process write the try's outcome;
        without it the child reads and writes everything itself. Returns True when the
        scheduler was woken with the outcome already.
        """
        try:
            task = self.dag_cache.task(fileloc, try_key.dag_id, try_key.task_id)
        except Exception as exc:
            self._fail_unfinished(try_key, None, f"cannot load the task: {exc}")
            return False
        parent = os.getpid()
        if start is None:
            pid = os.fork()
            if pid == 0:  # the child
                self._child(task, try_key, parent)
            self.tracker.set_child(try_key, pid)
            status = self._wait(pid)
            if status != 0:
                self._fail_unfinished(try_key, task, _describe_exit(status))
            return False
        to_parent_r, to_parent_w = os.pipe()
        to_child_r, to_child_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(to_parent_r)
            os.close(to_child_w)
            self._child(task, try_key, parent, start=start, pipe=(to_child_r, to_parent_w))
        os.close(to_parent_w)
        os.close(to_child_r)
        self.tracker.set_child(try_key, pid)
        notified = recorded = False
        try:
            plan = _receive(to_parent_r, pid)
            if plan is not None:
                state = None
                try:
                    state = self._record(try_key, start, plan)
                    recorded = True
                    notified = state is not None
                finally:  # the child waits for this answer, even when the write failed
                    _send(to_child_w, state.value if state is not None else None)
        finally:
            os.close(to_parent_r)
            os.close(to_child_w)
            status = self._wait(pid)
        if status != 0 or not recorded:
            reason = _describe_exit(status) if status != 0 else "its outcome was not recorded"
            self._fail_unfinished(try_key, task, reason)
        return notified

    def _record(self, try_key: TryKey, start: Any, plan: Any) -> TaskState | None:
        """Write the child's outcome, with the scheduler's wake-up, in one transaction."""
        from tradewind.runtime.try_record import write_finish

        with self.metastore.session() as session:
            if write_finish(
                session, try_key, start, plan, hostname=self.identity.hostname, notify=True
            ):
                return plan.state
            session.rollback()
            return None

    def _child(
        self,
        task: Any,
        try_key: TryKey,
        parent: int,
        *,
        start: Any = None,
        pipe: tuple[int, int] | None = None,
    ) -> None:
        code = 0
        try:
            gc.freeze()  # the inherited heap is never collected here: no copy-on-write for it
            _die_with_parent()
            if os.getppid() != parent:
                os._exit(1)
            os.setpgid(0, 0)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            self.metastore.engine.dispose(close=False)
            from tradewind.metastore.engine import set_default_metastore
            from tradewind.runtime.run_try import run_started_try, run_try

            set_default_metastore(self.metastore)
            if start is None or pipe is None:
                run_try(
                    self.metastore,
                    task,
                    try_key,
                    settings=self.settings,
                    hostname=self.identity.hostname,
                    worker_name=self.identity.name,
                )
            else:
                answers, outcomes = pipe

                def record(plan: Any) -> TaskState | None:
                    _send(outcomes, plan)
                    value = _receive(answers, None)
                    return TaskState(value) if value is not None else None

                run_started_try(
                    self.metastore,
                    task,
                    try_key,
                    start,
                    record=record,
                    settings=self.settings,
                    hostname=self.identity.hostname,
                )
        except BaseException:
            log.exception("try %s crashed in its process", try_key)
            code = 1
        finally:
            try:
                import sys

                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    @staticmethod
    def _wait(pid: int) -> int:
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                return status
            except ChildProcessError:
                return 0
            except InterruptedError:
                continue

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


def _send(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exact(fd: int, size: int, pid: int | None) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        if pid is not None:  # a grandchild may hold the pipe open: watch the child itself
            ready, _, _ = select.select([fd], [], [], _ALIVE_CHECK_SECONDS)
            if not ready:
                if not _exited(pid):
                    continue
                ready, _, _ = select.select([fd], [], [], 0)  # exited: take what it wrote
                if not ready:
                    return None
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _exited(pid: int) -> bool:
    """Whether process ``pid`` has exited (it stays waitable: ``_wait`` reaps it)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _receive(fd: int, pid: int | None) -> Any:
    """The next message on ``fd`` (None at end of file, or when process ``pid`` exited)."""
    try:
        head = _read_exact(fd, _LENGTH.size, pid)
        if head is None:
            return None
        body = _read_exact(fd, _LENGTH.unpack(head)[0], pid)
        return pickle.loads(body) if body is not None else None
    except (OSError, ChildProcessError, EOFError, pickle.UnpicklingError):
        return None


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"the try's process was killed by signal {signal.Signals(sig).name}"
    return f"the try's process exited with code {os.WEXITSTATUS(status)} without a final state"
