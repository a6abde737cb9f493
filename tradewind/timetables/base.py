"""``airflow.timetables.base``: the Timetable base class.

A built-in timetable stands for a :class:`~tradewind.core.spec.ScheduleSpec`, which the
scheduler works from; a user-written subclass cannot be scheduled (``schedule_spec`` says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradewind.core.spec import ScheduleSpec
from tradewind.errors import ScheduleError

if TYPE_CHECKING:
    from tradewind.core.timetables import DagRunInfo, DataInterval

__all__ = ["DagRunInfo", "DataInterval", "Timetable", "timetable_schedule_spec"]


def __getattr__(name: str) -> Any:
    """``DataInterval`` and ``DagRunInfo``, loaded on first use (they need croniter)."""
    if name in ("DataInterval", "DagRunInfo"):
        from tradewind.core import timetables

        return getattr(timetables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Timetable:
    """Base of the timetables; subclass only the built-in ones' behaviour is scheduled."""

    description: str = ""
    periodic: bool = True
    can_be_scheduled: bool = True
    run_ordering: tuple[str, ...] = ("data_interval_end", "execution_date")
    #: at most this many active runs (``@continuous``: 1); None for no limit
    active_runs_limit: int | None = None

    @property
    def summary(self) -> str:
        return type(self).__name__

    def _to_spec(self) -> ScheduleSpec:
        """The plain-data schedule this timetable stands for (built-in timetables only)."""
        raise NotImplementedError


#: the timetable classes the scheduler can compute runs for (filled by their modules)
BUILTIN: set[type[Timetable]] = set()


def builtin(cls: type[Timetable]) -> type[Timetable]:
    """Class decorator: mark ``cls`` (not its subclasses) as scheduled by Tradewind."""
    BUILTIN.add(cls)
    return cls


def timetable_schedule_spec(timetable: Timetable, dag_id: str) -> ScheduleSpec:
    """The ScheduleSpec of a built-in timetable; ScheduleError naming a custom one."""
    cls = type(timetable)
    if cls not in BUILTIN:
        raise ScheduleError(
            f"DAG {dag_id!r}: custom timetable {cls.__module__}.{cls.__qualname__} "
            "is not supported",
            hint="use a built-in timetable (CronTriggerTimetable, CronDataIntervalTimetable, "
            "DeltaDataIntervalTimetable, EventsTimetable), a cron string, a preset or a timedelta",
        )
    return timetable._to_spec()


def zone_name(tz: Any) -> str:
    """The IANA name of ``tz`` (a name, a ZoneInfo, or a pendulum time zone)."""
    name = tz if isinstance(tz, str) else None
    for attr in ("key", "name", "zone"):
        if name is None and isinstance(getattr(tz, attr, None), str):
            name = getattr(tz, attr)
    if name is None:
        raise ScheduleError(
            f"cannot name the time zone {tz!r}", hint="use an IANA name such as 'Europe/Berlin'"
        )
    from tradewind.core.timetables import zone_for

    zone_for(name)
    return name


def cron_expression(cron: str) -> str:
    """``cron`` with Airflow's presets resolved; ScheduleError if it is not a cron string."""
    from tradewind.core.timetables import check_cron
    from tradewind.sdk.schedule_arg import CRON_PRESETS

    text = cron.strip()
    expression = CRON_PRESETS.get(text, text)
    check_cron(expression, shown=text)
    return expression
