"""Each try runs in its own child process, forked from the warm worker process.

The parent has the DAG already imported (``DagCache``), so the fork costs a few milliseconds
and no re-import. The child dies with its parent (``PR_SET_PDEATHSIG``: a killed worker never
leaves a try running behind the scheduler's back), runs in its own process group (so a drain
can kill the task and whatever it started), drops the parent's database connections, calls
``tradewind.runtime.run_try.run_try`` and leaves with ``os._exit`` (no atexit handler of the
parent, no broker connection closed from the child).

When the child dies without recording a state (a crash, a kill, an ``os._exit`` in user code),
the parent retries or fails the try itself, as the scheduler's zombie detection would later.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
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
    "jinja2",
)


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

    def run(self, try_key: TryKey, fileloc: str) -> None:
        """Run a claimed try in a child process and wait for it."""
        try:
            task = self.dag_cache.task(fileloc, try_key.dag_id, try_key.task_id)
        except Exception as exc:
            self._fail_unfinished(try_key, None, f"cannot load the task: {exc}")
            return
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child
            self._child(task, try_key, parent)
        self.tracker.set_child(try_key, pid)
        status = self._wait(pid)
        if status != 0:
            self._fail_unfinished(try_key, task, _describe_exit(status))

    def _child(self, task: Any, try_key: TryKey, parent: int) -> None:
        code = 0
        try:
            _die_with_parent()
            if os.getppid() != parent:
                os._exit(1)
            os.setpgid(0, 0)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            self.metastore.engine.dispose(close=False)
            from tradewind.metastore.engine import set_default_metastore
            from tradewind.runtime.run_try import run_try

            set_default_metastore(self.metastore)
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


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"the try's process was killed by signal {signal.Signals(sig).name}"
    return f"the try's process exited with code {os.WEXITSTATUS(status)} without a final state"
