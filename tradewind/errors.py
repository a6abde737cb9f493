"""One error tree for every package.

Every error a user can cause carries a ``hint`` saying what to do about it. The CLI turns a
``TradewindError`` into one red line, the REST API into a 4xx JSON body.
"""

from __future__ import annotations


class TradewindError(Exception):
    """Base of every error Tradewind raises on purpose."""

    hint: str = ""

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class TaskFailure(TradewindError):
    """Raised inside a task to fail the try (retries still apply).

    It is also Airflow's ``AirflowException`` (``tradewind.exceptions``), so, as in Airflow, the
    errors that name maps over derive from it: skip, reschedule, sensor timeout, no-retry
    failure, configuration, DAG definition, missing connection. ``except AirflowException`` in
    a task catches them all; the runtime tells them apart by testing the narrower classes first.
    """


class ConfigError(TaskFailure):
    """A configuration value is missing or malformed; the message names the key."""


class DagDefinitionError(TaskFailure):
    """A DAG or task was declared wrongly (bad argument, duplicate id, cycle...)."""


class CycleError(DagDefinitionError):
    """The task graph has a cycle; the message names it."""


class DuplicateTaskIdError(DagDefinitionError):
    """Two tasks in one DAG share an id."""


class ScheduleError(DagDefinitionError):
    """A schedule (cron string, preset, timedelta) cannot be understood."""


class DagNotFound(TradewindError):
    """No DAG with that id is known."""

    hint = "run `tradewind dags list` to see the DAGs that are known"


class DagRunNotFound(TradewindError):
    """No run with that id exists for the DAG."""


class DagRunAlreadyExists(TradewindError):
    """A run with that id or logical date exists already."""


class TaskNotFound(TradewindError):
    """No task with that id in the DAG."""


class DagImportError(TradewindError):
    """A DAG file failed to import."""


class IllegalTransition(TradewindError):
    """A state write that the transition table does not allow."""


class MetastoreError(TradewindError):
    """The metastore cannot be reached or is not initialised."""

    hint = "check TRADEWIND__DATABASE__URL and run `tradewind db init`"


class BrokerError(TradewindError):
    """The broker cannot be reached or its URL is malformed."""


class ParamValidationError(TradewindError):
    """A run's conf does not satisfy the DAG's params."""


class ConnectionNotFound(TaskFailure):
    """No connection with that id."""


class VariableNotFound(TradewindError, KeyError):
    """No variable with that key."""

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return TradewindError.__str__(self)


class TaskFailureNoRetry(TaskFailure):
    """Raised inside a task to fail it without using its remaining retries."""


class TaskSkipped(TaskFailure):
    """Raised inside a task to mark it skipped."""


class TaskTimeout(BaseException):
    """The try ran past its execution_timeout.

    A ``BaseException``, as Airflow's ``AirflowTaskTimeout`` since 2.8: a task's own
    ``except Exception`` cannot swallow its timeout and carry on. The try fails (and is
    retried if it has retries left)."""


class TaskTerminated(SystemExit):
    """The try was told to stop (Airflow's ``AirflowTaskTerminated``).

    Not an ``Exception``, as Airflow's, so a task's ``except Exception`` does not swallow it. A
    ``SystemExit``, so the runtime records it as a failure of the try (retries still apply)."""


class SensorTimeout(TaskFailureNoRetry):
    """A sensor waited past its timeout."""


class XComTooLarge(TaskFailure):
    """An XCom value is larger than the configured limit."""


class TemplateError(TaskFailure):
    """A templated field failed to render."""


class AuthError(TradewindError):
    """Bad credentials or a missing permission."""


class RescheduleRequest(TaskFailure):
    """Raised by a sensor in reschedule mode: free the slot, poke again at ``reschedule_at``."""

    def __init__(self, reschedule_at: object) -> None:
        super().__init__(f"reschedule at {reschedule_at}")
        self.reschedule_at = reschedule_at
