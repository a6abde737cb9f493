"""Datasets, their events, which DAGs consume them, and the queue of pending dataset triggers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tradewind.metastore.models.base import Base, UtcDateTime, utcnow
from tradewind.metastore.models.dags import ID_LEN


class Dataset(Base):
    __tablename__ = "dataset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uri: Mapped[str] = mapped_column(String(1500), unique=True)
    extra: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DatasetEvent(Base):
    __tablename__ = "dataset_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    source_dag_id: Mapped[str | None] = mapped_column(String(ID_LEN), nullable=True)
    source_run_id: Mapped[str | None] = mapped_column(String(ID_LEN), nullable=True)
    source_task_id: Mapped[str | None] = mapped_column(String(ID_LEN), nullable=True)
    source_map_index: Mapped[int] = mapped_column(Integer, default=-1)
    extra: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class DagScheduleDataset(Base):
    """A DAG scheduled on a dataset."""

    __tablename__ = "dag_schedule_dataset"

    dataset_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True
    )
    dag_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)


class DatasetDagRunQueue(Base):
    """A dataset updated since the consuming DAG's last dataset-triggered run."""

    __tablename__ = "dataset_dag_run_queue"

    dataset_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True
    )
    target_dag_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
