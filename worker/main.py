"""``tradewind worker``: one process consuming the queues it serves, at most ``-c`` tries at once.

Assembly (all built here, at start, from settings; nothing at import): a broker from
``broker.url`` with Tradewind's middleware (schema validation -> intake -> wake-up), the one actor,
a dramatiq ``Worker`` with ``-c`` threads (each thread runs one try at a time in its own warm
try process, ``worker.try_pool``, so at most ``-c`` at once), the log server, and the worker
row. The main thread then loops every ``worker.heartbeat_interval``: heartbeats the running
tries and the row, and applies the dashboard's requests (drain, resume, queues).

SIGTERM (or Ctrl-C) drains: stop taking tries, let running ones finish for up to
``worker.drain_grace_period`` seconds, then hand the rest back (``running -> scheduled`` for the
same try number, then kill their processes) so the scheduler queues them again; a second SIGTERM
hands back at once. SIGKILL cannot be caught: the try processes die with the worker
(``PR_SET_PDEATHSIG``), their heartbeats stop, and the scheduler's zombie detection retries them;
unclaimed messages the worker had prefetched are redelivered by the broker.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tradewind.core.states import TaskState

if TYPE_CHECKING:
    from tradewind.config import Settings

log = logging.getLogger(__name__)
#: unclaimed messages a worker holds per queue, as a multiple of its ``-c``. Messages are
#: acknowledged at the claim, so only messages waiting for a busy worker's free thread count:
#: one per thread lets every free thread claim at once (with 1, claims were serialized behind
#: one broker round trip each: a few starts per second), while a saturated worker still holds
#: at most ``-c`` messages back from idle ones (redelivered if it dies before claiming them).
QUEUE_PREFETCH_PER_THREAD = 1
#: how often idle dramatiq threads look up (ms): bounds how fast a drain or stop takes effect
WORKER_TIMEOUT_MS = 500
#: a paused or failed consumer is restarted after this many seconds (dramatiq's default: 3)
CONSUMER_RESTART_DELAY = 1.0


@dataclass(frozen=True)
class WorkerOptions:
    queues: list[str]
    concurrency: int
    name: str | None = None


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("tradewind")
    except Exception:
        return "0"


class WorkerProcess:
    def __init__(self, settings: Settings, options: WorkerOptions) -> None:
        from broker_config.routing import Router
        from tradewind.metastore.engine import Metastore
        from worker.gate import QueueGate
        from worker.tracker import RunningTries, WorkerIdentity

        self.settings = settings
        self.router = Router.from_settings(settings)
        queues = [self.router.task_queue(q) for q in options.queues] or [
            self.router.task_queue(None)
        ]
        hostname = settings.core.hostname
        self.identity = WorkerIdentity(
            name=options.name or f"{hostname}-{os.getpid()}",
            hostname=hostname,
            pid=os.getpid(),
            version=_version(),
            queues=tuple(queues),
            concurrency=max(1, options.concurrency),
        )
        db = settings.database
        # every thread holds a connection while it claims or records a try, plus the heartbeat:
        # a smaller pool would close and reopen connections (a new Postgres backend each) all day
        self.metastore = Metastore(
            db.url, pool_size=max(db.pool_size, self.identity.concurrency + 2), echo=db.echo
        )
        self.tracker = RunningTries()
        self.gate = QueueGate([self.router.broker_queue(q) for q in queues])
        self._wake = threading.Event()
        self._shutdown_requested = 0
        self._drain_deadline: float | None = None
        self._dashboard_drain = False
        self.broker: Any = None
        self.worker: Any = None
        self.log_server: Any = None
        self.runner: Any = None

    # -- assembly --------------------------------------------------------------------------
    def start(self) -> None:
        from dramatiq import Worker
        from dramatiq.middleware import Retries

        from broker_config.factory import build_broker
        from broker_config.middleware import TaskMessageValidation
        from worker.actor import declare_actor
        from worker.dag_cache import DagCache
        from worker.intake import IntakeMiddleware
        from worker.log_server import LogServer
        from worker.process import TryProcessRunner
        from worker.registry import register
        from worker.wakeup import WakeupMiddleware

        s = self.settings
        self.broker = build_broker(
            s.broker.url,
            middleware=[
                # dramatiq retries nothing (Tradewind's retries are the task's); Retries is here
                # so that an actor error rejects the message into <queue>.XQ instead of losing it.
                Retries(max_retries=0),
                TaskMessageValidation(),
                IntakeMiddleware(self.tracker, self.gate),
                WakeupMiddleware(self.metastore),
            ],
            consumer_timeout_ms=s.broker.consumer_timeout_ms,
        )
        dag_cache = DagCache(
            dags_folder=s.core.dags_folder, import_timeout=s.core.dagbag_import_timeout
        )
        self.runner = TryProcessRunner(
            metastore=self.metastore,
            settings=s,
            identity=self.identity,
            dag_cache=dag_cache,
            tracker=self.tracker,
        )
        broker_queues = self.gate.queues
        declare_actor(self.broker, self.runner, broker_queues[0])
        self.log_server = LogServer(
            base_log_folder=s.logging.base_log_folder,
            secret_key=s.core.secret_key,
            host="0.0.0.0",
            port=s.worker.log_server_port,
        )
        self.log_server.start()
        url = f"http://{self.identity.hostname}:{self.log_server.port}"
        register(self.metastore, self.identity, url)
        import dramatiq.worker

        dramatiq.worker.CONSUMER_RESTART_DELAY_SECS = CONSUMER_RESTART_DELAY
        self.worker = Worker(
            self.broker,
            queues=set(broker_queues),
            worker_threads=self.identity.concurrency,
            worker_timeout=WORKER_TIMEOUT_MS,
        )
        self.worker.consumer_whitelist = set(broker_queues)
        self.worker.queue_prefetch = QUEUE_PREFETCH_PER_THREAD * self.identity.concurrency
        for name in broker_queues:
            self.broker.declare_queue(name)
        self.worker.start()
        log.info(
            "worker %s serving %s with concurrency %d; logs on %s",
            self.identity.name,
            ",".join(self.identity.queues),
            self.identity.concurrency,
            url,
        )

    # -- the control loop ------------------------------------------------------------------
    def run_forever(self) -> None:
        """Heartbeat and follow requests until stopped (by signal or :meth:`request_stop`)."""
        interval = max(0.05, self.settings.worker.heartbeat_interval)
        while True:
            self._tick()
            if self._drain_deadline is not None and (
                not len(self.tracker) or time.monotonic() >= self._drain_deadline
            ):
                break
            self._wake.wait(min(interval, 0.2) if self._drain_deadline else interval)
            self._wake.clear()
        self.shutdown()

    def _tick(self) -> None:
        from tradewind.runtime.process_groups import EXTERNAL_KILL_GRACE, group_exists
        from worker.heartbeat import heartbeat_tries
        from worker.registry import DRAINING, ONLINE, beat

        try:
            entries = self.tracker.snapshot()
            running = [t.try_key for t in entries]
            changed: dict[Any, str] = {}
            if running:
                with self.metastore.session() as session:
                    changed = heartbeat_tries(session, running)
            for entry in entries:
                state = changed.get(entry.try_key)
                pid = self.runner.dispatcher.pid_of(entry.try_key, entry.child_pid)
                if state is not None and pid and group_exists(pid):
                    log.warning(
                        "State of this instance has been externally set to %s. "
                        "Terminating instance. (%s)",
                        state,
                        entry.try_key,
                    )
                    self.runner.kill(pid, grace=EXTERNAL_KILL_GRACE)
            status = DRAINING if self.gate.draining else ONLINE
            logical = [self.router.task_queue_of(q) for q in self.gate.queues]
            requests = beat(
                self.metastore,
                self.identity.name,
                status=status,
                queues=logical,
                tries_running=len(running),
            )
            if self._drain_deadline is None:
                self._apply(requests)
        except Exception:
            log.warning("worker heartbeat failed; retrying next interval", exc_info=True)

    def _apply(self, requests: Any) -> None:
        from worker.registry import DRAINING, ONLINE, beat

        if requests.drain and not self.gate.draining:
            log.info("drain requested from the dashboard: no new tries")
            self._dashboard_drain = True
            self._pause_consuming()
        elif not requests.drain and self._dashboard_drain:
            log.info("resume requested from the dashboard")
            self._dashboard_drain = False
            self._resume_consuming()
        if requests.wanted_queues is not None:
            wanted = [self.router.broker_queue(q) for q in requests.wanted_queues]
            self._set_queues(wanted)
            beat(
                self.metastore,
                self.identity.name,
                status=DRAINING if self.gate.draining else ONLINE,
                queues=[self.router.task_queue_of(q) for q in self.gate.queues],
                tries_running=len(self.tracker),
                clear_wanted=True,
            )

    def _consumers_of(self, queue: str) -> list[Any]:
        from dramatiq.common import dq_name

        consumers = self.worker.consumers
        return [consumers[n] for n in (queue, dq_name(queue)) if n in consumers]

    def _pause_consuming(self) -> None:
        self.gate.drain()
        for queue in self.gate.queues:
            for consumer in self._consumers_of(queue):
                consumer.pause()

    def _resume_consuming(self) -> None:
        self.gate.resume()
        for queue in self.gate.queues:
            for consumer in self._consumers_of(queue):
                consumer.resume()

    def _set_queues(self, wanted: list[str]) -> None:
        added, removed = self.gate.set_queues(wanted)
        for queue in removed:
            for consumer in self._consumers_of(queue):
                consumer.pause()
        for queue in added:
            self.worker.consumer_whitelist.add(queue)
            existing = self._consumers_of(queue)
            if existing:
                if not self.gate.draining:
                    for consumer in existing:
                        consumer.resume()
            else:
                self.broker.declare_queue(queue)
                if queue not in self.worker.consumers:  # declared before: add by hand
                    self.worker._add_consumer(queue)
                    from dramatiq.common import dq_name

                    self.worker._add_consumer(dq_name(queue), delay=True)
        if added or removed:
            log.info("now serving %s", ",".join(self.router.task_queue_of(q) for q in wanted))

    # -- stopping --------------------------------------------------------------------------
    def request_stop(self, *_: Any) -> None:
        """SIGTERM/SIGINT: the first drains, the second hands running tries back at once."""
        self._shutdown_requested += 1
        if self._shutdown_requested == 1:
            grace = self.settings.worker.drain_grace_period
            log.info("stopping: no new tries; waiting up to %.0f s for running ones", grace)
            self._drain_deadline = time.monotonic() + grace
            if self.worker is not None:
                self._pause_consuming()
        else:
            log.info("stopping now: handing running tries back")
            self._drain_deadline = time.monotonic()
        self._wake.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def hand_back_running(self) -> int:
        """Put every try still running here back to ``scheduled`` (same try number), then kill
        its process: the scheduler queues it again, and it never runs twice at once."""
        from tradewind.metastore.transitions import record_try, set_task_state

        handed = 0
        for entry in self.tracker.snapshot():
            key = entry.try_key
            with self.metastore.session() as session:
                moved = set_task_state(
                    session,
                    key.ti_key,
                    TaskState.SCHEDULED,
                    expected=[TaskState.RUNNING],
                    try_number=key.try_number,
                    hostname=None,
                    worker_name=None,
                    pid=None,
                )
                if moved:
                    record_try(
                        session,
                        key,
                        TaskState.SCHEDULED,
                        error=f"handed back by worker {self.identity.name} at shutdown",
                    )
            if entry.child_pid:
                self.runner.kill(entry.child_pid, grace=2.0)
            if moved:
                handed += 1
                log.warning("handed %s back to the scheduler", key)
        if handed:
            from worker.wakeup import notify_try_ended

            notify_try_ended(self.metastore)
        return handed

    def shutdown(self) -> None:
        from worker.registry import mark_offline

        if self.worker is not None:
            self.gate.drain()
            self.hand_back_running()
            self.tracker.wait_idle(10.0)
            self.worker.stop(timeout=10_000)
        if self.runner is not None:
            self.runner.close()
        try:
            mark_offline(self.metastore, self.identity.name)
        except Exception:
            log.warning("could not mark worker %s offline", self.identity.name, exc_info=True)
        if self.log_server is not None:
            self.log_server.stop()
        if self.broker is not None:
            self.broker.close()
        self.metastore.dispose()
        log.info("worker %s stopped", self.identity.name)


def run_worker(settings: Settings, options: WorkerOptions) -> None:
    """Run one worker process until SIGTERM/SIGINT."""
    process = WorkerProcess(settings, options)
    process.install_signal_handlers()
    process.start()
    process.run_forever()
