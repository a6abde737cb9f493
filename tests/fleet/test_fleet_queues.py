"""Queued tries nobody takes (queued_timeout, both actions) and duplicate messages, on a fleet."""

from __future__ import annotations

import pytest

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.core.keys import TryKey

NOBODY_DAG = """
from datetime import datetime
from tradewind.sdk.dag import DAG
from tradewind.operators.empty import EmptyOperator

with DAG("fleet", start_date=datetime(2024, 1, 1), schedule=None, catchup=False):
    EmptyOperator(task_id="orphan", queue="nobody_serves_this")
"""

QUICK_DAG = """
import os, time
from datetime import datetime
from tradewind.sdk.dag import DAG
from tradewind.operators.python import PythonOperator

def mark():
    open(os.path.join(os.environ["TRADEWIND_HOME"], f"ran-{time.time_ns()}"), "w").close()

with DAG("fleet", start_date=datetime(2024, 1, 1), schedule=None, catchup=False):
    PythonOperator(task_id="once", python_callable=mark)
"""


@pytest.mark.parametrize("action", ["requeue", "fail"])
def test_a_try_no_worker_takes_is_reported_and_requeued_or_failed_after_queued_timeout(
    start_fleet, wait, action: str
) -> None:
    fleet = start_fleet(
        "rabbitmq",
        NOBODY_DAG,
        TRADEWIND__SCHEDULER__QUEUED_TIMEOUT="2",
        TRADEWIND__SCHEDULER__QUEUED_TIMEOUT_ACTION=action,
    )
    fleet.start("scheduler", "scheduler")
    fleet.worker("w_default", "default")
    fleet.wait_workers_online(["w_default"])
    fleet.wait_dag("fleet")
    run_id = fleet.trigger("fleet")
    if action == "fail":
        assert fleet.wait_run("fleet", run_id, timeout=60) == "failed"
        (ti,) = fleet.tis("fleet", run_id)
        assert (ti.state, ti.try_number) == ("failed", 1)
        (history,) = fleet.tries("fleet", run_id)
        assert "queued for more than 2 s" in (history.error or "")
        return
    wait(
        lambda: "queueing it again" in fleet.output("scheduler"),
        60,
        lambda: f"the scheduler to report the stale try\n{fleet.diagnostics()}",
    )
    # requeued with the same try number, published again, and never run by the wrong worker
    (ti,) = fleet.tis("fleet", run_id)
    assert ti.try_number == 1 and ti.state in ("scheduled", "queued")
    assert fleet.run_state("fleet", run_id) in ("queued", "running")
    assert fleet.tries("fleet", run_id) == [] or all(
        t.worker_name is None for t in fleet.tries("fleet", run_id)
    )


def test_a_duplicate_message_for_a_finished_try_does_not_run_it_again(start_fleet, wait) -> None:
    fleet = start_fleet("rabbitmq", QUICK_DAG)
    fleet.start("scheduler", "scheduler")
    fleet.worker("w_default", "default")
    fleet.wait_workers_online(["w_default"])
    fleet.wait_dag("fleet")
    run_id = fleet.trigger("fleet")
    assert fleet.wait_run("fleet", run_id, timeout=60) == "success", fleet.diagnostics()
    ran = lambda: len(list(fleet.home.glob("ran-*")))  # noqa: E731
    assert ran() == 1
    env = fleet.env
    router = Router(prefix=env["TRADEWIND__BROKER__QUEUE_PREFIX"])
    broker = build_broker(env["TRADEWIND__BROKER__URL"])
    try:
        publish(broker, [router.message(TryKey("fleet", run_id, "once", -1, 1), "default")] * 2)
    finally:
        broker.close()
    wait(
        lambda: fleet.output("w_default").count("duplicate or stale") >= 2,
        30,
        lambda: f"the worker to drop both duplicates\n{fleet.diagnostics()}",
    )
    assert ran() == 1
    (ti,) = fleet.tis("fleet", run_id)
    assert (ti.state, ti.try_number) == ("success", 1)
