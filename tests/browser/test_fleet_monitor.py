"""The fleet monitor in a browser: a real `tradewind worker` (on Redis) shows up with its
queues, the charts draw and refresh without a reload, and Drain writes the worker's row."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.browser.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.broker]


@pytest.fixture
def worker(stack: Stack) -> Iterator[str]:
    name = f"bw-worker-{uuid.uuid4().hex[:6]}"
    env = {
        **stack.env,
        "TRADEWIND__BROKER__URL": "redis://127.0.0.1:6379/0",
        "TRADEWIND__BROKER__QUEUE_PREFIX": f"{name}-",
        "TRADEWIND__WORKER__LOG_SERVER_PORT": "0",
    }
    log = open(stack.home / "process-logs" / f"{name}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [stack.tradewind, "worker", "-q", "default,high_cpu", "-c", "2", "--hostname", name],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield name
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def _worker_row(stack: Stack, name: str) -> Any:
    from sqlalchemy import select

    from tradewind.metastore.models import Worker

    with stack.metastore.session() as session:
        row = session.scalar(select(Worker).where(Worker.name == name))
        if row is not None:
            session.expunge(row)
        return row


def test_a_worker_and_its_queues_appear_and_can_be_drained(
    worker: str, page: Any, stack: Stack, log_in: Any, until: Any
) -> None:
    # ``worker`` before ``page``: the page (and its screenshot) ends while the worker still runs
    until(lambda: _worker_row(stack, worker), 30, "the worker to register")
    log_in(page)
    page.goto("/fleet")
    row = page.locator(f'#workers tr[data-worker="{worker}"]')
    assert row.locator(".status").inner_text() == "online"
    assert "default, high_cpu" in row.inner_text()
    assert page.locator('#queues tr[data-queue="high_cpu"]').count() == 1
    consumers = page.locator('#queues tr[data-queue="high_cpu"] td').nth(3)
    assert int(consumers.inner_text()) >= 1
    for chart in ("throughput", "failure", "enqueued", "completed"):
        assert page.locator(f"#{chart}-chart").get_attribute("data-points") == "30", chart
    # the tables refresh from JSON without a reload
    page.evaluate("window.__same_page = true")
    until(
        lambda: int(page.locator("#fleet").get_attribute("data-refreshes") or 0) >= 1,
        15,
        "a live refresh",
    )
    assert page.evaluate("window.__same_page") is True
    row = page.locator(f'#workers tr[data-worker="{worker}"]')
    row.locator("button", has_text="Drain").click()
    until(lambda: _worker_row(stack, worker).drain_requested, 10, "drain_requested on the row")
    until(
        lambda: "drain asked" in page.locator(f'#workers tr[data-worker="{worker}"]').inner_text(),
        10,
        "the page to show the drain",
    )
