"""``ti`` in a task's context: the running task instance, with XCom and skipping.

A thin facade over the metastore: every call opens its own short transaction, so a task that
pushes XComs or skips tasks never holds a lock while it runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.core.states import TaskState

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore
    from tradewind.metastore.models import DagRun, TaskInstance

RETURN_VALUE = "return_value"
log = logging.getLogger("tradewind.task")


class RuntimeTaskInstance:
    """The task instance of the try being run (Airflow's ``TaskInstance`` as tasks see it)."""

    def __init__(
        self,
        *,
        key: TryKey,
        task: Any,
        metastore: Metastore | None,
        max_tries: int = 0,
        hostname: str = "",
        start_date: datetime | None = None,
        xcom_max_size: int = 0,
        log_url: str = "",
        logical_date: datetime | None = None,
        state: str = TaskState.RUNNING.value,
        operator: str | None = None,
        queue: str | None = None,
        pool: str | None = None,
        priority_weight: int | None = None,
    ) -> None:
        self.dag_id = key.dag_id
        self.task_id = key.task_id
        self.run_id = key.run_id
        self.map_index = key.map_index
        self.try_number = key.try_number
        self.max_tries = max_tries
        self.hostname = hostname
        self.state = state
        self.task = task
        self.log_url = log_url
        self.start_date = start_date
        self.end_date: datetime | None = None
        #: first poke of a sensor in reschedule mode (its timeout counts from there)
        self.first_poke_at: datetime | None = start_date
        self.logical_date = logical_date
        self.operator = operator or type(task).__name__
        self.queue = queue
        self.pool = pool
        self.priority_weight = priority_weight
        self.log = log
        self._metastore = metastore
        self._xcom_max_size = xcom_max_size
        self._context: Mapping[str, Any] | None = None
        self._dag_run: Any = None
        self._pid: int | None = None

    # -- identity -------------------------------------------------------------------------
    @property
    def key(self) -> TaskInstanceKey:
        return TaskInstanceKey(self.dag_id, self.run_id, self.task_id, self.map_index)

    @property
    def try_key(self) -> TryKey:
        return self.key.with_try(self.try_number)

    @property
    def execution_date(self) -> datetime | None:
        return self.logical_date

    @property
    def duration(self) -> float | None:
        """Seconds from start to end; None until the try has finished (as in Airflow)."""
        if self.start_date is None or self.end_date is None:
            return None
        return (self.end_date - self.start_date).total_seconds()

    @property
    def pid(self) -> int | None:
        """The process running the try: this one while it runs (unless set)."""
        if self._pid is None and self.state == TaskState.RUNNING:
            return os.getpid()
        return self._pid

    @pid.setter
    def pid(self, value: int | None) -> None:
        self._pid = value

    def mark_finished(self, state: str, end_date: datetime) -> None:
        """Reflect the outcome the runtime recorded (for callbacks reading ``ti.state``)."""
        self.state = state
        self.end_date = end_date

    def __repr__(self) -> str:
        suffix = f" map_index={self.map_index}" if self.map_index >= 0 else ""
        return (
            f"<TaskInstance: {self.dag_id}.{self.task_id} {self.run_id}{suffix} "
            f"[{self.state}] try {self.try_number}>"
        )

    # -- XCom -----------------------------------------------------------------------------
    def _store(self) -> Metastore:
        if self._metastore is None:
            from tradewind.metastore.engine import get_default_metastore

            self._metastore = get_default_metastore()
        return self._metastore

    def xcom_push(self, key: str, value: Any, execution_date: Any = None) -> None:
        """Store ``value`` under ``key`` for this task instance (JSON; size-limited)."""
        from tradewind.metastore.xcoms import push_xcom

        with self._store().session() as session:
            push_xcom(session, self.key, key, value, max_size=self._xcom_max_size)

    def xcom_pull(
        self,
        task_ids: str | Iterable[str] | None = None,
        dag_id: str | None = None,
        key: str | None = RETURN_VALUE,
        include_prior_dates: bool = False,
        *,
        map_indexes: int | Iterable[int] | None = None,
        default: Any = None,
        run_id: str | None = None,
    ) -> Any:
        """Pull XComs of this run (or ``run_id``), with Airflow 2's rules.

        None for ``task_ids``, ``key`` or ``map_indexes`` removes that filter. One task id (or
        None) gives one value (the latest matching one; the list of a mapped task's values, by
        map index), ``default`` when none matches; a list of task ids or of map indexes gives a
        list of the values found, in the order of those lists.
        """
        from tradewind.metastore.xcoms import pull_xcoms

        with self._store().session() as session:
            return pull_xcoms(
                session,
                dag_id=dag_id or self.dag_id,
                run_id=run_id or self.run_id,
                task_ids=task_ids,
                key=key,
                map_indexes=map_indexes,
                include_prior_dates=include_prior_dates,
                as_of=self.logical_date,
                default=default,
            )

    def clear_xcom_data(self) -> None:
        from tradewind.metastore.xcoms import delete_xcoms

        with self._store().session() as session:
            delete_xcoms(session, self.key)

    # -- skipping (branch / short-circuit operators) --------------------------------------
    def skip_tasks(self, task_ids: Iterable[str]) -> int:
        """Mark these tasks of this run skipped (every map index) unless they started already.

        Returns how many task instances moved.
        """
        from sqlalchemy import select

        from tradewind.metastore.models import TaskInstance, utcnow
        from tradewind.metastore.transitions import set_task_states

        ids = sorted(set(task_ids))
        if not ids:
            return 0
        pending = [TaskState.NONE, TaskState.SCHEDULED]
        with self._store().session() as session:
            rows = session.execute(
                select(TaskInstance.task_id, TaskInstance.map_index).where(
                    TaskInstance.dag_id == self.dag_id,
                    TaskInstance.run_id == self.run_id,
                    TaskInstance.task_id.in_(ids),
                    TaskInstance.state.in_([s.value for s in pending]),
                )
            ).all()
            keys = [TaskInstanceKey(self.dag_id, self.run_id, r[0], r[1]) for r in rows]
            now = utcnow()
            moved = set_task_states(
                session, keys, TaskState.SKIPPED, expected=pending, start_date=now, end_date=now
            )
        if moved:
            log.info("Skipping tasks %s", ", ".join(sorted({k.task_id for k in keys})))
        return moved

    # -- the run and the context ----------------------------------------------------------
    @property
    def dag_run(self) -> Any:
        """The run of this try: the context's ``dag_run`` once there is a context."""
        return self.get_dagrun()

    def get_dagrun(self) -> Any:
        """The DAG run row of this try (read once when there is no context)."""
        if self._context is not None and "dag_run" in self._context:
            return self._context["dag_run"]
        if self._dag_run is None:
            from tradewind.metastore.runs import get_dagrun

            with self._store().session() as session:
                self._dag_run = get_dagrun(session, self.dag_id, self.run_id)
        return self._dag_run

    def get_previous_dagrun(self, state: str | None = None) -> DagRun | None:
        """The DAG's run with the latest logical date before this one's (in ``state``)."""
        from tradewind.metastore.models.runs import previous_dagrun

        logical_date = self.logical_date or self.dag_run.logical_date
        with self._store().session() as session:
            return previous_dagrun(session, self.dag_id, logical_date, state=state)

    def get_previous_ti(self, state: str | None = None) -> TaskInstance | None:
        """This task instance (same map index) in :meth:`get_previous_dagrun`'s run."""
        from tradewind.metastore.models.runs import previous_dagrun, task_instances_of

        logical_date = self.logical_date or self.dag_run.logical_date
        with self._store().session() as session:
            run = previous_dagrun(session, self.dag_id, logical_date, state=state)
            if run is None:
                return None
            found = task_instances_of(
                session, self.dag_id, run.run_id, task_id=self.task_id, map_index=self.map_index
            )
        return found[0] if found else None

    def render_templates(
        self, context: Mapping[str, Any] | None = None, jinja_env: Any = None
    ) -> Any:
        """Render the task's template fields again, in place; returns the task."""
        from tradewind.templating.render import render_template_fields

        render_template_fields(self.task, context or self.get_template_context(), jinja_env)
        return self.task

    def get_template_context(self) -> Mapping[str, Any]:
        if self._context is None:
            raise RuntimeError(f"{self!r} has no context yet")
        return self._context

    def set_context(self, context: Mapping[str, Any]) -> None:
        self._context = context

    def log_filepath(self) -> str:
        return self.log_url
