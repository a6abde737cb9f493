"""The date entries of a task context (``ds``, ``ts``, ``prev_ds``...), named as in Airflow.

The datetimes are pendulum ``DateTime`` objects in UTC, as Airflow gives them, so a task or a
template may write ``logical_date.in_timezone("Europe/Berlin")``, ``.add(days=1)`` or
``.format("YYYYMMDD")``; the ``ds``/``ts`` strings are the same as from plain datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, overload

import pendulum
from pendulum import DateTime


@overload
def to_pendulum(value: datetime) -> DateTime: ...
@overload
def to_pendulum(value: None) -> None: ...
def to_pendulum(value: datetime | None) -> DateTime | None:
    """``value`` as a pendulum ``DateTime`` in UTC (None stays None)."""
    if value is None:
        return None
    if isinstance(value, DateTime) and value.tzinfo is pendulum.UTC:
        return value
    return _converted(value)


@lru_cache(maxsize=1024)
def _converted(value: datetime) -> DateTime:
    """Each try of a run converts the same few dates (an equal instant gives the same
    answer, whatever its zone: the result is in UTC)."""
    return DateTime.instance(value.astimezone(UTC), tz=pendulum.UTC)


#: the run's dates that the context also gives as pendulum DateTimes
_RUN_DATES = ("logical_date", "data_interval_start", "data_interval_end", "start_date", "end_date")


def pendulum_run_dates(dag_run: Any) -> None:
    """Make ``dag_run``'s dates pendulum DateTimes (the same instants), as the context's are.

    A DagRun row gets them as loaded values, so it is not marked changed; a date changed but not
    yet flushed, or not loaded, is left alone."""
    state = getattr(dag_run, "_sa_instance_state", None)
    if state is None:
        for name in _RUN_DATES:
            value = getattr(dag_run, name, None)
            if _aware(value):
                try:
                    setattr(dag_run, name, to_pendulum(value))
                except (AttributeError, TypeError):  # a read-only look-alike
                    return
        return
    from sqlalchemy.orm.attributes import set_committed_value

    for name in _RUN_DATES:
        value = state.dict.get(name)
        if _aware(value) and name not in state.committed_state:
            set_committed_value(dag_run, name, to_pendulum(value))


def _aware(value: Any) -> bool:
    """A zone-aware datetime that is not a pendulum ``DateTime`` in UTC already."""
    if isinstance(value, DateTime):
        return value.tzinfo is not pendulum.UTC
    return isinstance(value, datetime) and value.tzinfo is not None


def pendulum_columns(columns: dict[str, Any]) -> dict[str, Any]:
    """A run's column values with its dates as pendulum ``DateTime``s (a worker builds each
    try's run from them: converted before the row exists, the context has nothing to do)."""
    for name in _RUN_DATES:
        value = columns.get(name)
        if _aware(value):
            columns[name] = to_pendulum(value)
    return columns


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
    """The date names of the context, from the run's dates (pendulum, UTC). As in Airflow 2,
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
    logical_date = to_pendulum(logical_date)
    start = to_pendulum(data_interval_start) or logical_date
    end = to_pendulum(data_interval_end) or logical_date
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
