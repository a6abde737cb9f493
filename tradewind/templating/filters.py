"""Airflow's date filters: ``{{ data_interval_start | ds }}`` and friends."""

from __future__ import annotations

from datetime import datetime


def ds(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def ds_nodash(value: datetime) -> str:
    return value.strftime("%Y%m%d")


def ts(value: datetime) -> str:
    return value.isoformat()


def ts_nodash(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def ts_nodash_with_tz(value: datetime) -> str:
    return value.isoformat().replace("-", "").replace(":", "")


FILTERS = {
    "ds": ds,
    "ds_nodash": ds_nodash,
    "ts": ts,
    "ts_nodash": ts_nodash,
    "ts_nodash_with_tz": ts_nodash_with_tz,
}
