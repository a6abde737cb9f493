"""Shared set-up of the scheduler benchmarks: a throw-away TRADEWIND_HOME with a metastore."""

from __future__ import annotations

import os
import statistics
import tempfile
import textwrap
from pathlib import Path
from typing import Any


def make_home(dag_source: str, *, db_url: str | None = None, **env: str) -> tuple[Any, Any]:
    """Create a home with one DAG file; returns (settings, metastore) with tables created."""
    home = Path(tempfile.mkdtemp(prefix="tw_bench_"))
    (home / "dags").mkdir()
    (home / "dags" / "bench_dag.py").write_text(textwrap.dedent(dag_source))
    os.environ["TRADEWIND_HOME"] = str(home)
    os.environ["TRADEWIND__CORE__DAGS_ARE_PAUSED_AT_CREATION"] = "false"
    if db_url:
        os.environ["TRADEWIND__DATABASE__URL"] = db_url
    for key, value in env.items():
        os.environ[key] = value
    from tradewind.config import load_settings
    from tradewind.metastore.engine import Metastore, set_default_metastore
    from tradewind.metastore.models import Base

    settings = load_settings()
    metastore = Metastore.from_settings(settings)
    if metastore.dialect == "postgresql":
        Base.metadata.drop_all(metastore.engine)
    Base.metadata.create_all(metastore.engine)
    set_default_metastore(metastore)
    return settings, metastore


def build_scheduler(settings: Any, metastore: Any, executor: str = "local") -> Any:
    from scheduler.main import build_scheduler as build

    return build(settings, metastore, executor_name=executor)


def trigger(metastore: Any, dag_id: str) -> str:
    from tradewind.metastore.runs import trigger_dag
    from tradewind.metastore.wakeup import notify_scheduler

    with metastore.session() as session:
        run = trigger_dag(session, dag_id)
        notify_scheduler(session)
        return run.run_id


def run_state(metastore: Any, dag_id: str, run_id: str) -> str:
    from sqlalchemy import select

    from tradewind.metastore.models import DagRun

    with metastore.session() as session:
        return session.execute(
            select(DagRun.state).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)
        ).scalar_one()


def tries(metastore: Any, dag_id: str, run_id: str) -> list[Any]:
    from sqlalchemy import select

    from tradewind.metastore.models import TaskTry

    with metastore.session() as session:
        return list(
            session.execute(
                select(TaskTry)
                .where(TaskTry.dag_id == dag_id, TaskTry.run_id == run_id)
                .order_by(TaskTry.start_date)
            ).scalars()
        )


def queued_at(metastore: Any, dag_id: str, run_id: str) -> dict[str, Any]:
    from sqlalchemy import select

    from tradewind.metastore.models import TaskInstance

    with metastore.session() as session:
        return dict(
            session.execute(
                select(TaskInstance.task_id, TaskInstance.queued_at).where(
                    TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
                )
            ).all()
        )


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")
