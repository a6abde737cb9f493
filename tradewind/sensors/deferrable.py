"""What Airflow's deferrable time sensors (``TimeDeltaSensorAsync``, ``TimeSensorAsync``,
``DateTimeSensorAsync``) become without a triggerer.

Airflow hands the wait to its triggerer, which wakes the task at the target time. Here the
sensor runs in reschedule mode instead: each try pokes once and frees its worker slot, and the
next poke is due at the target time or after ``poke_interval``, whichever comes first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tradewind.sensors.base import BaseSensorOperator

#: Airflow's arguments about the trigger; kept as attributes, with no effect on the wait
TRIGGER_ARGUMENTS = ("start_from_trigger", "end_from_trigger", "trigger_kwargs")


class RescheduleUntilTargetMixin(BaseSensorOperator):
    """Reschedule mode whatever ``mode``/``deferrable`` say; waits no later than the target.

    Subclasses name the moment they wait for in :meth:`wake_at`.
    """

    def __init__(
        self,
        *,
        start_from_trigger: bool = False,
        end_from_trigger: bool = False,
        trigger_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("deferrable", None)
        kwargs.pop("mode", None)
        super().__init__(deferrable=True, **kwargs)
        self.start_from_trigger = start_from_trigger
        self.end_from_trigger = end_from_trigger
        self.trigger_kwargs = trigger_kwargs or {}
        self._wake_at: datetime | None = None

    def wake_at(self, context: dict[str, Any]) -> datetime | None:
        """The moment the condition becomes true (None: unknown, wait ``poke_interval``)."""
        return None

    def poke(self, context: dict[str, Any]) -> Any:
        done = super().poke(context)
        self._wake_at = None if done else self.wake_at(context)
        return done

    def _get_next_poke_interval(self, started_at: Any, run_duration: Any, poke_count: int) -> float:
        interval = super()._get_next_poke_interval(started_at, run_duration, poke_count)
        if self._wake_at is None:
            return interval
        until = (self._wake_at - datetime.now(UTC)).total_seconds()
        return max(min(interval, until), 0.0)
