"""Building and running a scheduler process: `tradewind scheduler` and `tradewind standalone`.

SIGTERM or SIGINT asks the loop to stop: it stops taking work, lets the executor finish the
tries in hand for up to ``worker.drain_grace_period`` seconds, then kills what is left and hands
those tries back (``queued -> scheduled``, ``running -> none``). A second signal skips the wait.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scheduler.dag_processor import DagProcessor
from scheduler.executors.factory import build_executor
from scheduler.loop import Scheduler

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


def build_scheduler(
    settings: Settings,
    metastore: Metastore,
    *,
    executor_name: str | None = None,
    process_dags: bool = True,
    include_examples: bool = False,
) -> Scheduler:
    """A scheduler with the configured executor and (by default) the DAG processor."""
    from tradewind.metastore.pools import ensure_default_pool

    with metastore.session() as session:
        ensure_default_pool(session, slots=settings.core.default_pool_slots)
    executor = build_executor(settings, metastore, executor_name)
    processor = (
        DagProcessor(settings, metastore, include_examples=include_examples)
        if process_dags
        else None
    )
    return Scheduler(settings, metastore, executor, dag_processor=processor)


def run_scheduler(
    scheduler: Scheduler,
    *,
    num_runs: int | None = None,
    install_signals: bool = True,
    grace_period: float | None = None,
    on_iteration: Callable[[], None] | None = None,
) -> None:
    """Run until a signal (or ``num_runs`` iterations), then shut down cleanly."""
    force = threading.Event()
    previous: dict[int, Any] = {}

    def _on_signal(signum: int, _frame: Any) -> None:
        if scheduler.stop_requested:
            force.set()
        scheduler.request_stop()

    if install_signals and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _on_signal)
    grace = scheduler.settings.worker.drain_grace_period if grace_period is None else grace_period
    try:
        scheduler.run(max_iterations=num_runs)
    finally:
        log.info("scheduler stopping")
        executor = scheduler.executor
        if hasattr(executor, "grace_period"):
            executor.grace_period = 0.0 if force.is_set() else grace
        scheduler.shutdown(graceful=not force.is_set())
        for sig, handler in previous.items():
            signal.signal(sig, handler)
