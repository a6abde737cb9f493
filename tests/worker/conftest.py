"""Worker fixtures: a DAG file synced into the metastore, runs whose tries are queued by hand
(as the scheduler would), and a worker process started in this test process."""

from __future__ import annotations

import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tradewind.config import Settings, load_settings
from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.core.states import TaskState
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import TaskInstance
from tradewind.metastore.transitions import set_task_state

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
REDIS_URL = "redis://127.0.0.1:6379/0"

DAG_SOURCE = """
import os, time
from datetime import datetime, timedelta
from tradewind.sdk.dag import DAG
from tradewind.sdk.dataset import Dataset
from tradewind.operators.bash import BashOperator
from tradewind.operators.python import PythonOperator

def _sleep(seconds):
    marker = os.environ.get("TW_TEST_MARKER_DIR")
    if marker:
        open(os.path.join(marker, f"ran-{os.getpid()}-{time.time_ns()}"), "w").close()
    print("sleeping", seconds)
    time.sleep(seconds)
    return seconds

def _hold():
    _sleep(0)
    release = os.path.join(os.environ["TW_TEST_MARKER_DIR"], os.pardir, "release")
    deadline = time.monotonic() + 60
    while not os.path.exists(release) and time.monotonic() < deadline:
        time.sleep(0.05)

def _crash():
    os._exit(3)

def _pid():
    return os.getpid()

def _fail():
    raise ValueError("planned failure")

def _leak():
    os.environ["TW_LEAK"] = "1"
    os.chdir("/")
    return os.getpid()

def _look():
    return [os.getpid(), os.environ.get("TW_LEAK"), os.getcwd()]

def _deaf(seconds):
    import signal
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # its own timer cannot stop it
    time.sleep(seconds)

with DAG("wk", start_date=datetime(2024, 1, 1), schedule=None, catchup=False):
    PythonOperator(task_id="quick", python_callable=_sleep, op_args=[0])
    PythonOperator(task_id="slow", python_callable=_sleep, op_args=[2])
    PythonOperator(task_id="long", python_callable=_sleep, op_args=[30])
    PythonOperator(task_id="crash", python_callable=_crash, retries=1)
    PythonOperator(task_id="pid_a", python_callable=_pid)
    PythonOperator(task_id="pid_b", python_callable=_pid)
    PythonOperator(task_id="pid_c", python_callable=_pid)
    PythonOperator(task_id="fail", python_callable=_fail)
    PythonOperator(task_id="leak", python_callable=_leak)
    PythonOperator(task_id="look", python_callable=_look)
    PythonOperator(task_id="deaf", python_callable=_deaf, op_args=[30],
                   execution_timeout=timedelta(seconds=1))
    PythonOperator(task_id="other", python_callable=_sleep, op_args=[0], queue="other")
    PythonOperator(task_id="held", python_callable=_hold)
    BashOperator(task_id="templated",
                 bash_command="echo rendered-{{ ds_nodash }}-{{ task.task_id }}",
                 outlets=[Dataset("s3://worker-test/out")])
    BashOperator(task_id="bash_timeout", bash_command="sleep 30.4321",
                 execution_timeout=timedelta(seconds=2))
"""


TASKS = {
    "quick": 0,
    "slow": 0,
    "long": 0,
    "crash": 1,
    "pid_a": 0,
    "pid_b": 0,
    "pid_c": 0,
    "fail": 0,
    "leak": 0,
    "look": 0,
    "deaf": 0,
    "other": 0,
    "templated": 0,
    "bash_timeout": 0,
    "held": 0,
}


def wait_for(condition: Callable[[], Any], timeout: float = 45.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")


def stays_for(condition: Callable[[], Any], seconds: float, what: str = "") -> None:
    """Check ``condition`` keeps holding for ``seconds`` (fails as soon as it does not)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert condition(), f"{what or condition} stopped holding"
        time.sleep(0.05)


def _truncate(url: str) -> None:
    from sqlalchemy import create_engine, text

    from tradewind.metastore.models import Base

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def wait() -> Callable[..., Any]:
    return wait_for


@pytest.fixture
def stays() -> Callable[..., None]:
    return stays_for


class Harness:
    def __init__(self, settings: Settings, metastore: Metastore, dag_file: Path) -> None:
        self.settings = settings
        self.metastore = metastore
        self.dag_file = dag_file

    def sync(self) -> None:
        """Register the DAG file (only the columns a worker reads: the file location)."""
        from tradewind.metastore.models import DagModel

        with self.metastore.session() as session:
            session.add(DagModel(dag_id="wk", fileloc=str(self.dag_file), is_paused=False))

    def new_run(self) -> str:
        """A run with one task instance per task of the test DAG (state none, try 0)."""
        from tradewind.metastore.models import DagRun

        run_id = f"manual__{uuid.uuid4().hex[:8]}"
        with self.metastore.session() as session:
            session.add(
                DagRun(dag_id="wk", run_id=run_id, logical_date=datetime.now(UTC), state="running")
            )
            for task_id, retries in TASKS.items():
                session.add(
                    TaskInstance(
                        dag_id="wk",
                        run_id=run_id,
                        task_id=task_id,
                        map_index=-1,
                        state="none",
                        try_number=0,
                        max_tries=retries,
                        queue="other" if task_id == "other" else "default",
                    )
                )
        return run_id

    def queue(self, run_id: str, task_id: str) -> TryKey:
        """none -> scheduled (try 1) -> queued, as the scheduler does."""
        key = TaskInstanceKey("wk", run_id, task_id, -1)
        with self.metastore.session() as session:
            ti = self.ti(key, session)
            number = ti.try_number + 1
            assert set_task_state(session, key, TaskState.SCHEDULED, expected=[ti.state])
            session.execute(
                TaskInstance.__table__.update()
                .where(
                    TaskInstance.dag_id == key.dag_id,
                    TaskInstance.run_id == key.run_id,
                    TaskInstance.task_id == key.task_id,
                )
                .values(try_number=number)
            )
            assert set_task_state(session, key, TaskState.QUEUED, expected=[TaskState.SCHEDULED])
        return key.with_try(number)

    def ti(self, key: TaskInstanceKey, session: Any = None) -> TaskInstance:
        if session is not None:
            return session.execute(
                select(TaskInstance).where(
                    TaskInstance.dag_id == key.dag_id,
                    TaskInstance.run_id == key.run_id,
                    TaskInstance.task_id == key.task_id,
                    TaskInstance.map_index == key.map_index,
                )
            ).scalar_one()
        with self.metastore.session() as s:
            return self.ti(key, s)

    def state(self, key: TryKey | TaskInstanceKey) -> str:
        ti_key = key.ti_key if isinstance(key, TryKey) else key
        return self.ti(ti_key).state


@pytest.fixture
def harness(
    tw_home: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    _truncate(postgres_database)
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", postgres_database)
    monkeypatch.setenv("TRADEWIND__WORKER__HEARTBEAT_INTERVAL", "0.2")
    monkeypatch.setenv("TRADEWIND__WORKER__LOG_SERVER_PORT", "0")
    monkeypatch.setenv("TRADEWIND__BROKER__QUEUE_PREFIX", f"twt{uuid.uuid4().hex[:8]}.")
    marker = tw_home / "markers"
    marker.mkdir()
    monkeypatch.setenv("TW_TEST_MARKER_DIR", str(marker))
    dag_file = tw_home / "dags" / "wk.py"
    dag_file.write_text(textwrap.dedent(DAG_SOURCE))
    settings = load_settings()
    store = Metastore.from_settings(settings)
    h = Harness(settings, store, dag_file)
    h.sync()
    yield h
    store.dispose()


class RunningWorker:
    def __init__(self, process: Any) -> None:
        self.process = process
        self.thread = threading.Thread(target=process.run_forever, daemon=True)

    def stop(self) -> None:
        self.process.request_stop()
        self.process.request_stop()
        self.thread.join(60)


@pytest.fixture
def start_worker(harness: Harness) -> Iterator[Callable[..., RunningWorker]]:
    from worker.main import WorkerOptions, WorkerProcess

    started: list[RunningWorker] = []

    def start(url: str, queues: list[str], concurrency: int = 2, **env: str) -> RunningWorker:
        settings = load_settings()
        settings.broker.url = url
        process = WorkerProcess(
            settings, WorkerOptions(queues=queues, concurrency=concurrency, name=None)
        )
        process.start()
        running = RunningWorker(process)
        running.thread.start()
        started.append(running)
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()
