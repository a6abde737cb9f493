"""The scheduler's own row in ``scheduler_job``: registered at start, heartbeated, stopped."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sqlalchemy import update

from tradewind.metastore.models import SchedulerJob, utcnow

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore


def register_job(metastore: Metastore, hostname: str) -> int:
    """Insert this scheduler's row; returns its id."""
    with metastore.session() as session:
        job = SchedulerJob(hostname=hostname, pid=os.getpid(), state="running")
        session.add(job)
        session.flush()
        return job.id


def heartbeat_job(metastore: Metastore, job_id: int, loop_duration: float | None) -> None:
    with metastore.session() as session:
        session.execute(
            update(SchedulerJob)
            .where(SchedulerJob.id == job_id)
            .values(last_heartbeat=utcnow(), loop_duration=loop_duration)
            .execution_options(synchronize_session=False)
        )


def stop_job(metastore: Metastore, job_id: int) -> None:
    with metastore.session() as session:
        session.execute(
            update(SchedulerJob)
            .where(SchedulerJob.id == job_id)
            .values(state="stopped", last_heartbeat=utcnow())
            .execution_options(synchronize_session=False)
        )
