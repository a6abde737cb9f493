"""Run one try of a task instance: the code every executor, worker and ``dags test`` shares.

Precondition: the try was claimed (the task instance is ``running`` at ``try_key.try_number``).
One transaction reads the run and clears the instance's old XComs; the task runs with its log
file open; one transaction writes the outcome (XCom, state by compare-and-set, try history,
dataset events). Callbacks and e-mail come after, and never change the state.
"""

from __future__ import annotations

import copy
import logging
import os
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import select

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.errors import (
    RescheduleRequest,
    TaskFailure,
    TaskFailureNoRetry,
    TaskSkipped,
    TaskTimeout,
)
from tradewind.runtime.secrets_masker import redact

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger("tradewind.task")


@dataclass
class _Start:
    """What the try needs from the metastore, read once."""

    dag_run: Any
    max_tries: int
    start_date: datetime
    first_poke_at: datetime | None
    operator: str | None
    queue: str | None
    pool: str | None
    priority_weight: int | None


@dataclass
class _Outcome:
    state: TaskState
    result: Any = None
    error: BaseException | None = None
    reschedule_at: datetime | None = None
    rendered: dict[str, Any] = field(default_factory=dict)
    reraise: BaseException | None = None
    #: the operator that ran (unmapped / copied for this try)
    task: Any = None


def base_log_folder(settings: Settings) -> str:
    return settings.logging.base_log_folder or os.path.join(settings.home, "logs")


def run_try(
    metastore: Metastore,
    task: Any,
    try_key: TryKey,
    *,
    settings: Settings,
    hostname: str,
    worker_name: str | None = None,
    test_mode: bool = False,
    echo: TextIO | None = None,
) -> TaskState:
    """Run the claimed try ``try_key`` of ``task`` (an operator or a MappedOperator of the
    loaded DAG) and record its outcome; returns the state written.

    ``echo`` also receives the try's log lines (``tasks test`` prints them).
    """
    from tradewind.runtime.callbacks import run_after_try
    from tradewind.runtime.task_log import open_try_log

    start = _load_start(metastore, try_key)
    if isinstance(start, TaskState):
        return start
    with open_try_log(base_log_folder(settings), try_key) as try_log:
        if echo is not None:
            handler = logging.StreamHandler(echo)
            handler.setFormatter(try_log.handler.formatter)
            try_log.add_handler(handler)
        ti, context, run_task = _prepare(metastore, task, try_key, start, settings, hostname)
        ti.log_url = str(try_log.path)
        outcome = _execute(run_task, ti, context, start, try_key)
        state = _finish(metastore, run_task, ti, try_key, start, outcome, settings, hostname)
        if state is not None:
            error = outcome.error
            run_after_try(outcome.task or task, context, state, error, settings=settings, ti=ti)
        final = state or _current_state(metastore, try_key)
    if outcome.reraise is not None:
        raise outcome.reraise
    return final


# -- start ------------------------------------------------------------------------------------
def _load_start(metastore: Metastore, key: TryKey) -> _Start | TaskState:
    from tradewind.metastore.models import DagRun, TaskInstance
    from tradewind.metastore.xcoms import delete_xcoms

    with metastore.session() as session:
        row = session.execute(
            select(
                TaskInstance.state,
                TaskInstance.try_number,
                TaskInstance.max_tries,
                TaskInstance.start_date,
                TaskInstance.first_poke_at,
                TaskInstance.operator,
                TaskInstance.queue,
                TaskInstance.pool,
                TaskInstance.priority_weight,
            ).where(
                TaskInstance.dag_id == key.dag_id,
                TaskInstance.run_id == key.run_id,
                TaskInstance.task_id == key.task_id,
                TaskInstance.map_index == key.map_index,
            )
        ).first()
        if row is None:
            log.error("Task instance of %s not found: not running it", key)
            return TaskState.REMOVED
        if row.state != TaskState.RUNNING or row.try_number != key.try_number:
            log.warning(
                "Not running %s: the task instance is %s at try %s", key, row.state, row.try_number
            )
            return TaskState(row.state)
        dag_run = session.execute(
            select(DagRun).where(DagRun.dag_id == key.dag_id, DagRun.run_id == key.run_id)
        ).scalar_one()
        delete_xcoms(session, key.ti_key)
        session.expunge(dag_run)
    return _Start(
        dag_run=dag_run,
        max_tries=row.max_tries,
        start_date=row.start_date or datetime.now(UTC),
        first_poke_at=row.first_poke_at,
        operator=row.operator,
        queue=row.queue,
        pool=row.pool,
        priority_weight=row.priority_weight,
    )


def _prepare(
    metastore: Metastore,
    task: Any,
    key: TryKey,
    start: _Start,
    settings: Settings,
    hostname: str,
) -> tuple[Any, Any, Any]:
    from tradewind.runtime.context import build_context
    from tradewind.runtime.task_instance import RuntimeTaskInstance

    ti = RuntimeTaskInstance(
        key=key,
        task=task,
        metastore=metastore,
        max_tries=start.max_tries,
        hostname=hostname,
        start_date=start.start_date,
        xcom_max_size=settings.core.xcom_max_size,
        logical_date=start.dag_run.logical_date,
        operator=start.operator,
        queue=start.queue,
        pool=start.pool,
        priority_weight=start.priority_weight,
    )
    ti.first_poke_at = start.first_poke_at or start.start_date  # type: ignore[attr-defined]
    context = build_context(
        dag=getattr(task, "dag", None),
        task=task,
        ti=ti,
        dag_run=start.dag_run,
        metastore=metastore,
    )
    return ti, context, task


def _unmap(task: Any, context: Any, map_index: int) -> Any:
    """The try's own operator: unmapped for its index, or a copy (rendering overwrites it)."""
    if hasattr(task, "unmap_for_index"):
        return task.unmap_for_index(map_index, lambda arg: arg.resolve(context))
    if hasattr(task, "prepare_for_execution"):
        return task.prepare_for_execution()
    return copy.copy(task)


# -- execute ----------------------------------------------------------------------------------
def _execute(task: Any, ti: Any, context: Any, start: _Start, key: TryKey) -> _Outcome:
    from tradewind.runtime.callbacks import run_callbacks
    from tradewind.runtime.context import current_context
    from tradewind.runtime.timeout import execution_timeout
    from tradewind.templating.render import render_template_fields

    log.info("Starting attempt %s of %s", key.try_number, start.max_tries + 1)
    run_task = task
    rendered: dict[str, Any] = {}
    try:
        run_task = _unmap(task, context, key.map_index)
        ti.task = run_task
        context["task"] = run_task
        rendered = render_template_fields(run_task, context)
        log.info(
            "Executing <Task(%s): %s> on %s",
            type(run_task).__name__,
            key.task_id,
            context["logical_date"].isoformat(),
        )
        timeout = getattr(run_task, "execution_timeout", None)
        run_callbacks(getattr(run_task, "on_execute_callback", None), context, what="on_execute")
        with (
            current_context(context),
            execution_timeout(timeout, on_timeout=lambda: _kill(run_task)),
        ):
            pre = getattr(run_task, "pre_execute", None)
            if callable(pre):
                pre(context)
            result = run_task.execute(context)
            post = getattr(run_task, "post_execute", None)
            if callable(post):
                post(context, result)
        _check_multiple_outputs(run_task, result)
        outcome = _Outcome(TaskState.SUCCESS, result=result)
    except TaskSkipped as exc:
        log.info("Skipping task: %s", exc)
        outcome = _Outcome(TaskState.SKIPPED, error=exc)
    except RescheduleRequest as exc:
        log.info("Rescheduling task, next poke at %s", exc.reschedule_at)
        outcome = _Outcome(TaskState.UP_FOR_RESCHEDULE, reschedule_at=_aware(exc.reschedule_at))
    except TaskTimeout as exc:
        log.error("%s", exc)
        _kill(run_task)
        outcome = _failure(exc, ti)
    except (Exception, SystemExit) as exc:
        log.error("Task failed with exception\n%s", _format_exc(exc))
        outcome = _failure(exc, ti)
    except KeyboardInterrupt as exc:
        log.error("Task received an interrupt: killing it")
        _kill(run_task)
        outcome = _failure(exc, ti)
        outcome.reraise = exc
    outcome.rendered = rendered
    outcome.task = run_task
    context["task"] = run_task
    return outcome


def _failure(exc: BaseException, ti: Any) -> _Outcome:
    no_retry = isinstance(exc, TaskFailureNoRetry)
    if not no_retry and ti.try_number <= ti.max_tries:
        return _Outcome(TaskState.UP_FOR_RETRY, error=exc)
    return _Outcome(TaskState.FAILED, error=exc)


def _kill(task: Any) -> None:
    on_kill = getattr(task, "on_kill", None)
    if callable(on_kill):
        try:
            on_kill()
        except Exception:
            log.exception("on_kill of %s failed", getattr(task, "task_id", task))


def _check_multiple_outputs(task: Any, result: Any) -> None:
    if not getattr(task, "multiple_outputs", False) or not getattr(task, "do_xcom_push", True):
        return
    if result is not None and not isinstance(result, Mapping):
        raise TaskFailure(
            f"Returned output was type {type(result).__name__}, "
            "expected a dictionary for multiple_outputs"
        )


def _format_exc(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()


def _aware(value: Any) -> datetime:
    if isinstance(value, timedelta):
        return datetime.now(UTC) + value
    if isinstance(value, int | float):
        return datetime.now(UTC) + timedelta(seconds=value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _error_text(exc: BaseException | None) -> str | None:
    if exc is None:
        return None
    message = str(exc) or type(exc).__name__
    if not isinstance(exc, TaskFailure | TaskSkipped):
        message = f"{type(exc).__name__}: {message}"
    return redact(message)


# -- finish -----------------------------------------------------------------------------------
def _retry_delay(task: Any, key: TryKey, logical_date: datetime) -> float:
    from tradewind.core.backoff import retry_delay_seconds
    from tradewind.core.spec import TaskSpec

    def seconds(value: Any) -> float | None:
        if value is None:
            return None
        return value.total_seconds() if isinstance(value, timedelta) else float(value)

    spec = TaskSpec(
        task_id=key.task_id,
        retry_delay=seconds(getattr(task, "retry_delay", None)) or 0.0,
        retry_exponential_backoff=bool(getattr(task, "retry_exponential_backoff", False)),
        max_retry_delay=seconds(getattr(task, "max_retry_delay", None)),
    )
    return retry_delay_seconds(spec, key.try_number, dag_id=key.dag_id, logical_date=logical_date)


def _push_result(session: Any, task: Any, key: TryKey, result: Any, max_size: int) -> None:
    from tradewind.metastore.xcoms import RETURN_VALUE, push_xcom

    if result is None or not getattr(task, "do_xcom_push", True):
        return
    with session.begin_nested():
        if getattr(task, "multiple_outputs", False) and isinstance(result, Mapping):
            for name, value in result.items():
                push_xcom(session, key.ti_key, str(name), value, max_size=max_size)
        push_xcom(session, key.ti_key, RETURN_VALUE, result, max_size=max_size)


def _finish(
    metastore: Metastore,
    task: Any,
    ti: Any,
    key: TryKey,
    start: _Start,
    outcome: _Outcome,
    settings: Settings,
    hostname: str,
) -> TaskState | None:
    """Write the outcome; None when the instance was changed by someone else meanwhile."""
    from tradewind.metastore.transitions import record_try, set_task_state
    from tradewind.runtime.datasets import record_dataset_events
    from tradewind.templating.render import storable_rendered_fields

    run_task = outcome.task or task
    with metastore.session() as session:
        if outcome.state == TaskState.SUCCESS:
            try:
                _push_result(session, run_task, key, outcome.result, settings.core.xcom_max_size)
            except TaskFailure as exc:
                log.error("%s", exc)
                failed = _failure(exc, ti)
                outcome.state, outcome.error = failed.state, failed.error
        now = datetime.now(UTC)
        fields: dict[str, Any] = {
            "end_date": now,
            "duration": (now - start.start_date).total_seconds(),
            "next_try_at": None,
            "first_poke_at": None,
        }
        if outcome.rendered:
            fields["rendered_fields"] = storable_rendered_fields(outcome.rendered)
        if outcome.state == TaskState.UP_FOR_RETRY:
            delay = _retry_delay(run_task, key, start.dag_run.logical_date)
            fields["next_try_at"] = now + timedelta(seconds=delay)
        elif outcome.state == TaskState.UP_FOR_RESCHEDULE:
            fields["next_try_at"] = outcome.reschedule_at
            fields["first_poke_at"] = start.first_poke_at or start.start_date
        moved = set_task_state(
            session,
            key.ti_key,
            outcome.state,
            expected=[TaskState.RUNNING],
            try_number=key.try_number,
            **fields,
        )
        if not moved:
            session.rollback()
            log.warning(
                "The state of %s was changed while it ran: not recording %s",
                key,
                outcome.state.value,
            )
            return None
        record_try(
            session,
            key,
            outcome.state,
            hostname=hostname,
            start_date=start.start_date,
            end_date=now,
            duration=fields["duration"],
            error=_error_text(outcome.error),
            operator=start.operator,
            queue=start.queue,
        )
        outlets = getattr(run_task, "outlets", None)
        if outcome.state == TaskState.SUCCESS and outlets:
            record_dataset_events(session, outlets, key.ti_key, timestamp=now)
    ti.state = outcome.state.value
    ti.end_date = now
    _log_final(outcome, key, start, now)
    return outcome.state


def _log_final(outcome: _Outcome, key: TryKey, start: _Start, now: datetime) -> None:
    label = outcome.state.value.upper()
    log.info(
        "Marking task as %s. dag_id=%s, task_id=%s, run_id=%s, map_index=%s, "
        "start_date=%s, end_date=%s",
        label,
        key.dag_id,
        key.task_id,
        key.run_id,
        key.map_index,
        start.start_date.isoformat(),
        now.isoformat(),
    )
    if outcome.state == TaskState.UP_FOR_RETRY:
        log.info("The try failed; another try follows after its retry delay")


def _current_state(metastore: Metastore, key: TryKey) -> TaskState:
    from tradewind.metastore.models import TaskInstance

    with metastore.session() as session:
        state = session.execute(
            select(TaskInstance.state).where(
                TaskInstance.dag_id == key.dag_id,
                TaskInstance.run_id == key.run_id,
                TaskInstance.task_id == key.task_id,
                TaskInstance.map_index == key.map_index,
            )
        ).scalar()
    return TaskState(state or TaskState.REMOVED)
