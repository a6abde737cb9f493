"""A fleet of real processes: `tradewind scheduler` (broker executor) and `tradewind worker`s,
on the local Postgres and RabbitMQ or Redis, each test with its own queue prefix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import Base, DagModel, DagRun, TaskInstance, TaskTry, Worker

URLS = {"rabbitmq": "amqp://guest:guest@127.0.0.1:5672/", "redis": "redis://127.0.0.1:6379/0"}


def wait_for(condition: Callable[[], Any], timeout: float, what: str | Callable[[], str]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    told = what() if callable(what) else what
    raise AssertionError(f"timed out after {timeout}s waiting for {told}")


class Fleet:
    def __init__(self, home: Path, env: dict[str, str], store: Metastore) -> None:
        self.home = home
        self.env = env
        self.store = store
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.home / f"{name}.out", "wb")  # noqa: SIM115 (held by the child)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tradewind.cli.main", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs[name] = proc
        return proc

    def worker(self, name: str, queues: str, concurrency: int = 2) -> subprocess.Popen:
        return self.start(name, "worker", "-q", queues, "-c", str(concurrency), "--hostname", name)

    def output(self, name: str) -> str:
        return (self.home / f"{name}.out").read_text(errors="replace")

    def wait_workers_online(self, names: list[str], timeout: float = 60) -> None:
        def online() -> bool:
            with self.store.session() as session:
                rows = session.execute(
                    select(Worker.name).where(Worker.name.in_(names), Worker.status == "online")
                ).all()
            return len(rows) == len(names)

        wait_for(online, timeout, lambda: f"workers {names} online\n{self.diagnostics()}")

    def wait_dag(self, dag_id: str, timeout: float = 60) -> None:
        def synced() -> bool:
            with self.store.session() as session:
                return session.get(DagModel, dag_id) is not None

        wait_for(
            synced, timeout, lambda: f"DAG {dag_id} parsed by the scheduler\n{self.diagnostics()}"
        )

    def trigger(self, dag_id: str) -> str:
        from tradewind.metastore.runs import trigger_dag
        from tradewind.metastore.wakeup import notify_scheduler

        with self.store.session() as session:
            run = trigger_dag(session, dag_id)
            notify_scheduler(session)
            return run.run_id

    def run_state(self, dag_id: str, run_id: str) -> str:
        with self.store.session() as session:
            return session.execute(
                select(DagRun.state).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)
            ).scalar_one()

    def wait_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        state = wait_for(
            lambda: (s := self.run_state(dag_id, run_id)) in ("success", "failed") and s,
            timeout,
            lambda: f"run {run_id} to finish\n{self.diagnostics()}",
        )
        return state

    def tries(self, dag_id: str, run_id: str) -> list[TaskTry]:
        with self.store.session() as session:
            return list(
                session.execute(
                    select(TaskTry).where(TaskTry.dag_id == dag_id, TaskTry.run_id == run_id)
                ).scalars()
            )

    def tis(self, dag_id: str, run_id: str) -> list[TaskInstance]:
        with self.store.session() as session:
            return list(
                session.execute(
                    select(TaskInstance).where(
                        TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
                    )
                ).scalars()
            )

    def diagnostics(self) -> str:
        return "\n".join(f"--- {n}\n{self.output(n)[-3000:]}" for n in self.procs)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(params=["rabbitmq", "redis"])
def broker_kind(request: pytest.FixtureRequest) -> str:
    return request.param


def make_fleet(
    tmp_path: Path, postgres_database: str, broker_url: str, dag_source: str, **extra: str
) -> Iterator[Fleet]:
    engine = create_engine(postgres_database)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO slot_pool (pool, slots) VALUES ('default_pool', 128)"))
        conn.execute(text("INSERT INTO slot_pool (pool, slots) VALUES ('three', 3)"))
    engine.dispose()
    home = tmp_path / "fleet_home"
    (home / "dags").mkdir(parents=True)
    (home / "dags" / "fleet_dag.py").write_text(dag_source)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND")}
    env.update(
        {
            "TRADEWIND_HOME": str(home),
            "TRADEWIND__DATABASE__URL": postgres_database,
            "TRADEWIND__BROKER__URL": broker_url,
            "TRADEWIND__BROKER__QUEUE_PREFIX": f"fleet{uuid.uuid4().hex[:8]}.",
            "TRADEWIND__SCHEDULER__EXECUTOR": "broker",
            "TRADEWIND__SCHEDULER__DAG_DIR_LIST_INTERVAL": "1",
            "TRADEWIND__SCHEDULER__POLL_INTERVAL": "0.5",
            "TRADEWIND__SCHEDULER__ZOMBIE_THRESHOLD": "3",
            "TRADEWIND__CORE__DAGS_ARE_PAUSED_AT_CREATION": "false",
            "TRADEWIND__CORE__SECRET_KEY": "fleet-secret",
            "TRADEWIND__CORE__FERNET_KEY": "3ZxW-7QdP5t2Sg1dS0_dG6WJ7a3pZr4p8vZ2Y0XKq1A=",
            "TRADEWIND__WORKER__HEARTBEAT_INTERVAL": "0.5",
            "TRADEWIND__WORKER__LOG_SERVER_PORT": "0",
            "TRADEWIND__WORKER__DRAIN_GRACE_PERIOD": "2",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    store = Metastore(postgres_database)
    fleet = Fleet(home, env, store)
    try:
        yield fleet
    finally:
        fleet.stop_all()
        store.dispose()


@pytest.fixture
def start_fleet(tmp_path: Path, postgres_database: str) -> Iterator[Callable[..., Fleet]]:
    """``start_fleet(broker_kind, dag_source, **env) -> Fleet`` (stopped at the end)."""
    made: list[Iterator[Fleet]] = []

    def start(kind: str, dag_source: str, **extra: str) -> Fleet:
        gen = make_fleet(tmp_path, postgres_database, URLS[kind], dag_source, **extra)
        made.append(gen)
        return next(gen)

    yield start
    for gen in made:
        for _ in gen:
            pass


@pytest.fixture
def wait() -> Callable[..., Any]:
    return wait_for
