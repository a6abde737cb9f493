"""DAG runs, task instances, every try of them, and XComs."""

from __future__ import annotations

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
)
from sqlalchemy.orm import Mapped, mapped_column

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
