"""``BaseSensorOperator``: wait for a condition by poking, as Airflow's.

In ``poke`` mode the sensor holds its worker slot and sleeps between pokes. In ``reschedule``
mode each try pokes once and, if not done, raises :class:`RescheduleRequest`: the runtime
records ``up_for_reschedule`` and the scheduler runs it again after the interval, so the slot is
free meanwhile. The timeout counts from the first poke (``ti.first_poke_at``, kept by the
runtime across reschedules). A timeout fails the task without retries (:class:`SensorTimeout`),
or skips it with ``soft_fail``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from tradewind.errors import (
    DagDefinitionError,
    RescheduleRequest,
    SensorTimeout,
    TaskFailureNoRetry,
    TaskSkipped,
    TaskTimeout,
)
from tradewind.sdk.baseoperator import BaseOperator

VALID_MODES = ("poke", "reschedule")


@dataclass
class PokeReturnValue:
    """What ``poke`` may return instead of a bool: done or not, and a value for XCom."""

    is_done: bool
    xcom_value: Any | None = None

    def __bool__(self) -> bool:
        return bool(self.is_done)


def _seconds(value: Any, name: str, where: str) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DagDefinitionError(f"{where}: {name} must be a number of seconds or a timedelta")
    if value < 0:
        raise DagDefinitionError(f"{where}: The {name} must be a non-negative number")
    return float(value)


class BaseSensorOperator(BaseOperator):
    """Base of sensors: subclasses implement ``poke(context) -> bool | PokeReturnValue``.

    :param poke_interval: seconds (or a timedelta) between pokes
    :param timeout: seconds (or a timedelta) before the sensor gives up, from the first poke
    :param mode: ``"poke"`` (keep the slot, sleep) or ``"reschedule"`` (free it between pokes)
    :param soft_fail: skip instead of failing on timeout or on an error of the condition
    :param exponential_backoff: grow the interval between pokes exponentially (with jitter)
    :param max_wait: cap of the interval when ``exponential_backoff`` is on
    :param silent_fail: an unexpected error in ``poke`` is logged and counts as "not yet"
    :param never_fail: any error raised by ``poke`` skips the task (a timeout fails it)
    :param deferrable: accepted for Airflow's deferrable sensors; runs in reschedule mode
    """

    ui_color = "#e6f1f2"
    is_sensor: ClassVar[bool] = True
    valid_modes: ClassVar[tuple[str, ...]] = VALID_MODES

    def __init__(
        self,
        *,
        poke_interval: timedelta | float = 60,
        timeout: timedelta | float = 60 * 60 * 24 * 7,
        soft_fail: bool = False,
        mode: str = "poke",
        exponential_backoff: bool = False,
        max_wait: timedelta | float | None = None,
        silent_fail: bool = False,
        never_fail: bool = False,
        deferrable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        where = f"Sensor {self.task_id!r}"
        if deferrable:  # no triggerer: waiting without a worker slot is what reschedule does
            mode = "reschedule"
        self.poke_interval = _seconds(poke_interval, "poke_interval", where)
        self.timeout = _seconds(timeout, "timeout", where)
        if mode not in self.valid_modes:
            raise DagDefinitionError(
                f"{where}: The mode must be one of {list(self.valid_modes)}, not {mode!r}"
            )
        if soft_fail and never_fail:
            raise DagDefinitionError(f"{where}: soft_fail and never_fail are mutually exclusive")
        self.mode = mode
        self.soft_fail = soft_fail
        self.exponential_backoff = exponential_backoff
        self.max_wait = (
            max_wait
            if isinstance(max_wait, timedelta) or max_wait is None
            else timedelta(seconds=max_wait)
        )
        self.silent_fail = silent_fail
        self.never_fail = never_fail

    @property
    def reschedule(self) -> bool:
        return self.mode == "reschedule"

    def poke(self, context: dict[str, Any]) -> bool | PokeReturnValue:
        """Check the condition once."""
        raise NotImplementedError(f"{type(self).__name__} must implement poke()")

    # -- the loop -----------------------------------------------------------------------------
    def execute(self, context: dict[str, Any]) -> Any:
        if self.reschedule:
            started_at: Any = _first_poke_at(context)
            start = started_at

            def run_duration() -> float:
                return (datetime.now(UTC) - start).total_seconds()
        else:
            started_at = start_monotonic = time.monotonic()

            def run_duration() -> float:
                return time.monotonic() - start_monotonic

        poke_count = 1
        while True:
            done = self._poke_once(context)
            if done:
                self.log.info("Success criteria met. Exiting.")
                return done.xcom_value if isinstance(done, PokeReturnValue) else None
            duration = run_duration()
            if duration > self.timeout:
                message = (
                    f"Sensor has timed out; run duration of {duration} seconds exceeds the "
                    f"specified timeout of {self.timeout}."
                )
                if self.soft_fail:  # never_fail covers errors of poke, not a timeout (Airflow)
                    raise TaskSkipped(message)
                raise SensorTimeout(
                    message, hint="raise the sensor's timeout or check what it waits for"
                )
            interval = self._get_next_poke_interval(started_at, run_duration, poke_count)
            if self.reschedule:
                raise RescheduleRequest(datetime.now(UTC) + timedelta(seconds=interval))
            time.sleep(interval)
            poke_count += 1
            self.log.info("Poking again")

    def _poke_once(self, context: dict[str, Any]) -> bool | PokeReturnValue:
        try:
            return self.poke(context)
        except (SensorTimeout, TaskTimeout, TaskFailureNoRetry) as exc:
            if self.soft_fail:
                raise TaskSkipped("Skipping due to soft_fail is set to True.") from exc
            if self.never_fail:
                raise TaskSkipped("Skipping due to never_fail is set to True.") from exc
            raise
        except (TaskSkipped, RescheduleRequest):
            raise
        except Exception as exc:
            if self.silent_fail:
                self.log.error("Sensor poke failed: %s", exc)
                return False
            if self.never_fail:
                raise TaskSkipped("Skipping due to never_fail is set to True.") from exc
            raise

    def _get_next_poke_interval(
        self, started_at: Any, run_duration: Callable[[], float], poke_count: int
    ) -> float:
        """The wait before the next poke (Airflow's exponential backoff with jitter)."""
        if not self.exponential_backoff:
            return self.poke_interval
        if self.reschedule:  # the count of earlier pokes is estimated from the time waited
            elapsed, cumulative, estimated = run_duration(), 0.0, 0
            while cumulative <= elapsed:
                estimated += 1
                cumulative += self._backoff(started_at, estimated)
            poke_count = estimated or poke_count
        interval = min(self.timeout - int(run_duration()), self._backoff(started_at, poke_count))
        if self.max_wait is not None:
            interval = min(self.max_wait.total_seconds(), interval)
        self.log.info("new %s interval is %s", self.mode, interval)
        return max(interval, 0.0)

    def _backoff(self, started_at: Any, poke_count: int) -> float:
        min_backoff = max(int(self.poke_interval * (2 ** (poke_count - 2))), 1)
        seed = f"{getattr(self, 'dag_id', '')}#{self.task_id}#{started_at}#{poke_count}"
        run_hash = int(hashlib.sha1(seed.encode()).hexdigest(), 16)
        return float(min(min_backoff + run_hash % min_backoff, timedelta.max.total_seconds() - 1))


def _first_poke_at(context: dict[str, Any]) -> datetime:
    """When the sensor first poked in this series of reschedules (now for a first poke)."""
    ti = context.get("ti")
    first = getattr(ti, "first_poke_at", None) if ti is not None else None
    if isinstance(first, datetime):
        return first if first.tzinfo else first.replace(tzinfo=UTC)
    return datetime.now(UTC)
