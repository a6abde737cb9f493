"""Airflow's exception names, mapped onto Tradewind's error tree (``tradewind.errors``).

``raise AirflowSkipException`` inside a task skips it, ``AirflowFailException`` fails it
without retrying, ``AirflowException`` fails the try (retries apply).

The hierarchy is Airflow's: every name below but two derives from ``AirflowException``
(``TaskFailure``), so ``except AirflowException`` in a task catches a skip too, as in Airflow;
``AirflowTaskTimeout`` and ``AirflowTaskTerminated`` are not ``Exception``s, so a task's
``except Exception`` cannot swallow them.
"""

from __future__ import annotations

from tradewind.errors import (
    ConfigError,
    ConnectionNotFound,
    CycleError,
    DagDefinitionError,
    DagNotFound,
    DagRunAlreadyExists,
    DuplicateTaskIdError,
    ParamValidationError,
    RescheduleRequest,
    SensorTimeout,
    TaskFailure,
    TaskFailureNoRetry,
    TaskNotFound,
    TaskSkipped,
    TaskTerminated,
    TaskTimeout,
    TradewindError,
)
from tradewind.runtime.mapped_dependants import UnmappableXComTypePushed, XComForMappingNotPushed

AirflowException = TaskFailure
AirflowSkipException = TaskSkipped
AirflowFailException = TaskFailureNoRetry
AirflowSensorTimeout = SensorTimeout
AirflowTaskTimeout = TaskTimeout
AirflowRescheduleException = RescheduleRequest
AirflowDagCycleException = CycleError
DuplicateTaskIdFound = DuplicateTaskIdError
AirflowClusterPolicyViolation = DagDefinitionError
AirflowConfigException = ConfigError
AirflowNotFoundException = ConnectionNotFound
AirflowTaskTerminated = TaskTerminated


class AirflowBadRequest(TaskFailure):
    """Raised by user code on a bad request to an external system (fails the try)."""


__all__ = [
    "AirflowBadRequest",
    "AirflowClusterPolicyViolation",
    "AirflowConfigException",
    "AirflowDagCycleException",
    "AirflowException",
    "AirflowFailException",
    "AirflowNotFoundException",
    "AirflowRescheduleException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "AirflowTaskTerminated",
    "AirflowTaskTimeout",
    "DagNotFound",
    "DagRunAlreadyExists",
    "DuplicateTaskIdFound",
    "ParamValidationError",
    "TaskNotFound",
    "TradewindError",
    "UnmappableXComTypePushed",
    "XComForMappingNotPushed",
]
