"""execution_timeout in the main thread (SIGALRM) and in worker threads (timer + async raise)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tradewind.errors import TaskTimeout
from tradewind.runtime.timeout import execution_timeout


def test_a_block_that_runs_too_long_in_the_main_thread_raises_task_timeout():
    started = time.monotonic()
    with pytest.raises(TaskTimeout, match=r"execution_timeout of 0:00:00.200000"):
        with execution_timeout(timedelta(seconds=0.2)):
            time.sleep(5)
    assert time.monotonic() - started < 2


def test_a_block_that_finishes_in_time_is_left_alone_and_the_alarm_is_cleared():
    with execution_timeout(timedelta(seconds=0.5)):
        time.sleep(0.01)
    time.sleep(0.6)  # an alarm left armed would fire here


def test_in_a_worker_thread_the_timeout_hook_runs_and_the_task_is_interrupted():
    outcome: dict[str, object] = {}
    killed = threading.Event()

    def worker() -> None:
        try:
            with execution_timeout(0.2, on_timeout=killed.set):
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    time.sleep(0.01)
            outcome["result"] = "finished"
        except TaskTimeout as exc:
            outcome["result"] = str(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert killed.is_set()
    assert outcome["result"] == "Task exceeded its execution_timeout of 0:00:00.200000"


def test_no_timeout_means_no_limit():
    with execution_timeout(None):
        pass


def test_a_task_that_catches_exception_cannot_swallow_its_timeout(tmp_path, monkeypatch):
    """As in Airflow 2.8+: the timeout is not an ``Exception``, so a task's broad
    ``except Exception`` does not turn a timed-out try into a success."""
    from datetime import datetime

    from tradewind.operators.python import PythonOperator
    from tradewind.sdk.dag import DAG

    monkeypatch.setenv("TRADEWIND_HOME", str(tmp_path))
    attempts: list[str] = []

    def stubborn() -> str:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                time.sleep(0.05)
            except Exception as exc:  # what a careless task does
                attempts.append(type(exc).__name__)
        return "finished anyway"

    with DAG("swallow", start_date=datetime(2024, 1, 1), schedule=None) as dag:
        PythonOperator(
            task_id="stubborn",
            python_callable=stubborn,
            execution_timeout=timedelta(seconds=0.5),
        )
    started = time.monotonic()
    run = dag.test()
    assert time.monotonic() - started < 4
    assert run.state == "failed"
    assert run.get_task_instance("stubborn").state == "failed"
    assert attempts == []
