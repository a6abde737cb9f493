"""Airflow's exception names, mapped onto Tradewind's error tree (``tradewind.errors``).

``raise AirflowSkipException`` inside a task skips it, ``AirflowFailException`` fails it
without retrying, ``AirflowException`` fails the try (retries apply).
"""

from __future__ import annotations

from tradewind.errors import (
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
    TaskTimeout,
    TradewindError,
)

AirflowException = TaskFailure
AirflowSkipException = TaskSkipped
AirflowFailException = TaskFailureNoRetry
AirflowSensorTimeout = SensorTimeout
AirflowTaskTimeout = TaskTimeout
AirflowRescheduleException = RescheduleRequest
AirflowDagCycleException = CycleError
DuplicateTaskIdFound = DuplicateTaskIdError
AirflowClusterPolicyViolation = DagDefinitionError

__all__ = [
    "AirflowDagCycleException",
    "AirflowException",
    "AirflowFailException",
    "AirflowRescheduleException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "AirflowTaskTimeout",
    "DagNotFound",
    "DagRunAlreadyExists",
    "DuplicateTaskIdFound",
    "ParamValidationError",
    "TaskNotFound",
    "TradewindError",
]
