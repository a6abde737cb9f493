"""A running try whose state is set from outside is terminated by the worker's heartbeat."""

from __future__ import annotations

import os

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.core.states import TaskState
from tradewind.metastore.transitions import set_task_state

URL = "amqp://guest:guest@127.0.0.1:5672/"


def _gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except OSError:
        return True
    return False


def test_a_try_marked_failed_from_outside_is_terminated_and_stays_failed(
    harness, start_worker, wait, stays
) -> None:
    worker = start_worker(URL, ["default"])
    key = harness.queue(harness.new_run(), "long")
    broker = build_broker(URL)
    publish(broker, [Router.from_settings(harness.settings).message(key, "default")])
    broker.close()
    wait(lambda: harness.state(key) == "running", what="the long try to start")
    entry = wait(
        lambda: next((t for t in worker.process.tracker.snapshot() if t.child_pid), None),
        what="the try's process",
    )
    with harness.metastore.session() as session:
        assert set_task_state(session, key.ti_key, TaskState.FAILED, expected=[TaskState.RUNNING])
    wait(lambda: _gone(entry.child_pid), timeout=8.0, what="the try's process to be killed")
    wait(lambda: not len(worker.process.tracker), timeout=8.0, what="the try to end")
    stays(lambda: harness.state(key) == "failed", 1.0, "the state set from outside")
