"""The real scheduler (in-process loop, local executor) over DAG files from tests/dags/authoring."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tradewind.config import Settings, load_settings
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import DagRun, TaskInstance

DAGS = Path(__file__).resolve().parents[1] / "dags" / "authoring"


class SchedulerDriver:
    """Copies DAG files, runs a scheduler loop until a condition holds, and reads rows back."""

    def __init__(self, settings: Settings, metastore: Metastore) -> None:
        self.settings = settings
        self.metastore = metastore
        self._schedulers: list[Any] = []

    def copy_dags(self, *names: str) -> None:
        folder = Path(self.settings.core.dags_folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(DAGS / name, folder / name)

    def scheduler(self, parallelism: int) -> Any:
        from scheduler.dag_processor import DagProcessor
        from scheduler.executors.local import LocalExecutor
        from scheduler.loop import Scheduler
        from tradewind.metastore.pools import ensure_default_pool

        with self.metastore.session() as session:
            ensure_default_pool(session)
        executor = LocalExecutor(self.settings, self.metastore, parallelism=parallelism)
        sched = Scheduler(
            self.settings,
            self.metastore,
            executor,
            dag_processor=DagProcessor(self.settings, self.metastore),
        )
        self._schedulers.append(sched)
        sched.run_once()  # parse and sync the DAG files
        return sched

    def run_until(self, sched: Any, cond: Callable[[], bool], timeout: float = 60) -> None:
        assert sched.run(until=cond, timeout=timeout), f"condition not met in {timeout} s"

    def trigger(self, dag_id: str, **kwargs: Any) -> str:
        from tradewind.metastore.runs import trigger_dag

        with self.metastore.session() as session:
            return trigger_dag(session, dag_id, **kwargs).run_id

    def runs(self, dag_id: str) -> dict[str, DagRun]:
        with self.metastore.session() as session:
            rows = session.scalars(select(DagRun).where(DagRun.dag_id == dag_id)).all()
            session.expunge_all()
        return {r.run_id: r for r in rows}

    def tis(self, dag_id: str, run_id: str) -> dict[tuple[str, int], TaskInstance]:
        with self.metastore.session() as session:
            rows = session.scalars(
                select(TaskInstance).where(
                    TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
                )
            ).all()
            session.expunge_all()
        return {(t.task_id, t.map_index): t for t in rows}

    def run_done(self, dag_id: str, run_id: str) -> bool:
        run = self.runs(dag_id).get(run_id)
        return run is not None and run.state in ("success", "failed")

    def close(self) -> None:
        for sched in self._schedulers:
            sched.shutdown(graceful=False)


@pytest.fixture
def driver(
    settings: Settings, metastore: Metastore, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SchedulerDriver]:
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_ARE_PAUSED_AT_CREATION", "false")
    monkeypatch.setenv("TRADEWIND__SCHEDULER__POLL_INTERVAL", "0.2")
    d = SchedulerDriver(load_settings(), metastore)
    yield d
    d.close()
