"""One scheduler and three workers (default / high_cpu / spark,default), as real processes."""

from __future__ import annotations

import os
import signal
from collections import defaultdict

import pytest

FLEET_DAG = """
import time
from datetime import datetime
from tradewind.sdk.dag import DAG
from tradewind.operators.python import PythonOperator

def nap(seconds):
    time.sleep(seconds)

with DAG("fleet", start_date=datetime(2024, 1, 1), schedule=None, catchup=False,
         max_active_tasks=32):
    for i in range(6):
        PythonOperator(task_id=f"d{i}", python_callable=nap, op_args=[1])
        PythonOperator(task_id=f"h{i}", python_callable=nap, op_args=[1],
                       queue="high_cpu", pool="three")
        PythonOperator(task_id=f"s{i}", python_callable=nap, op_args=[1],
                       queue="spark", pool="three")
"""
SERVES = {"w_default": {"default"}, "w_high": {"high_cpu"}, "w_spark": {"spark", "default"}}


def _max_overlap(intervals: list[tuple]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    peak = now = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


@pytest.mark.parametrize("kind", ["rabbitmq", "redis"])
def test_tries_run_on_workers_serving_their_queue_within_concurrency_and_pools(
    start_fleet, kind: str
) -> None:
    fleet = start_fleet(kind, FLEET_DAG)
    fleet.start("scheduler", "scheduler")
    fleet.worker("w_default", "default")
    fleet.worker("w_high", "high_cpu")
    fleet.worker("w_spark", "spark,default")
    fleet.wait_workers_online(list(SERVES))
    fleet.wait_dag("fleet")
    run_id = fleet.trigger("fleet")
    assert fleet.wait_run("fleet", run_id, timeout=60) == "success", fleet.diagnostics()

    tries = fleet.tries("fleet", run_id)
    assert len(tries) == 18
    by_worker: dict[str, list[tuple]] = defaultdict(list)
    pooled: list[tuple] = []
    for t in tries:
        queue = {"d": "default", "h": "high_cpu", "s": "spark"}[t.task_id[0]]
        assert queue in SERVES[t.worker_name], (t.task_id, t.worker_name)
        assert t.hostname
        by_worker[t.worker_name].append((t.start_date, t.end_date))
        if queue != "default":
            pooled.append((t.start_date, t.end_date))
    for name, intervals in by_worker.items():
        assert _max_overlap(intervals) <= 2, name
    assert _max_overlap(pooled) <= 3
    assert _max_overlap(pooled) >= 2  # the pool, not luck, was the limit
    assert all(ti.try_number == 1 for ti in fleet.tis("fleet", run_id))


KILL_DAG = """
import time
from datetime import datetime, timedelta
from tradewind.sdk.dag import DAG
from tradewind.operators.python import PythonOperator

def nap(seconds):
    time.sleep(seconds)

with DAG("fleet", start_date=datetime(2024, 1, 1), schedule=None, catchup=False):
    PythonOperator(task_id="long", python_callable=nap, op_args=[4], retries=2,
                   retry_delay=timedelta(seconds=0))
"""


@pytest.mark.parametrize("kind", ["rabbitmq", "redis"])
def test_a_worker_killed_mid_try_has_its_try_retried_on_another_worker(
    start_fleet, wait, kind: str
) -> None:
    fleet = start_fleet(kind, KILL_DAG)
    fleet.start("scheduler", "scheduler")
    first = fleet.worker("w_a", "default")
    fleet.wait_workers_online(["w_a"])
    fleet.wait_dag("fleet")
    run_id = fleet.trigger("fleet")
    wait(
        lambda: any(ti.state == "running" for ti in fleet.tis("fleet", run_id)),
        30,
        "the long try to run",
    )
    fleet.worker("w_b", "default")
    fleet.wait_workers_online(["w_b"])
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    assert fleet.wait_run("fleet", run_id, timeout=60) == "success", fleet.diagnostics()
    (ti,) = fleet.tis("fleet", run_id)
    assert ti.try_number == 2 and ti.worker_name == "w_b"
    tries = sorted(fleet.tries("fleet", run_id), key=lambda t: t.try_number)
    assert [(t.try_number, t.worker_name) for t in tries] == [(1, "w_a"), (2, "w_b")]
    assert tries[0].state in ("failed", "up_for_retry") and tries[1].state == "success"
    assert not [ti for ti in fleet.tis("fleet", run_id) if ti.state == "running"]
