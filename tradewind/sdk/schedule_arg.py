"""Turning a DAG's ``schedule`` argument (preset, cron, timedelta, timetable...) into a
ScheduleSpec."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from tradewind.core.spec import ScheduleSpec
from tradewind.errors import ScheduleError
from tradewind.sdk.dataset import BaseDataset, Dataset, DatasetAll
from tradewind.timetables.base import Timetable, timetable_schedule_spec

#: Airflow's cron presets.
CRON_PRESETS: dict[str, str] = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@midnight": "0 0 * * *",
}

#: Airflow 2's default when a DAG names no schedule at all.
DEFAULT_SCHEDULE = timedelta(days=1)


def schedule_spec(schedule: Any, dag_id: str) -> ScheduleSpec:
    """Validate ``schedule`` and return its plain-data form; ScheduleError names the DAG."""
    if schedule is None:
        return ScheduleSpec(kind="none", description="None")
    if isinstance(schedule, str):
        return _string_schedule(schedule, dag_id)
    if isinstance(schedule, timedelta):
        if schedule.total_seconds() <= 0:
            raise ScheduleError(
                f"DAG {dag_id!r}: a timedelta schedule must be positive, got {schedule!r}"
            )
        return ScheduleSpec(
            kind="delta", seconds=schedule.total_seconds(), description=str(schedule)
        )
    if isinstance(schedule, BaseDataset):
        return _dataset_schedule(schedule)
    if isinstance(schedule, Timetable):
        return timetable_schedule_spec(schedule, dag_id)
    if (
        isinstance(schedule, Sequence)
        and schedule
        and all(isinstance(d, BaseDataset) for d in schedule)
    ):
        if all(isinstance(d, Dataset) for d in schedule):
            uris = tuple(dict.fromkeys(d.uri for d in schedule))
            return ScheduleSpec(
                kind="datasets", dataset_uris=uris, description=f"Dataset: {', '.join(uris)}"
            )
        return _dataset_schedule(DatasetAll(*schedule))  # a list means "all of them"
    raise ScheduleError(
        f"DAG {dag_id!r}: cannot understand schedule {schedule!r}",
        hint="use None, a preset like '@daily', a cron string, a timedelta, a timetable, "
        "Datasets (a list, or combined with | and &)",
    )


def _dataset_schedule(condition: BaseDataset) -> ScheduleSpec:
    """A schedule on one dataset, or on a condition (``a | b``, ``a & b``) over several."""
    uris = tuple(d.uri for d in condition.iter_datasets())
    if isinstance(condition, Dataset):
        return ScheduleSpec(kind="datasets", dataset_uris=uris, description=f"Dataset: {uris[0]}")
    data = condition.as_data()
    return ScheduleSpec(
        kind="datasets",
        dataset_uris=uris,
        dataset_condition=data,
        description=f"Dataset: {_describe(data)}",
    )


def _describe(data: str | tuple[Any, ...]) -> str:
    """``(s3://a | (s3://b & s3://c))``: a condition as the user wrote it."""
    if isinstance(data, str):
        return data
    kind, *items = data
    joiner = " | " if kind == "any" else " & "
    return "(" + joiner.join(_describe(item) for item in items) + ")"


def _string_schedule(text: str, dag_id: str) -> ScheduleSpec:
    value = text.strip()
    if value == "@once":
        return ScheduleSpec(kind="once", description="@once")
    if value == "@continuous":
        return ScheduleSpec(kind="continuous", description="@continuous")
    expression = CRON_PRESETS.get(value, value)
    if value.startswith("@") and value not in CRON_PRESETS:
        raise ScheduleError(
            f"DAG {dag_id!r}: unknown schedule preset {text!r}",
            hint=f"use one of @once, @continuous, {', '.join(CRON_PRESETS)}, or a cron string",
        )
    if len(expression.split()) not in (5, 6):
        raise ScheduleError(
            f"DAG {dag_id!r}: invalid cron expression {text!r}",
            hint="a cron string has five fields, e.g. '0 6 * * *' (06:00 every day)",
        )
    from tradewind.core.timetables import check_cron

    try:  # names the field out of range, or a date that never comes
        check_cron(expression, shown=text)
    except ScheduleError as exc:
        raise ScheduleError(f"DAG {dag_id!r}: {exc.message}", hint=exc.hint) from None
    return ScheduleSpec(kind="cron", expression=expression, description=text)
