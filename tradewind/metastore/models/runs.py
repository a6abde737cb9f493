"""DAG runs, task instances, every try of them, and XComs.

A run also answers Airflow's ``DagRun`` look-ups (``get_task_instances``,
``get_previous_dagrun``, ...) for the tasks that receive it, often detached from any session:
each opens a short one on the process's default metastore.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from tradewind.metastore.models.base import Base, UtcDateTime, utcnow
from tradewind.metastore.models.dags import ID_LEN


class DagRun(Base):
    __tablename__ = "dag_run"
    __table_args__ = (
        UniqueConstraint("dag_id", "run_id"),
        UniqueConstraint("dag_id", "logical_date"),
        Index("ix_dag_run_dag_id_state", "dag_id", "state"),
        Index("ix_dag_run_state_queued_at", "state", "queued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dag_id: Mapped[str] = mapped_column(String(ID_LEN))
    run_id: Mapped[str] = mapped_column(String(ID_LEN))
    logical_date: Mapped[datetime] = mapped_column(UtcDateTime)
    data_interval_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    data_interval_end: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: scheduled, manual, backfill, dataset_triggered
    run_type: Mapped[str] = mapped_column(String(50), default="manual")
    #: queued, running, success, failed (tradewind.core.states.DagRunState)
    state: Mapped[str] = mapped_column(String(50), default="queued")
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=utcnow)
    start_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    end_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    conf: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    external_trigger: Mapped[bool] = mapped_column(Boolean, default=False)
    triggered_by: Mapped[str | None] = mapped_column(String(250), nullable=True)
    dag_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_scheduling_decision: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    # -- Airflow's DagRun API, for tasks and callbacks ------------------------------------
    @property
    def execution_date(self) -> datetime:
        """Airflow 2's name of the logical date."""
        return self.logical_date

    def get_task_instances(
        self, state: str | Iterable[str | None] | None = None, session: Session | None = None
    ) -> list[TaskInstance]:
        """The run's task instances, in one of ``state`` when given (None in a list: "none")."""
        with _reading(self, session) as reader:
            return task_instances_of(reader, self.dag_id, self.run_id, state=state)

    def get_task_instance(
        self, task_id: str, map_index: int = -1, session: Session | None = None
    ) -> TaskInstance | None:
        with _reading(self, session) as reader:
            found = task_instances_of(
                reader, self.dag_id, self.run_id, task_id=task_id, map_index=map_index
            )
        return found[0] if found else None

    def get_previous_dagrun(
        self, state: str | None = None, session: Session | None = None
    ) -> DagRun | None:
        """The run of this DAG with the latest logical date before this one's (in ``state``)."""
        with _reading(self, session) as reader:
            return previous_dagrun(reader, self.dag_id, self.logical_date, state=state)


def task_instances_of(
    session: Session,
    dag_id: str,
    run_id: str,
    *,
    state: str | Iterable[str | None] | None = None,
    task_id: str | None = None,
    map_index: int | None = None,
) -> list[TaskInstance]:
    """Task instances of one run, by task id and map index."""
    query = select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
    if state is not None:
        states = [state] if isinstance(state, str) else [s or "none" for s in state]
        query = query.where(TaskInstance.state.in_(states))
    if task_id is not None:
        query = query.where(TaskInstance.task_id == task_id)
    if map_index is not None:
        query = query.where(TaskInstance.map_index == map_index)
    order = (TaskInstance.task_id, TaskInstance.map_index)
    return list(session.execute(query.order_by(*order)).scalars())


def previous_dagrun(
    session: Session, dag_id: str, logical_date: datetime, *, state: str | None = None
) -> DagRun | None:
    """The run of ``dag_id`` with the latest logical date before ``logical_date``."""
    query = select(DagRun).where(DagRun.dag_id == dag_id, DagRun.logical_date < logical_date)
    if state is not None:
        query = query.where(DagRun.state == state)
    return session.execute(query.order_by(DagRun.logical_date.desc()).limit(1)).scalar()


@contextmanager
def _reading(row: Base, session: Session | None) -> Iterator[Session]:
    """The session given, the row's own, or a short one on the default metastore (a try's
    run is detached: loaded once, with the try's start)."""
    session = session or object_session(row)
    if session is not None:
        yield session
        return
    from tradewind.metastore.engine import get_default_metastore

    with get_default_metastore().session() as own:
        yield own


class TaskInstance(Base):
    """The current state of one task in one run (at one map index)."""

    __tablename__ = "task_instance"
    __table_args__ = (
        Index("ix_task_instance_state", "state"),
        Index("ix_task_instance_dag_id_state", "dag_id", "state"),
        Index("ix_task_instance_pool_state", "pool", "state"),
        Index("ix_task_instance_dag_run", "dag_id", "run_id"),
        #: the fleet monitor's enqueue rates (dashboard/fleet_stats.py)
        Index("ix_task_instance_queued_at", "queued_at"),
    )

    dag_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    map_index: Mapped[int] = mapped_column(Integer, primary_key=True, default=-1)
    #: tradewind.core.states.TaskState values; "none" until the scheduler looks at it
    state: Mapped[str] = mapped_column(String(50), default="none")
    #: number of the current (or latest) try; 0 before the first try is scheduled
    try_number: Mapped[int] = mapped_column(Integer, default=0)
    max_tries: Mapped[int] = mapped_column(Integer, default=0)
    operator: Mapped[str | None] = mapped_column(String(250), nullable=True)
    queue: Mapped[str] = mapped_column(String(250), default="default")
    pool: Mapped[str] = mapped_column(String(250), default="default_pool")
    pool_slots: Mapped[int] = mapped_column(Integer, default=1)
    priority_weight: Mapped[int] = mapped_column(Integer, default=1)
    hostname: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    worker_name: Mapped[str | None] = mapped_column(String(250), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    end_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: when an up_for_retry / up_for_reschedule try may be scheduled again
    next_try_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: first poke of a sensor in reschedule mode (its timeout counts from here)
    first_poke_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_heartbeat: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    rendered_fields: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    dag_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TaskTry(Base):
    """Every try of a task instance, kept after the instance moves on."""

    __tablename__ = "task_try"
    __table_args__ = (
        UniqueConstraint("dag_id", "run_id", "task_id", "map_index", "try_number"),
        Index("ix_task_try_end_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dag_id: Mapped[str] = mapped_column(String(ID_LEN))
    run_id: Mapped[str] = mapped_column(String(ID_LEN))
    task_id: Mapped[str] = mapped_column(String(ID_LEN))
    map_index: Mapped[int] = mapped_column(Integer, default=-1)
    try_number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(50))
    operator: Mapped[str | None] = mapped_column(String(250), nullable=True)
    queue: Mapped[str | None] = mapped_column(String(250), nullable=True)
    hostname: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    worker_name: Mapped[str | None] = mapped_column(String(250), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    end_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class XCom(Base):
    __tablename__ = "xcom"
    __table_args__ = (
        UniqueConstraint("dag_id", "run_id", "task_id", "map_index", "key"),
        Index("ix_xcom_dag_run", "dag_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dag_id: Mapped[str] = mapped_column(String(ID_LEN))
    run_id: Mapped[str] = mapped_column(String(ID_LEN))
    task_id: Mapped[str] = mapped_column(String(ID_LEN))
    map_index: Mapped[int] = mapped_column(Integer, default=-1)
    key: Mapped[str] = mapped_column(String(512))
    #: JSON text
    value: Mapped[str] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
