"""``ExternalTaskSensor``: wait for a task, a task group or a whole run of another DAG, as
``airflow.sensors.external_task.ExternalTaskSensor``.

The other DAG's run is the one at this run's logical date minus ``execution_delta`` (or at the
date(s) ``execution_date_fn(logical_date, context)`` returns).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from tradewind.core.states import DagRunState, TaskState
from tradewind.errors import DagDefinitionError, TaskFailure, TaskSkipped
from tradewind.sdk.baseoperator import BaseOperator
from tradewind.sdk.python_callable import determine_kwargs
from tradewind.sensors.base import BaseSensorOperator


class ExternalTaskSensor(BaseSensorOperator):
    """Done when ``external_task_id`` (or every one of ``external_task_ids``, or every task of
    ``external_task_group_id``, or the whole run when none is given) of ``external_dag_id`` is in
    ``allowed_states`` at the matching logical date. Any in ``failed_states`` fails the sensor
    (skips with ``soft_fail``); any in ``skipped_states`` skips it. ``check_existence`` fails at
    the first poke when the DAG, a task or the group is not in the DAG as last parsed."""

    template_fields: ClassVar[Sequence[str]] = (
        "external_dag_id",
        "external_task_id",
        "external_task_ids",
        "external_task_group_id",
    )
    ui_color = "#4db7db"

    def __init__(
        self,
        *,
        external_dag_id: str,
        external_task_id: str | None = None,
        external_task_ids: Collection[str] | None = None,
        external_task_group_id: str | None = None,
        allowed_states: Iterable[str] | None = None,
        skipped_states: Iterable[str] | None = None,
        failed_states: Iterable[str] | None = None,
        execution_delta: timedelta | None = None,
        execution_date_fn: Callable[..., datetime | list[datetime]] | None = None,
        check_existence: bool = False,
        poll_interval: float = 2.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        where = f"Sensor {self.task_id!r}"
        self.allowed_states = [str(s) for s in (allowed_states or [TaskState.SUCCESS.value])]
        self.skipped_states = [str(s) for s in (skipped_states or [])]
        self.failed_states = [str(s) for s in (failed_states or [])]
        every = self.allowed_states + self.skipped_states + self.failed_states
        if len(set(every)) != len(every):
            raise DagDefinitionError(
                f"{where}: Duplicate values provided across allowed_states, skipped_states "
                "and failed_states."
            )
        external_task_ids = list(external_task_ids) if external_task_ids else None
        if external_task_id is not None and external_task_ids is not None:
            raise DagDefinitionError(
                f"{where}: Only one of `external_task_id` or `external_task_ids` may be provided "
                "to ExternalTaskSensor; not both."
            )
        if external_task_id is not None:
            external_task_ids = [external_task_id]
        if external_task_group_id is not None and external_task_ids is not None:
            raise DagDefinitionError(
                f"{where}: Only one of `external_task_group_id` or `external_task_ids` may be "
                "provided to ExternalTaskSensor; use external_task_id or external_task_ids or "
                "external_task_group_id."
            )
        of_tasks = bool(external_task_ids) or external_task_group_id is not None
        valid = {s.value for s in TaskState} if of_tasks else {s.value for s in DagRunState}
        if not set(every) <= valid:
            kind = "task" if of_tasks else "DAG run"
            raise DagDefinitionError(
                f"{where}: Valid values for `allowed_states`, `skipped_states` and "
                f"`failed_states` when checking a {kind} are {sorted(valid)}; got {sorted(every)}"
            )
        if execution_delta is not None and execution_date_fn is not None:
            raise DagDefinitionError(
                f"{where}: Only one of `execution_delta` or `execution_date_fn` may be provided "
                "to ExternalTaskSensor; not both."
            )
        self.external_dag_id = external_dag_id
        self.external_task_id = external_task_id
        self.external_task_ids = external_task_ids
        self.external_task_group_id = external_task_group_id
        self.execution_delta = execution_delta
        self.execution_date_fn = execution_date_fn
        self.check_existence = check_existence
        self._has_checked_existence = False
        self.poll_interval = poll_interval  # Airflow's deferrable-mode interval; unused here

    def _dates(self, context: dict[str, Any]) -> list[datetime]:
        logical_date = context["logical_date"]
        if self.execution_delta is not None:
            dates: Any = logical_date - self.execution_delta
        elif self.execution_date_fn is not None:
            kwargs = determine_kwargs(self.execution_date_fn, [logical_date], context)
            dates = self.execution_date_fn(logical_date, **kwargs)
        else:
            dates = logical_date
        return list(dates) if isinstance(dates, list | tuple) else [dates]

    def poke(self, context: dict[str, Any]) -> bool:
        dates = self._dates(context)
        shown = ",".join(d.isoformat() for d in dates)
        group = self.external_task_group_id
        if self.external_task_ids:
            what = f"tasks {self.external_task_ids}"
        else:
            what = f"task_group '{group}'" if group is not None else "the run"
        self.log.info("Poking for %s in dag %s on %s ...", what, self.external_dag_id, shown)
        with _metastore(context).session() as session:
            if self.check_existence and not self._has_checked_existence:
                self._check_existence(session)
            task_ids = self.external_task_ids
            if group is not None:
                task_ids = self._group_task_ids(session)
                if not task_ids:
                    return False  # a group not (yet) in the DAG: wait, as Airflow does
            states = self._states(session, dates, task_ids)
        units = len(dates) * (len(task_ids) if task_ids else 1)
        if self.failed_states and _count(states, self.failed_states, every=False):
            if self.external_task_ids:
                subject = (
                    f"Some of the external tasks {self.external_task_ids} in DAG "
                    f"{self.external_dag_id} failed."
                )
            elif group is not None:
                subject = (
                    f"The external task_group '{group}' in DAG '{self.external_dag_id}' failed."
                )
            else:
                subject = f"The external DAG {self.external_dag_id} failed."
            if self.soft_fail:
                raise TaskSkipped(f"{subject} Skipping due to soft_fail.")
            raise TaskFailure(subject)
        if self.skipped_states and _count(states, self.skipped_states, every=False):
            raise TaskSkipped(
                f"The external {what} of DAG {self.external_dag_id} reached a state in our "
                "states-to-skip-on list. Skipping."
            )
        return _count(states, self.allowed_states, every=True) == units

    def _states(
        self, session: Any, dates: list[datetime], task_ids: list[str] | None
    ) -> dict[tuple, list[str]]:
        """State(s) per (logical date, task id or None) of the external DAG."""
        from sqlalchemy import select

        from tradewind.metastore.models import DagRun, TaskInstance

        out: dict[tuple, list[str]] = {}
        if task_ids:
            rows = session.execute(
                select(DagRun.logical_date, TaskInstance.task_id, TaskInstance.state)
                .join(
                    DagRun,
                    (DagRun.dag_id == TaskInstance.dag_id) & (DagRun.run_id == TaskInstance.run_id),
                )
                .where(
                    TaskInstance.dag_id == self.external_dag_id,
                    TaskInstance.task_id.in_(task_ids),
                    DagRun.logical_date.in_(dates),
                )
            )
            for logical_date, task_id, state in rows:
                out.setdefault((logical_date, task_id), []).append(state)
        else:
            rows = session.execute(
                select(DagRun.logical_date, DagRun.state).where(
                    DagRun.dag_id == self.external_dag_id, DagRun.logical_date.in_(dates)
                )
            )
            for logical_date, state in rows:
                out.setdefault((logical_date, None), []).append(state)
        return out

    def _check_existence(self, session: Any) -> None:
        """Airflow's ``_check_for_existence``, against the DAG as last parsed (its spec)."""
        from tradewind.metastore.models import DagModel

        dag_id = self.external_dag_id
        dag = session.get(DagModel, dag_id)
        if dag is None:
            raise TaskFailure(f"The external DAG {dag_id} does not exist.")
        if not dag.is_active:
            raise TaskFailure(f"The external DAG {dag_id} was deleted.")
        if self.external_task_ids or self.external_task_group_id is not None:
            spec = _parsed_spec(session, dag_id)
            for task_id in self.external_task_ids or []:
                if task_id not in spec.task_map:
                    raise TaskFailure(
                        f"The external task {task_id} in DAG {dag_id} does not exist."
                    )
            group = self.external_task_group_id
            if group is not None and group not in spec.task_groups:
                raise TaskFailure(
                    f"The external task group '{group}' in DAG '{dag_id}' does not exist."
                )
        self._has_checked_existence = True

    def _group_task_ids(self, session: Any) -> list[str]:
        """The tasks of ``external_task_group_id`` and of its nested groups."""
        group = self.external_task_group_id
        try:
            spec = _parsed_spec(session, self.external_dag_id)
        except TaskFailure:  # never parsed: nothing to wait for yet
            return []
        return [
            t.task_id
            for t in spec.tasks
            if t.group_id is not None
            and (t.group_id == group or t.group_id.startswith(f"{group}."))
        ]


def _count(states: dict[tuple, list[str]], wanted: list[str], *, every: bool) -> int:
    """How many (date, task) units are in ``wanted``: all their map indexes (``every``) or any."""
    check = all if every else any
    return sum(1 for values in states.values() if values and check(v in wanted for v in values))


def _parsed_spec(session: Any, dag_id: str) -> Any:
    """The external DAG's structure as last parsed; fails the try when it was never parsed."""
    from tradewind.errors import DagNotFound
    from tradewind.metastore.dag_specs import latest_spec

    try:
        return latest_spec(session, dag_id)
    except DagNotFound:
        raise TaskFailure(f"The external DAG {dag_id} could not be loaded.") from None


def _metastore(context: dict[str, Any]) -> Any:
    ti = context.get("ti")
    store = getattr(ti, "_store", None)
    if callable(store):
        return store()
    from tradewind.metastore.engine import get_default_metastore

    return get_default_metastore()


class ExternalTaskMarker(BaseOperator):
    """Marks that ``external_task_id`` of ``external_dag_id`` depends on this task: clearing
    this task instance also clears that task and its downstream in the external run at
    ``logical_date`` (``execution_date`` is its old name), following markers there up to
    ``recursion_depth`` levels (see :mod:`tradewind.metastore.clearing_external`). Running it
    does nothing."""

    template_fields: ClassVar[Sequence[str]] = (
        "external_dag_id",
        "external_task_id",
        "logical_date",
    )
    ui_color = "#4db7db"

    def __init__(
        self,
        *,
        external_dag_id: str,
        external_task_id: str,
        logical_date: str | datetime | None = "{{ logical_date.isoformat() }}",
        recursion_depth: int = 10,
        **kwargs: Any,
    ) -> None:
        execution_date = kwargs.pop("execution_date", None)
        super().__init__(**kwargs)
        if execution_date is not None:
            logical_date = execution_date
        if logical_date is not None and not isinstance(logical_date, str | datetime):
            raise DagDefinitionError(
                f"Marker {self.task_id!r}: Expected str or datetime.datetime type for "
                f"logical_date. Got {type(logical_date)}"
            )
        if recursion_depth <= 0:
            raise DagDefinitionError(
                f"Marker {self.task_id!r}: recursion_depth should be a positive integer"
            )
        self.external_dag_id = external_dag_id
        self.external_task_id = external_task_id
        self.logical_date = logical_date
        self.recursion_depth = recursion_depth

    def execute(self, context: dict[str, Any]) -> None:
        return None
