"""DAGs, their versions (code and serialized structure), tags and import errors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradewind.metastore.models.base import Base, UtcDateTime, utcnow

ID_LEN = 250


class DagModel(Base):
    __tablename__ = "dag"

    dag_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    fileloc: Mapped[str] = mapped_column(String(1000), default="")
    is_paused: Mapped[bool] = mapped_column(Boolean, default=True)
    #: False once the DAG's file no longer defines it
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    owners: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    schedule_description: Mapped[str] = mapped_column(String(500), default="None")
    timezone: Mapped[str] = mapped_column(String(100), default="UTC")
    max_active_runs: Mapped[int] = mapped_column(Integer, default=16)
    max_active_tasks: Mapped[int] = mapped_column(Integer, default=16)
    has_import_errors: Mapped[bool] = mapped_column(Boolean, default=False)
    last_parsed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: the version the scheduler creates new runs with
    latest_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: the next run the scheduler will create (logical date and data interval)
    next_dagrun: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    next_dagrun_data_interval_start: Mapped[datetime | None] = mapped_column(
        UtcDateTime, nullable=True
    )
    next_dagrun_data_interval_end: Mapped[datetime | None] = mapped_column(
        UtcDateTime, nullable=True
    )
    next_dagrun_create_after: Mapped[datetime | None] = mapped_column(
        UtcDateTime, nullable=True, index=True
    )


class DagTag(Base):
    __tablename__ = "dag_tag"

    dag_id: Mapped[str] = mapped_column(
        String(ID_LEN), ForeignKey("dag.dag_id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class DagVersion(Base):
    """One version of a DAG: the code it was parsed from and its serialized structure."""

    __tablename__ = "dag_version"
    __table_args__ = (UniqueConstraint("dag_id", "version_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dag_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    #: sha256 of the file's source and the serialized structure
    version_hash: Mapped[str] = mapped_column(String(64))
    version_number: Mapped[int] = mapped_column(Integer, default=1)
    fileloc: Mapped[str] = mapped_column(String(1000), default="")
    source_code: Mapped[str] = mapped_column(Text, default="")
    #: DagSpec.to_json()
    spec_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ImportError_(Base):
    __tablename__ = "import_error"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filename: Mapped[str] = mapped_column(String(1000), index=True)
    message: Mapped[str] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


Index("ix_dag_paused_active", DagModel.is_paused, DagModel.is_active)
