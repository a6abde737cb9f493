"""tradewind.utils.timezone: Airflow's helpers that DAG files use."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tradewind.utils import timezone


def test_datetime_is_utc_unless_told_otherwise() -> None:
    assert timezone.datetime(2024, 1, 1) == datetime(2024, 1, 1, tzinfo=UTC)
    paris = timezone.datetime(2024, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))
    assert paris.utcoffset().total_seconds() == 3600  # type: ignore[union-attr]


def test_utcnow_is_aware() -> None:
    assert timezone.utcnow().tzinfo is UTC


def test_make_aware_and_naive_round_trip() -> None:
    naive = datetime(2024, 7, 1, 12)
    aware = timezone.make_aware(naive, "Europe/Paris")
    assert aware.isoformat() == "2024-07-01T12:00:00+02:00"
    assert timezone.make_naive(aware) == datetime(2024, 7, 1, 10)
    assert timezone.convert_to_utc(naive) == datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert timezone.coerce_datetime(naive) == datetime(2024, 7, 1, 12, tzinfo=UTC)
    with pytest.raises(ValueError):
        timezone.make_aware(aware)
    with pytest.raises(ValueError):
        timezone.make_naive(naive)
