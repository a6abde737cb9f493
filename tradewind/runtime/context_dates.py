"""The date entries of a task context (``ds``, ``ts``, ``prev_ds``...), named as in Airflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _ds(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value is not None else None


def _ds_nodash(value: datetime | None) -> str | None:
    return value.strftime("%Y%m%d") if value is not None else None


def date_entries(
    logical_date: datetime,
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    *,
    external_trigger: bool = False,
) -> dict[str, Any]:
    """The date names of the context, from the run's dates (UTC, as Airflow). As in Airflow 2,
    ``prev_*``/``next_*`` of a manually triggered (``external_trigger``) run are its own date.

    Every try of a run has the same: computed once per run (a new dict each call)."""
    return dict(
        _date_entries(logical_date, data_interval_start, data_interval_end, external_trigger)
    )


@lru_cache(maxsize=256)
def _date_entries(
    logical_date: datetime,
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    external_trigger: bool,
) -> dict[str, Any]:
    logical_date = logical_date.astimezone(UTC)
    start = _utc(data_interval_start) or logical_date
    end = _utc(data_interval_end) or logical_date
    ts = logical_date.isoformat()
    span = end - start
    prev = logical_date - span if span > timedelta(0) else None
    after = end
    if external_trigger:
        prev = after = logical_date
    return {
        "logical_date": logical_date,
        "execution_date": logical_date,
        "data_interval_start": start,
        "data_interval_end": end,
        "ds": _ds(logical_date),
        "ds_nodash": _ds_nodash(logical_date),
        "ts": ts,
        "ts_nodash": logical_date.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
        "next_execution_date": after,
        "next_ds": _ds(after),
        "next_ds_nodash": _ds_nodash(after),
        "prev_execution_date": prev,
        "prev_ds": _ds(prev),
        "prev_ds_nodash": _ds_nodash(prev),
        "yesterday_ds": _ds(logical_date - timedelta(days=1)),
        "yesterday_ds_nodash": _ds_nodash(logical_date - timedelta(days=1)),
        "tomorrow_ds": _ds(logical_date + timedelta(days=1)),
        "tomorrow_ds_nodash": _ds_nodash(logical_date + timedelta(days=1)),
    }
