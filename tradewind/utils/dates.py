"""Airflow's ``airflow.utils.dates``: ``days_ago`` (midnight UTC, n days back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def days_ago(n: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0):
    """Midnight (or the given time) UTC of ``n`` days ago, as Airflow's deprecated helper."""
    today = datetime.now(UTC).replace(
        hour=hour, minute=minute, second=second, microsecond=microsecond
    )
    return today - timedelta(days=n)


__all__ = ["days_ago"]
