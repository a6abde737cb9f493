"""Users and API tokens, workers, and schedulers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tradewind.metastore.models.base import Base, UtcDateTime, utcnow


class User(Base):
    __tablename__ = "tw_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(250), unique=True)
    email: Mapped[str] = mapped_column(String(500), default="")
    first_name: Mapped[str] = mapped_column(String(250), default="")
    last_name: Mapped[str] = mapped_column(String(250), default="")
    #: Admin, Op, User or Viewer
    role: Mapped[str] = mapped_column(String(50), default="Viewer")
    password_hash: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("tw_user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(250), default="")
    #: sha256 of the token; the token itself is shown once, at creation
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Worker(Base):
    """A worker process registered with the metastore, and what the dashboard asks of it."""

    __tablename__ = "worker"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(250), unique=True)
    hostname: Mapped[str] = mapped_column(String(1000), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    #: comma-separated queue names it consumes now
    queues: Mapped[str] = mapped_column(String(2000), default="default")
    #: comma-separated queues the dashboard wants it on (None: no change asked)
    wanted_queues: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    concurrency: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[str] = mapped_column(String(50), default="")
    #: online, draining, offline
    status: Mapped[str] = mapped_column(String(50), default="online")
    #: the dashboard asked it to stop taking work
    drain_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    tries_running: Mapped[int] = mapped_column(Integer, default=0)
    load_1m: Mapped[float] = mapped_column(Float, default=0.0)
    log_server_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_heartbeat: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SchedulerJob(Base):
    __tablename__ = "scheduler_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hostname: Mapped[str] = mapped_column(String(1000), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    #: running, stopped
    state: Mapped[str] = mapped_column(String(50), default="running")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_heartbeat: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    loop_duration: Mapped[float | None] = mapped_column(Float, nullable=True)
