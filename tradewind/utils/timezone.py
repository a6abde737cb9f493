"""Airflow's ``airflow.utils.timezone`` helpers that DAG files use (UTC unless told otherwise)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

utc = dt.UTC


def utcnow() -> dt.datetime:
    """Now, aware, in UTC."""
    return dt.datetime.now(utc)


def datetime(*args: int, **kwargs: object) -> dt.datetime:
    """``datetime.datetime(...)`` that is UTC unless ``tzinfo`` is given (Airflow's)."""
    if "tzinfo" not in kwargs:
        kwargs["tzinfo"] = utc
    return dt.datetime(*args, **kwargs)  # type: ignore[arg-type]


def default_zone() -> dt.tzinfo:
    """The configured ``core.default_timezone`` (Airflow's ``TIMEZONE``): naive date strings a
    task is given are read in it."""
    from tradewind.config import load_settings

    name = load_settings().core.default_timezone or "UTC"
    return utc if name.upper() == "UTC" else ZoneInfo(name)


def _zone(timezone: dt.tzinfo | str | None) -> dt.tzinfo:
    if timezone is None:
        return utc
    return ZoneInfo(timezone) if isinstance(timezone, str) else timezone


def is_localized(value: dt.datetime) -> bool:
    return value.utcoffset() is not None


def is_naive(value: dt.datetime) -> bool:
    return not is_localized(value)


def make_aware(value: dt.datetime, timezone: dt.tzinfo | str | None = None) -> dt.datetime:
    """A naive datetime read in ``timezone`` (UTC by default)."""
    if is_localized(value):
        raise ValueError(f"make_aware expects a naive datetime, got {value}")
    return value.replace(tzinfo=_zone(timezone))


def make_naive(value: dt.datetime, timezone: dt.tzinfo | str | None = None) -> dt.datetime:
    """An aware datetime converted to ``timezone`` (UTC by default), then made naive."""
    if is_naive(value):
        raise ValueError("make_naive() cannot be applied to a naive datetime")
    return value.astimezone(_zone(timezone)).replace(tzinfo=None)


def convert_to_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Aware UTC; naive values are taken to be UTC."""
    if value is None:
        return None
    if is_naive(value):
        value = value.replace(tzinfo=utc)
    return value.astimezone(utc)


def coerce_datetime(
    value: dt.datetime | None, tz: dt.tzinfo | str | None = None
) -> dt.datetime | None:
    """``value`` made aware (in ``tz``, UTC by default) if it is naive."""
    if value is None:
        return None
    return value if is_localized(value) else value.replace(tzinfo=_zone(tz))


__all__ = [
    "coerce_datetime",
    "convert_to_utc",
    "datetime",
    "is_localized",
    "is_naive",
    "make_aware",
    "make_naive",
    "utc",
    "utcnow",
]
