"""``ti`` in a task's context: the running task instance, with XCom and skipping.

A thin facade over the metastore: every call opens its own short transaction, so a task that
pushes XComs or skips tasks never holds a lock while it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.core.states import TaskState

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore

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
        key: str = RETURN_VALUE,
        include_prior_dates: bool = False,
        *,
        map_indexes: int | Iterable[int] | None = None,
        default: Any = None,
        run_id: str | None = None,
    ) -> Any:
        """Pull XComs, as Airflow does.

        ``task_ids`` None pulls this task's own value (at its map index); a string gives one
        value (the list of mapped results, ordered by map index, when that task is mapped);
        a list of ids gives a list of values, in that order. ``default`` replaces a missing one.
        """
        from tradewind.metastore.xcoms import pull_xcom

        dag_id = dag_id or self.dag_id
        if task_ids is None:
            task_ids = self.task_id
            if map_indexes is None and self.map_index >= 0:
                map_indexes = self.map_index
        single = isinstance(task_ids, str)
        ids = [task_ids] if single else list(task_ids)  # type: ignore[arg-type]
        with self._store().session() as session:
            values = []
            for tid in ids:
                if include_prior_dates:
                    value = self._pull_prior(session, dag_id, tid, key, map_indexes)
                elif isinstance(map_indexes, int) or map_indexes is None:
                    value = pull_xcom(session, dag_id, run_id or self.run_id, tid, key, map_indexes)
                else:
                    value = [
                        pull_xcom(session, dag_id, run_id or self.run_id, tid, key, index)
                        for index in map_indexes
                    ]
                values.append(default if value is None else value)
        return values[0] if single else values

    def _pull_prior(self, session: Any, dag_id: str, task_id: str, key: str, map_index: Any) -> Any:
        """The latest value in this run or an earlier one (``include_prior_dates``)."""
        from sqlalchemy import select

        from tradewind.metastore.models import DagRun, XCom
        from tradewind.metastore.xcoms import deserialize_value

        query = (
            select(XCom.value)
            .join(DagRun, (DagRun.dag_id == XCom.dag_id) & (DagRun.run_id == XCom.run_id))
            .where(XCom.dag_id == dag_id, XCom.task_id == task_id, XCom.key == key)
            .order_by(DagRun.logical_date.desc(), XCom.timestamp.desc())
            .limit(1)
        )
        if self.logical_date is not None:
            query = query.where(DagRun.logical_date <= self.logical_date)
        if isinstance(map_index, int):
            query = query.where(XCom.map_index == map_index)
        row = session.execute(query).first()
        return deserialize_value(row[0]) if row else None

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
    def get_dagrun(self) -> Any:
        """The DAG run row of this try."""
        if self._context is not None and "dag_run" in self._context:
            return self._context["dag_run"]
        from tradewind.metastore.runs import get_dagrun

        with self._store().session() as session:
            return get_dagrun(session, self.dag_id, self.run_id)

    def get_template_context(self) -> Mapping[str, Any]:
        if self._context is None:
            raise RuntimeError(f"{self!r} has no context yet")
        return self._context

    def set_context(self, context: Mapping[str, Any]) -> None:
        self._context = context

    def log_filepath(self) -> str:
        return self.log_url
