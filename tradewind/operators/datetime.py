"""``BranchDateTimeOperator``: follow one branch inside a time window, another outside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from tradewind.errors import DagDefinitionError
from tradewind.operators.branch import BaseBranchOperator


def target_times_as_dates(
    base_date: dt.datetime,
    lower: dt.datetime | dt.time | None,
    upper: dt.datetime | dt.time | None,
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Turn times of day into datetimes on ``base_date`` (an upper before lower is next day)."""
    if isinstance(lower, dt.datetime) and isinstance(upper, dt.datetime):
        return lower, upper
    if isinstance(lower, dt.time):
        lower = dt.datetime.combine(base_date, lower)
    if isinstance(upper, dt.time):
        upper = dt.datetime.combine(base_date, upper)
    if lower is None or upper is None:
        return lower, upper  # type: ignore[return-value]
    if upper < lower:
        upper += dt.timedelta(days=1)
    return lower, upper  # type: ignore[return-value]


class BranchDateTimeOperator(BaseBranchOperator):
    """Follow ``follow_task_ids_if_true`` when now (or the logical date) is in
    [target_lower, target_upper], else ``follow_task_ids_if_false``."""

    def __init__(
        self,
        *,
        follow_task_ids_if_true: str | Iterable[str],
        follow_task_ids_if_false: str | Iterable[str],
        target_lower: dt.datetime | dt.time | None,
        target_upper: dt.datetime | dt.time | None,
        use_task_logical_date: bool = False,
        use_task_execution_date: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for target in (target_lower, target_upper):
            if target is not None and not isinstance(target, dt.datetime | dt.time):
                raise DagDefinitionError(
                    f"Task {self.task_id!r}: target_lower/target_upper must be datetime or "
                    f"time, got {type(target).__name__}"
                )
        if target_lower is None and target_upper is None:
            raise DagDefinitionError(
                f"Task {self.task_id!r}: Both target_upper and target_lower are None. "
                "At least one must be defined."
            )
        self.target_lower = target_lower
        self.target_upper = target_upper
        self.follow_task_ids_if_true = follow_task_ids_if_true
        self.follow_task_ids_if_false = follow_task_ids_if_false
        self.use_task_logical_date = use_task_logical_date or use_task_execution_date

    def _zone(self) -> dt.tzinfo:
        start = self.dag.start_date if self.dag is not None else None
        return start.tzinfo if start is not None and start.tzinfo else ZoneInfo("UTC")

    def choose_branch(self, context: dict[str, Any]) -> str | Iterable[str]:
        zone = self._zone()
        now = context["logical_date"] if self.use_task_logical_date else dt.datetime.now(zone)
        if now.tzinfo is None:
            now = now.replace(tzinfo=zone)
        local_now = now.astimezone(zone).replace(tzinfo=None)
        lower, upper = target_times_as_dates(local_now, self.target_lower, self.target_upper)
        lower_aware = _aware(lower, zone)
        upper_aware = _aware(upper, zone)
        if upper_aware is not None and upper_aware < now:
            return self.follow_task_ids_if_false
        if lower_aware is not None and lower_aware > now:
            return self.follow_task_ids_if_false
        return self.follow_task_ids_if_true


def _aware(value: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone)


__all__ = ["BranchDateTimeOperator", "target_times_as_dates"]
