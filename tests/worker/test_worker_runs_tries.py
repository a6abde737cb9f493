from __future__ import annotations

import pytest

from broker_config.factory import build_broker
from broker_config.routing import Router, publish

URLS = {"rabbitmq": "amqp://guest:guest@127.0.0.1:5672/", "redis": "redis://127.0.0.1:6379/0"}


@pytest.fixture(params=["rabbitmq", "redis"])
def url(request: pytest.FixtureRequest) -> str:
    return URLS[request.param]


def _publish(harness, url: str, *tries) -> None:
    broker = build_broker(url)
    router = Router.from_settings(harness.settings)
    publish(broker, [router.message(key, queue) for key, queue in tries])
    broker.close()


def test_a_queued_try_is_claimed_run_and_recorded_by_the_worker(
    harness, start_worker, url, wait
) -> None:
    start_worker(url, ["default"])
    run_id = harness.new_run()
    key = harness.queue(run_id, "quick")
    _publish(harness, url, (key, "default"))
    wait(lambda: harness.state(key) == "success", what="quick to succeed")
    ti = harness.ti(key.ti_key)
    assert ti.worker_name and ti.hostname
    assert ti.try_number == 1


def _ran(harness) -> int:
    import os

    return len(os.listdir(os.environ["TW_TEST_MARKER_DIR"]))


def test_a_duplicate_message_for_a_try_that_already_ran_does_not_run_it_again(
    harness, start_worker, url, wait
) -> None:
    start_worker(url, ["default"])
    key = harness.queue(harness.new_run(), "quick")
    _publish(harness, url, (key, "default"))
    wait(lambda: harness.state(key) == "success", what="the first run")
    assert _ran(harness) == 1
    _publish(harness, url, (key, "default"), (key, "default"))
    router = Router.from_settings(harness.settings)
    broker = build_broker(url)
    from broker_config.stats.base import queue_stats_for

    stats = queue_stats_for(broker)
    queue = router.broker_queue("default")
    wait(lambda: stats.stats([queue])[0].depth == 0, what="the duplicates to be consumed")
    stats.close()
    broker.close()
    assert _ran(harness) == 1
    assert harness.ti(key.ti_key).try_number == 1


def test_a_crashing_task_process_is_retried_and_the_worker_survives(
    harness, start_worker, url, wait
) -> None:
    start_worker(url, ["default"])
    run_id = harness.new_run()
    key = harness.queue(run_id, "crash")
    _publish(harness, url, (key, "default"))
    wait(lambda: harness.state(key) == "up_for_retry", what="the crash to be seen")
    quick = harness.queue(run_id, "quick")
    _publish(harness, url, (quick, "default"))
    wait(lambda: harness.state(quick) == "success", what="the worker to go on")
