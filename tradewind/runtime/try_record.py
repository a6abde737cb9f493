"""The end of a try: its outcome, and how it is written to the metastore.

(The start, what the try reads first, is ``tradewind.runtime.try_start``.) The end pushes the
return value, moves the state by compare-and-set (``running`` at this try number), writes the
try's history row and, on success, the dataset events of its outlets.

The end is split in two so that the process that runs the task need not write it: the
:class:`FinishPlan` (plain, picklable data: columns, serialized XComs, outlets) is computed
where the task ran (:func:`plan_finish`), and written in one transaction by whoever holds the
metastore connection (:func:`write_finish`): the try's own process in ``run_try``, the worker's
warm parent for a forked try (``worker.process``), so that a no-op try opens no connection.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tradewind import errors
from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.errors import TaskFailure, TaskFailureNoRetry
from tradewind.runtime.mapped_dependants import check_mapped_result
from tradewind.runtime.secrets_masker import redact
from tradewind.runtime.try_start import TryStart

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger("tradewind.task")


@dataclass(frozen=True)
class OutletRef:
    """An outlet as ``record_dataset_events`` reads it (picklable, whatever the outlet was)."""

    uri: str
    extra: dict[str, Any] | None = None
    #: the extra of the event (``outlet_events[uri].extra``), not of the dataset
    event_extra: dict[str, Any] | None = None


@dataclass
class FinishPlan:
    """What the end of a try writes (see :func:`write_finish`)."""

    state: TaskState
    fields: dict[str, Any]
    now: datetime
    error: str | None = None
    #: (key, serialized JSON) pairs
    xcoms: list[tuple[str, str]] = field(default_factory=list)
    outlets: list[OutletRef] = field(default_factory=list)


@dataclass
class Outcome:
    state: TaskState
    result: Any = None
    error: BaseException | None = None
    reschedule_at: datetime | None = None
    rendered: dict[str, Any] = field(default_factory=dict)
    reraise: BaseException | None = None
    #: the operator that ran (unmapped / copied for this try)
    task: Any = None


def failure(exc: BaseException, ti: Any) -> Outcome:
    no_retry = isinstance(exc, TaskFailureNoRetry)
    if not no_retry and ti.try_number <= ti.max_tries:
        return Outcome(TaskState.UP_FOR_RETRY, error=exc)
    return Outcome(TaskState.FAILED, error=exc)


#: recorded without class name, but for those that are TaskFailures only to match Airflow
_BARE_ERRORS = (TaskFailure, errors.TaskTimeout, errors.TaskTerminated)
_NAMED_ERRORS = (errors.ConfigError, errors.DagDefinitionError, errors.ConnectionNotFound)


def _error_text(exc: BaseException | None) -> str | None:
    if exc is None:
        return None
    message = str(exc) or type(exc).__name__
    if not isinstance(exc, _BARE_ERRORS) or isinstance(exc, _NAMED_ERRORS):
        message = f"{type(exc).__name__}: {message}"
    return redact(message)


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


def _xcom_rows(task: Any, key: TryKey, result: Any, max_size: int) -> list[tuple[str, str]]:
    """The XComs a return value makes, serialized and size-checked (TaskFailure if not)."""
    from tradewind.metastore.xcoms import RETURN_VALUE, serialize_checked

    if result is None or not getattr(task, "do_xcom_push", True):
        return []
    rows: list[tuple[str, str]] = []
    if getattr(task, "multiple_outputs", False) and isinstance(result, Mapping):
        for name, value in result.items():
            rows.append((str(name), serialize_checked(key.ti_key, str(name), value, max_size)))
    rows.append((RETURN_VALUE, serialize_checked(key.ti_key, RETURN_VALUE, result, max_size)))
    return rows


def _outlet_refs(outlets: Any, ti: Any) -> list[OutletRef]:
    from tradewind.runtime.dataset_events import outlet_event_extras
    from tradewind.runtime.datasets import outlet_uri_and_extra

    events = outlet_event_extras(ti)
    refs: list[OutletRef] = []
    for outlet in outlets or ():
        parsed = outlet_uri_and_extra(outlet)
        if parsed is not None:
            event_extra = events.extra_for(parsed[0]) if events is not None else None
            if event_extra is not None:
                event_extra = _json_extra(parsed[0], event_extra)
            refs.append(OutletRef(*parsed, event_extra=event_extra))
    return refs


def _json_extra(uri: str, extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` as the metastore stores it (TaskFailure when it is not JSON)."""
    try:
        return json.loads(json.dumps(extra))
    except (TypeError, ValueError) as exc:
        raise TaskFailure(f"The extra of the dataset event of {uri!r} is not JSON: {exc}") from None


def plan_finish(
    task: Any,
    ti: Any,
    key: TryKey,
    start: TryStart,
    outcome: Outcome,
    settings: Settings,
) -> tuple[FinishPlan, Outcome]:
    """Compute what the end of the try writes, without the metastore; returns the plan and the
    outcome (a return value that cannot be stored, or that a mapped task cannot expand over,
    turns success into failure)."""
    from tradewind.templating.render import storable_rendered_fields

    run_task = outcome.task or task
    xcoms: list[tuple[str, str]] = []
    outlets: list[OutletRef] = []
    if outcome.state == TaskState.SUCCESS:
        try:
            xcoms = _xcom_rows(run_task, key, outcome.result, settings.core.xcom_max_size)
            check_mapped_result(task, run_task, outcome.result)
            outlets = _outlet_refs(getattr(run_task, "outlets", None), ti)
        except TaskFailure as exc:
            log.error("%s", exc)
            xcoms = []
            failed = failure(exc, ti)
            outcome = replace(outcome, state=failed.state, error=failed.error)
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
    plan = FinishPlan(
        state=outcome.state,
        fields=fields,
        now=now,
        error=_error_text(outcome.error),
        xcoms=xcoms,
        outlets=outlets if outcome.state == TaskState.SUCCESS else [],
    )
    return plan, outcome


def write_finish(
    session: Any,
    key: TryKey,
    start: TryStart,
    plan: FinishPlan,
    *,
    hostname: str,
    notify: bool = False,
) -> bool:
    """Write ``plan`` in the caller's transaction: XComs, the state by compare-and-set, the
    try's history row, dataset events (and a scheduler wake-up, delivered at commit, when
    ``notify``). False: the instance was changed meanwhile; the caller must roll back.

    On Postgres a plan without XComs or dataset events is one statement
    (``tradewind.metastore.transitions_pg``)."""
    from tradewind.metastore.engine import session_connection

    connection = session_connection(session)
    if connection.dialect.name == "postgresql":
        from tradewind.metastore.transitions_pg import finish_is_common, write_common_finish

        if finish_is_common(plan):
            return write_common_finish(
                connection.connection, key, start, plan, hostname=hostname, notify=notify
            )
    return write_finish_portable(session, key, start, plan, hostname=hostname, notify=notify)


def record_finish(
    metastore: Metastore,
    key: TryKey,
    start: TryStart,
    plan: FinishPlan,
    *,
    hostname: str,
    notify: bool = False,
) -> bool:
    """:func:`write_finish` in a transaction of its own (nothing written when it returns False).

    On Postgres a plan without XComs or dataset events runs on a pooled driver connection,
    without a Session (a worker's finish)."""
    if metastore.dialect == "postgresql":
        from tradewind.metastore.transitions_pg import finish_is_common, write_common_finish

        if finish_is_common(plan):
            with metastore.driver_transaction(one_statement=True) as connection:
                return write_common_finish(
                    connection, key, start, plan, hostname=hostname, notify=notify
                )
    with metastore.session() as session:
        if write_finish(session, key, start, plan, hostname=hostname, notify=notify):
            return True
        session.rollback()
        return False


def record_finishes(
    metastore: Metastore,
    finishes: list[tuple[TryKey, TryStart, FinishPlan]],
    *,
    hostname: str,
    notify: bool = False,
) -> set[TryKey]:
    """:func:`record_finish` of several distinct tries; returns those whose state was written.

    On Postgres the plans without XComs or dataset events (nearly all) are written by one
    statement; the others, and every plan elsewhere, each in a transaction of its own."""
    written: set[TryKey] = set()
    rest = finishes
    if metastore.dialect == "postgresql":
        from tradewind.metastore.transitions_pg import finish_is_common, write_common_finishes

        common = [f for f in finishes if finish_is_common(f[2])]
        rest = [f for f in finishes if not finish_is_common(f[2])]
        if common:
            with metastore.driver_transaction(one_statement=True) as connection:
                written = write_common_finishes(
                    connection, common, hostname=hostname, notify=notify
                )
    for key, start, plan in rest:
        if record_finish(metastore, key, start, plan, hostname=hostname, notify=notify):
            written.add(key)
    return written


def write_finish_portable(
    session: Any,
    key: TryKey,
    start: TryStart,
    plan: FinishPlan,
    *,
    hostname: str,
    notify: bool = False,
) -> bool:
    """:func:`write_finish` in statements every database runs (XComs, compare-and-set, history
    row, dataset events, wake-up)."""
    from tradewind.metastore.transitions import record_try, set_task_state
    from tradewind.metastore.xcoms import store_serialized
    from tradewind.runtime.datasets import record_dataset_events

    for name, text in plan.xcoms:
        store_serialized(session, key.ti_key, name, text)
    moved = set_task_state(
        session,
        key.ti_key,
        plan.state,
        expected=[TaskState.RUNNING],
        try_number=key.try_number,
        **plan.fields,
    )
    if not moved:
        return False
    record_try(
        session,
        key,
        plan.state,
        hostname=hostname,
        start_date=start.start_date,
        end_date=plan.now,
        duration=plan.fields["duration"],
        error=plan.error,
        operator=start.operator,
        queue=start.queue,
    )
    if plan.outlets:
        record_dataset_events(session, plan.outlets, key.ti_key, timestamp=plan.now)
    if notify:
        from tradewind.metastore.wakeup import notify_scheduler

        notify_scheduler(session)
    return True


def finish(
    metastore: Metastore,
    task: Any,
    ti: Any,
    key: TryKey,
    start: TryStart,
    outcome: Outcome,
    settings: Settings,
    hostname: str,
) -> tuple[TaskState | None, Outcome]:
    """Write the outcome; returns the state written (None when the instance was changed by
    someone else meanwhile) and the outcome (a failed XCom push turns success into failure)."""
    plan, outcome = plan_finish(task, ti, key, start, outcome, settings)
    with metastore.session() as session:
        if not write_finish(session, key, start, plan, hostname=hostname):
            session.rollback()
            log.warning(
                "The state of %s was changed while it ran: not recording %s",
                key,
                plan.state.value,
            )
            return None, outcome
    return finished(ti, key, start, plan, outcome)


def finished(
    ti: Any, key: TryKey, start: TryStart, plan: FinishPlan, outcome: Outcome
) -> tuple[TaskState, Outcome]:
    """After the plan was written: reflect it on ``ti`` and log the final line."""
    ti.mark_finished(plan.state.value, plan.now)
    _log_final(outcome, key, start, plan.now)
    return plan.state, outcome


def _log_final(outcome: Outcome, key: TryKey, start: TryStart, now: datetime) -> None:
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


def current_state(metastore: Metastore, key: TryKey) -> TaskState:
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
