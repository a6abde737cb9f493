"""Running a worker's tries in processes of their own, and writing their outcomes.

Each try runs in a warm try process (``worker.try_pool``), forked from the worker with the DAG
already imported and reused for later tries, so a crashing or leaking task cannot take the
worker down, and ``execution_timeout`` can kill it. The worker's dispatcher thread
(``worker.dispatch``) claims the tries, hands them to the processes and writes their outcomes,
for all of the worker's threads at once; a worker thread hands its try over and waits
(:meth:`TryProcessRunner.run_message`), importing the DAG file itself when the dispatcher asks.

The metastore work of a try is done in the worker, on its pooled connections: the claim reads
what the try needs to start, and the try's process sends the outcome (a picklable
``FinishPlan``) back on its pipe for the worker to write (state, XCom, history, dataset events
and the scheduler's wake-up in one transaction); the process then hears which state was written
and runs the callbacks. A no-op try so opens no connection and compiles no SQL in the try
process.

When the process dies without recording a state (a crash, a kill, an ``os._exit`` in user code),
or outlives its ``execution_timeout`` by ``HARD_TIMEOUT_GRACE`` seconds, the worker retries or
fails the try itself (:meth:`TryProcessRunner.fail_unfinished`), as the scheduler's zombie
detection would later.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.runtime.process_groups import terminate_group
from worker.dispatch import Dispatcher
from worker.try_job import ALONE, LOAD, TryJob, describe_exit
from worker.try_pool import TryContext, prepare_child, wait_for

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
        warm_up()
        self.context = TryContext(metastore, settings, identity.hostname, dag_cache)
        self.dispatcher = Dispatcher(self.context, identity, tracker, self.fail_unfinished)

    def run_message(self, try_key: TryKey, message: Any) -> bool:
        """Claim the try of a dramatiq ``message``, acknowledge the message, run the try and
        record it; returns True when the scheduler was woken with the outcome already. A
        duplicate or stale message runs nothing."""
        return self._run(TryJob(try_key, message=message))

    def run(self, try_key: TryKey, fileloc: str, *, start: Any = None) -> bool:
        """Run a try claimed already and wait for it (``start``: the ``TryStart`` read with the
        claim; without it a one-try child reads and writes everything itself)."""
        return self._run(TryJob(try_key, start=start, fileloc=fileloc), claimed=True)

    def _run(self, job: TryJob, *, claimed: bool = False) -> bool:
        key = job.try_key
        if claimed and job.start is None:
            return self._alone(job)
        while True:
            self.dispatcher.submit(job)
            self.dispatcher.wait(job)
            if job.error is not None:
                raise job.error
            if job.result != LOAD:
                break
            try:  # imported here, on the worker thread: it may take seconds
                job.task = self.dag_cache.task(job.fileloc, key.dag_id, key.task_id)
            except Exception as exc:
                self.fail_unfinished(key, None, f"cannot load the task: {exc}")
                return False
        if job.result == ALONE:
            return self._alone(job)
        return job.notified

    def _alone(self, job: TryJob) -> bool:
        """Run the try in a one-try child that reads and writes everything itself."""
        key = job.try_key
        fileloc = job.fileloc or _fileloc(self.metastore, key.dag_id)
        try:
            task = self.dag_cache.task(fileloc, key.dag_id, key.task_id)
        except Exception as exc:
            self.fail_unfinished(key, None, f"cannot load the task: {exc}")
            return False
        self._run_alone(task, key)
        return False

    def close(self) -> None:
        """Stop the dispatcher and every try process (the worker is stopping)."""
        self.dispatcher.close()

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
            self.fail_unfinished(try_key, task, describe_exit(status))

    def fail_unfinished(self, try_key: TryKey, task: Any, reason: str) -> None:
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
        terminate_group(pid, grace)


def _fileloc(metastore: Metastore, dag_id: str) -> str:
    from sqlalchemy import select

    from tradewind.metastore.models import DagModel

    with metastore.session() as session:
        query = select(DagModel.fileloc).where(DagModel.dag_id == dag_id)
        return session.execute(query).scalar() or ""
