"""Airflow's exception names form Airflow 2's hierarchy, and the runtime still tells them apart.

In Airflow every exception a task deals with derives from ``AirflowException`` but for
``AirflowTaskTimeout`` and ``AirflowTaskTerminated`` (``BaseException``), so DAG files write
``except AirflowException`` around calls that may skip, or retry helpers that test
``isinstance(e, AirflowException)``. The runtime must still keep a skip a skip, a
no-retry failure unretried, and a timeout uncatchable by ``except Exception``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tradewind import DAG
from tradewind.exceptions import (
    AirflowBadRequest,
    AirflowClusterPolicyViolation,
    AirflowConfigException,
    AirflowDagCycleException,
    AirflowException,
    AirflowFailException,
    AirflowNotFoundException,
    AirflowRescheduleException,
    AirflowSensorTimeout,
    AirflowSkipException,
    AirflowTaskTerminated,
    AirflowTaskTimeout,
    DuplicateTaskIdFound,
)
from tradewind.operators.python import PythonOperator
from tradewind.sensors.python import PythonSensor

UNDER_AIRFLOW_EXCEPTION = [
    AirflowSkipException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowRescheduleException,
    AirflowNotFoundException,
    AirflowConfigException,
    AirflowDagCycleException,
    DuplicateTaskIdFound,
    AirflowClusterPolicyViolation,
    AirflowBadRequest,
]


# -- the hierarchy ----------------------------------------------------------------------------
@pytest.mark.parametrize("cls", UNDER_AIRFLOW_EXCEPTION, ids=lambda c: c.__name__)
def test_airflow_names_derive_from_airflow_exception(cls: type[BaseException]) -> None:
    assert issubclass(cls, AirflowException)
    assert issubclass(AirflowException, Exception)
    error = cls(datetime.now(UTC)) if cls is AirflowRescheduleException else cls("x")
    assert isinstance(error, AirflowException)
    with pytest.raises(AirflowException):
        raise error


@pytest.mark.parametrize(
    "cls", [AirflowTaskTimeout, AirflowTaskTerminated], ids=lambda c: c.__name__
)
def test_timeout_and_termination_are_not_exceptions(cls: type[BaseException]) -> None:
    assert issubclass(cls, BaseException)
    assert not issubclass(cls, Exception)
    assert not issubclass(cls, AirflowException)
    assert not issubclass(AirflowTaskTerminated, AirflowTaskTimeout)
    with pytest.raises(cls):
        try:
            raise cls("stop")
        except Exception:  # pragma: no cover - what must not happen
            pytest.fail(f"except Exception caught {cls.__name__}")


def test_the_narrow_names_stay_apart() -> None:
    """Skip, fail and reschedule are siblings as in Airflow: none catches another."""
    for narrow in (AirflowSkipException, AirflowRescheduleException, AirflowConfigException):
        assert not issubclass(narrow, AirflowFailException)
    for narrow in (AirflowFailException, AirflowRescheduleException, AirflowSensorTimeout):
        assert not issubclass(narrow, AirflowSkipException)
    assert not issubclass(AirflowSkipException, AirflowRescheduleException)


def test_errors_tradewind_raises_are_caught_by_airflow_exception(sqlite_metastore) -> None:
    from tradewind.configuration import conf
    from tradewind.hooks.base import BaseHook

    with pytest.raises(AirflowConfigException) as config_error:
        conf.get("no_such_section", "no_such_key")
    assert isinstance(config_error.value, AirflowException)
    with pytest.raises(AirflowNotFoundException) as missing:
        BaseHook.get_connection("no_such_connection")
    assert isinstance(missing.value, AirflowException)


def test_recorded_error_texts_are_unchanged() -> None:
    from tradewind.errors import ConfigError, ConnectionNotFound, DuplicateTaskIdError
    from tradewind.runtime.try_record import _error_text

    assert _error_text(AirflowException("boom")) == "boom"
    assert _error_text(AirflowSkipException("skip me")) == "skip me"
    assert _error_text(AirflowTaskTimeout("too slow")) == "too slow"
    assert _error_text(AirflowTaskTerminated("stopped")) == "stopped"
    assert _error_text(ConfigError("bad key")) == "ConfigError: bad key"
    assert _error_text(ConnectionNotFound("no c")) == "ConnectionNotFound: no c"
    assert _error_text(DuplicateTaskIdError("dup")) == "DuplicateTaskIdError: dup"
    assert _error_text(ValueError("v")) == "ValueError: v"


# -- through the runtime ----------------------------------------------------------------------
def _skip() -> None:
    raise AirflowSkipException("nothing to do")


def _fail_for_good() -> None:
    raise AirflowFailException("bad input: retrying will not help")


def _fail() -> None:
    raise AirflowException("try again")


def _reraise_skip() -> None:
    try:
        _skip()
    except AirflowException:  # Airflow's idiom: log and re-raise whatever Airflow raised
        raise


def _catch_skip() -> str:
    try:
        _skip()
    except AirflowException as exc:
        return f"caught {type(exc).__name__}"
    return "not caught"


def _retry_helper() -> str:
    """A retry helper as DAG files write them: Airflow's own errors (a skip too) are re-raised."""
    for _attempt in range(3):
        try:
            _skip()
        except Exception as exc:
            if isinstance(exc, AirflowException):
                raise
    return "retried away"


def _swallow_timeout() -> str:
    try:
        time.sleep(5)
    except Exception:
        return "swallowed"
    return "slept"


def _swallow_termination() -> str:
    try:
        raise AirflowTaskTerminated("Task received SIGTERM signal")
    except Exception:
        return "swallowed"


def _never() -> bool:
    return False


def _poke_fails_for_good() -> bool:
    raise AirflowFailException("the condition cannot ever hold")


def _build_dag() -> DAG:
    args = {"retries": 2, "retry_delay": timedelta(seconds=0)}
    with DAG(
        "exception_hierarchy",
        schedule=None,
        start_date=datetime(2024, 1, 1),
        catchup=False,
        default_args=args,
    ) as dag:
        for task_id, call in (
            ("skip", _skip),
            ("fail_for_good", _fail_for_good),
            ("fail", _fail),
            ("reraise_skip", _reraise_skip),
            ("catch_skip", _catch_skip),
            ("retry_helper", _retry_helper),
            ("swallow_termination", _swallow_termination),
        ):
            PythonOperator(task_id=task_id, python_callable=call)
        PythonOperator(
            task_id="swallow_timeout",
            python_callable=_swallow_timeout,
            retries=0,
            execution_timeout=timedelta(seconds=0.3),
        )
        sensor = {"poke_interval": 0.01, "timeout": 0.05}
        PythonSensor(task_id="soft_timeout", python_callable=_never, soft_fail=True, **sensor)
        PythonSensor(task_id="hard_timeout", python_callable=_never, **sensor)
        PythonSensor(
            task_id="soft_fail_poke", python_callable=_poke_fails_for_good, soft_fail=True, **sensor
        )
    return dag


def test_the_runtime_tells_skip_fail_and_timeout_apart(sqlite_metastore) -> None:
    from tradewind.metastore.xcoms import pull_xcom

    result = _build_dag().test(logical_date=datetime(2024, 1, 1, tzinfo=UTC))
    got = {t.task_id: (t.state, t.try_number) for t in result.tasks}
    assert got == {
        "skip": ("skipped", 1),
        "fail_for_good": ("failed", 1),  # AirflowFailException: retries left, none used
        "fail": ("failed", 3),  # AirflowException: both retries used
        "reraise_skip": ("skipped", 1),  # except AirflowException caught it and re-raised
        "catch_skip": ("success", 1),
        "retry_helper": ("skipped", 1),  # isinstance(e, AirflowException) held
        "swallow_termination": ("failed", 3),  # not swallowed; retries apply
        "swallow_timeout": ("failed", 1),  # except Exception did not swallow the timeout
        "soft_timeout": ("skipped", 1),
        "hard_timeout": ("failed", 1),  # a sensor timeout uses no retry
        "soft_fail_poke": ("skipped", 1),
    }
    with sqlite_metastore.session() as session:
        caught = pull_xcom(session, "exception_hierarchy", result.run_id, "catch_skip")
    assert caught == "caught TaskSkipped"
