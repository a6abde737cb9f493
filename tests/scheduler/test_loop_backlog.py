"""When the scheduler lingers after a wake-up: longer only while every queue with tries in
flight has a backlog (a try queued then would wait behind it anyway)."""

from __future__ import annotations

from scheduler.active_runs import AdvanceResult
from scheduler.executors.base import QueuedTry
from tradewind.core.keys import TryKey


def _queued(queue: str, count: int) -> list[QueuedTry]:
    return [QueuedTry(TryKey("d", "r", f"t{i}", -1, 1), queue=queue) for i in range(count)]


def test_a_fan_out_waiting_on_its_queue_is_a_backlog() -> None:
    result = AdvanceResult(by_queue={"default": [900, 16]})
    assert result.backlogged([], 64)
    assert not AdvanceResult(by_queue={"default": [63, 16]}).backlogged([], 64)


def test_tries_queued_in_this_pass_count() -> None:
    assert AdvanceResult().backlogged(_queued("default", 64), 64)
    assert not AdvanceResult().backlogged(_queued("default", 63), 64)
    assert not AdvanceResult().backlogged([], 64)  # nothing in flight


def test_a_queue_nobody_serves_does_not_slow_a_queue_that_moves() -> None:
    stuck_spark_and_a_chain = AdvanceResult(by_queue={"spark": [500, 0], "default": [0, 1]})
    assert not stuck_spark_and_a_chain.backlogged([], 64)
    # the chain's next try, just queued on an otherwise idle queue, is not behind a backlog
    only_spark = AdvanceResult(by_queue={"spark": [500, 0]})
    assert not only_spark.backlogged(_queued("default", 1), 64)
    assert only_spark.backlogged([], 64)


def test_the_backlog_is_the_fewest_waiting_in_a_queue_with_tries_in_flight() -> None:
    result = AdvanceResult(by_queue={"default": [900, 16], "high_cpu": [120, 4], "idle": [0, 0]})
    assert result.backlog([]) == 120
    assert result.backlog(_queued("high_cpu", 10)) == 130
    assert AdvanceResult().backlog([]) == 0


def test_the_scheduler_lingers_longer_behind_a_longer_backlog_up_to_a_cap() -> None:
    from scheduler.linger import (
        BACKLOG_TRIES,
        BACKLOG_WINDOW,
        BACKLOG_WINDOW_MAX,
        BATCH_WINDOW,
    )
    from scheduler.linger import linger_window as _linger_window

    assert _linger_window(0) == BATCH_WINDOW
    assert _linger_window(BACKLOG_TRIES - 1) == BATCH_WINDOW
    assert _linger_window(BACKLOG_TRIES) == BACKLOG_WINDOW
    assert BACKLOG_WINDOW < _linger_window(2 * BACKLOG_TRIES) <= BACKLOG_WINDOW_MAX
    assert _linger_window(100 * BACKLOG_TRIES) == BACKLOG_WINDOW_MAX
