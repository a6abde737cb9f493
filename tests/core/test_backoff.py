"""Retry delays as Airflow 2's TaskInstance.next_retry_datetime computes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tradewind.core.backoff import (
    MAX_RETRY_DELAY,
    backoff_seconds,
    next_retry_at,
    retry_delay_seconds,
)
from tradewind.core.spec import TaskSpec

JAN_1 = datetime(2024, 1, 1, tzinfo=UTC)


def test_without_exponential_backoff_every_retry_waits_retry_delay() -> None:
    task = TaskSpec("t", retry_delay=300.0)
    assert [retry_delay_seconds(task, n) for n in (1, 2, 5)] == [300.0, 300.0, 300.0]


def test_exponential_backoff_doubles_from_retry_delay_without_jitter_key() -> None:
    waits = [backoff_seconds(300, n, exponential=True) for n in (1, 2, 3, 4)]
    assert waits == [300.0, 600.0, 1200.0, 2400.0]


def test_exponential_backoff_jitter_is_airflows_sha1_hash_and_deterministic() -> None:
    task = TaskSpec("t", retry_delay=300.0, retry_exponential_backoff=True)
    waits = [retry_delay_seconds(task, n, dag_id="d", logical_date=JAN_1) for n in (1, 2, 3)]
    # sha1("d#t#2024-01-01T00:00:00+00:00#1") % 300 + 300 == 509, and so on
    assert waits == [509.0, 1106.0, 1916.0]
    assert waits == [
        retry_delay_seconds(task, n, dag_id="d", logical_date=JAN_1) for n in (1, 2, 3)
    ]


@pytest.mark.parametrize("try_number", range(1, 8))
def test_jittered_wait_lies_between_one_and_two_min_backoffs(try_number: int) -> None:
    low = 10 * 2 ** (try_number - 1)
    wait = backoff_seconds(10, try_number, exponential=True, jitter_key=f"d#t{try_number}#x")
    assert low <= wait < 2 * low


def test_max_retry_delay_caps_the_exponential_wait() -> None:
    task = TaskSpec("t", retry_delay=60.0, retry_exponential_backoff=True, max_retry_delay=600.0)
    assert retry_delay_seconds(task, 10, dag_id="d", logical_date=JAN_1) == 600.0


def test_without_max_retry_delay_the_wait_is_capped_at_a_day() -> None:
    assert backoff_seconds(3600, 40, exponential=True, jitter_key="k") == MAX_RETRY_DELAY
    assert backoff_seconds(1, 5000, exponential=True) == MAX_RETRY_DELAY


def test_a_zero_retry_delay_still_backs_off_at_least_a_second() -> None:
    assert backoff_seconds(0, 1, exponential=True) == 1.0
    assert backoff_seconds(0, 1) == 0.0


def test_next_retry_at_adds_the_wait_to_the_failed_try_end() -> None:
    task = TaskSpec("t", retry_delay=30.0)
    assert next_retry_at(task, 1, failed_at=JAN_1) == JAN_1 + timedelta(seconds=30)
