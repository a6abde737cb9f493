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
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.errors import (
    RescheduleRequest,
    TaskFailure,
    TaskSkipped,
    TaskTimeout,
)
from tradewind.runtime.try_record import (
    FinishPlan,
    Outcome,
    current_state,
    failure,
    finished,
    plan_finish,
    record_finish,
)
from tradewind.runtime.try_start import TryStart, load_start

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger("tradewind.task")


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
    start: TryStart | None = None,
) -> TaskState:
    """Run the claimed try ``try_key`` of ``task`` (an operator or a MappedOperator of the
    loaded DAG) and record its outcome; returns the state written.

    ``echo`` also receives the try's log lines (``tasks test`` prints them). ``start``: what
    the try needs from the metastore, when the claim read it already (``claim_and_start``).
    """
    if start is None:
        loaded = load_start(metastore, try_key)
        if isinstance(loaded, TaskState):
            return loaded
        start = loaded

    def record(plan: FinishPlan, answer: bool) -> TaskState | None:
        if record_finish(metastore, try_key, start, plan, hostname=hostname):
            return plan.state
        return None

    return run_started_try(
        metastore,
        task,
        try_key,
        start,
        record=record,
        settings=settings,
        hostname=hostname,
        test_mode=test_mode,
        echo=echo,
    )


def run_started_try(
    metastore: Metastore,
    task: Any,
    try_key: TryKey,
    start: TryStart,
    *,
    record: Callable[[FinishPlan, bool], TaskState | None],
    settings: Settings,
    hostname: str,
    test_mode: bool = False,
    echo: TextIO | None = None,
) -> TaskState:
    """Run a try whose start was read already (``load_start``/``load_start_in``).

    ``record(plan, answer)`` writes the outcome's :class:`FinishPlan` (``write_finish`` in one
    transaction) and returns the state written, or None when the task instance was changed
    meanwhile; the callbacks follow. A worker passes a ``record`` that has its warm parent
    process write it; ``answer`` False tells it that nothing follows which depends on the
    write (no callback, no e-mail), so the process need not wait for it.
    """
    from tradewind.runtime.callbacks import has_work_after_try, run_after_try
    from tradewind.runtime.task_log import open_try_log

    with open_try_log(base_log_folder(settings), try_key) as try_log:
        if echo is not None:
            handler = logging.StreamHandler(echo)
            handler.setFormatter(try_log.handler.formatter)
            try_log.add_handler(handler)
        ti, context, run_task = _prepare(
            metastore, task, try_key, start, settings, hostname, test_mode
        )
        ti.log_url = try_log.location
        outcome = _execute(run_task, ti, context, start, try_key)
        plan, outcome = plan_finish(run_task, ti, try_key, start, outcome, settings)
        after = has_work_after_try(outcome.task or task, plan.state)
        if not after:  # the final line first, as Airflow logs it before its write
            finished(ti, try_key, start, plan, outcome)
        state = record(plan, after)
        if state is not None:
            if after:
                state, outcome = finished(ti, try_key, start, plan, outcome)
                error = outcome.error
                run_after_try(outcome.task or task, context, state, error, settings=settings, ti=ti)
        else:
            log.warning(
                "The state of %s was changed while it ran: not recording %s",
                try_key,
                plan.state.value,
            )
        final = state or current_state(metastore, try_key)
    if outcome.reraise is not None:
        raise outcome.reraise
    return final


def _prepare(
    metastore: Metastore,
    task: Any,
    key: TryKey,
    start: TryStart,
    settings: Settings,
    hostname: str,
    test_mode: bool = False,
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
    ti.first_poke_at = start.first_poke_at or start.start_date
    prev = start.prev_success
    context = build_context(
        dag=getattr(task, "dag", None),
        task=task,
        ti=ti,
        dag_run=start.dag_run,
        metastore=metastore,
        test_mode=test_mode,
        prev_success=(lambda: prev) if start.prev_success_loaded else None,
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
def _execute(task: Any, ti: Any, context: Any, start: TryStart, key: TryKey) -> Outcome:
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
        outcome = Outcome(TaskState.SUCCESS, result=result)
    except TaskSkipped as exc:
        log.info("Skipping task: %s", exc)
        outcome = Outcome(TaskState.SKIPPED, error=exc)
    except RescheduleRequest as exc:
        log.info("Rescheduling task, next poke at %s", exc.reschedule_at)
        outcome = Outcome(TaskState.UP_FOR_RESCHEDULE, reschedule_at=_aware(exc.reschedule_at))
    except TaskTimeout as exc:
        log.error("%s", exc)
        _kill(run_task)
        outcome = failure(exc, ti)
    except (Exception, SystemExit) as exc:
        log.error("Task failed with exception\n%s", _format_exc(exc))
        outcome = failure(exc, ti)
    except KeyboardInterrupt as exc:
        log.error("Task received an interrupt: killing it")
        _kill(run_task)
        outcome = failure(exc, ti)
        outcome.reraise = exc
    outcome.rendered = rendered
    outcome.task = run_task
    context["task"] = run_task
    return outcome


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
