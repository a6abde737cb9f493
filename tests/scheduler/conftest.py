"""A scheduler driven in-process over real DAG files copied from tests/dags/scheduler."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.dag_processor import DagProcessor
from scheduler.executors.factory import build_executor
from scheduler.loop import Scheduler
from tradewind.config import Settings, load_settings
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import DagRun, TaskInstance, TaskTry

DAGS = Path(__file__).resolve().parents[1] / "dags" / "scheduler"


@pytest.fixture
def sched_settings(settings: Settings, tw_home: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a fast test scheduler: new DAGs unpaused, a short poll."""
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_ARE_PAUSED_AT_CREATION", "false")
    monkeypatch.setenv("TRADEWIND__SCHEDULER__POLL_INTERVAL", "0.2")
    monkeypatch.setenv("TRADEWIND__SCHEDULER__PARALLELISM", "8")
    monkeypatch.setenv("TRADEWIND__WORKER__DRAIN_GRACE_PERIOD", "5")
    return load_settings()


class Harness:
    """Builds schedulers, waits on conditions with a deadline, and reads results."""

    def __init__(self, settings: Settings, metastore: Metastore) -> None:
        self.settings = settings
        self.metastore = metastore
        self.schedulers: list[Scheduler] = []

    def copy_dags(self, *names: str) -> Path:
        folder = Path(self.settings.core.dags_folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(DAGS / name, folder / name)
        return folder

    def scheduler(self, executor: str = "local", **kwargs: Any) -> Scheduler:
        from tradewind.metastore.pools import ensure_default_pool

        with self.metastore.session() as session:
            ensure_default_pool(session)
        sched = Scheduler(
            self.settings,
            self.metastore,
            build_executor(self.settings, self.metastore, executor),
            dag_processor=DagProcessor(self.settings, self.metastore),
            **kwargs,
        )
        self.schedulers.append(sched)
        return sched

    def run_until(self, sched: Scheduler, cond: Callable[[], bool], timeout: float = 30) -> None:
        assert sched.run(until=cond, timeout=timeout), f"condition not met in {timeout} s"

    def runs(self, dag_id: str) -> list[DagRun]:
        with self.metastore.session() as session:
            return list(
                session.execute(
                    select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.logical_date)
                ).scalars()
            )

    def tis(self, dag_id: str) -> list[TaskInstance]:
        with self.metastore.session() as session:
            return list(
                session.execute(select(TaskInstance).where(TaskInstance.dag_id == dag_id))
                .scalars()
                .all()
            )

    def tries(self, dag_id: str) -> list[TaskTry]:
        with self.metastore.session() as session:
            return list(
                session.execute(
                    select(TaskTry).where(TaskTry.dag_id == dag_id).order_by(TaskTry.start_date)
                ).scalars()
            )

    def all_runs_done(self, dag_id: str, count: int | None = None) -> bool:
        runs = self.runs(dag_id)
        done = [r for r in runs if r.state in ("success", "failed")]
        return bool(runs) and len(done) == len(runs) and (count is None or len(runs) >= count)

    def trigger(self, dag_id: str, **kwargs: Any) -> str:
        from tradewind.metastore.runs import trigger_dag

        with self.metastore.session() as session:
            return trigger_dag(session, dag_id, **kwargs).run_id

    def set_pool(self, name: str, slots: int) -> None:
        from tradewind.metastore.pools import set_pool

        with self.metastore.session() as session:
            set_pool(session, name, slots)

    @staticmethod
    def max_overlap(tries: list[TaskTry]) -> int:
        """The most tries running at the same moment, from their start and end dates."""
        events = []
        for t in tries:
            assert t.start_date is not None and t.end_date is not None
            events.append((t.start_date, 1))
            events.append((t.end_date, -1))
        running = peak = 0
        for _, delta in sorted(events, key=lambda e: (e[0], e[1])):
            running += delta
            peak = max(peak, running)
        return peak

    @staticmethod
    def wait(cond: Callable[[], bool], timeout: float = 30, step: float = 0.1) -> None:
        """Wait for ``cond`` (polling, for processes this test does not drive); fail on timeout."""
        deadline = time.monotonic() + timeout
        while not cond():
            assert time.monotonic() < deadline, f"condition not met in {timeout} s"
            time.sleep(step)

    def close(self) -> None:
        for sched in self.schedulers:
            sched.shutdown(graceful=False)


@pytest.fixture
def harness(sched_settings: Settings, metastore: Metastore) -> Iterator[Harness]:
    h = Harness(sched_settings, metastore)
    yield h
    h.close()
