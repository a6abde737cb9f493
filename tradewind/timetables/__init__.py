"""Airflow's built-in timetables (``airflow.timetables.*``), for ``DAG(schedule=...)``."""

from __future__ import annotations

from typing import Any

from tradewind.timetables.base import Timetable
from tradewind.timetables.events import EventsTimetable
from tradewind.timetables.interval import CronDataIntervalTimetable, DeltaDataIntervalTimetable
from tradewind.timetables.simple import ContinuousTimetable, NullTimetable, OnceTimetable
from tradewind.timetables.trigger import CronTriggerTimetable

__all__ = [
    "ContinuousTimetable",
    "CronDataIntervalTimetable",
    "CronTriggerTimetable",
    "DagRunInfo",
    "DataInterval",
    "DeltaDataIntervalTimetable",
    "EventsTimetable",
    "NullTimetable",
    "OnceTimetable",
    "Timetable",
]


def __getattr__(name: str) -> Any:
    """``DataInterval`` and ``DagRunInfo``, loaded on first use (they need croniter)."""
    from tradewind.timetables import base

    return getattr(base, name)
