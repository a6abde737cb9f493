"""The worker's row in the metastore: registration, its heartbeat, and the dashboard's requests.

The dashboard never talks to a worker directly: it writes ``drain_requested`` (stop taking
tries), clears it (resume), or sets ``wanted_queues`` (subscribe/unsubscribe) on the row, and
the worker reads them on its next heartbeat. ``wanted_queues`` is cleared once applied.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from tradewind.metastore.models import Worker, utcnow

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore
    from worker.tracker import WorkerIdentity

ONLINE, DRAINING, OFFLINE = "online", "draining", "offline"


@dataclass(frozen=True)
class Requests:
    """What the row asks of the worker now."""

    drain: bool
    wanted_queues: list[str] | None


def register(metastore: Metastore, identity: WorkerIdentity, log_server_url: str | None) -> None:
    """Insert or take over the row named ``identity.name``."""
    now = utcnow()
    values = dict(
        hostname=identity.hostname,
        pid=identity.pid,
        queues=",".join(identity.queues),
        wanted_queues=None,
        concurrency=identity.concurrency,
        version=identity.version,
        status=ONLINE,
        drain_requested=False,
        tries_running=0,
        log_server_url=log_server_url,
        started_at=now,
        last_heartbeat=now,
    )
    with metastore.session() as session:
        row = session.execute(select(Worker).where(Worker.name == identity.name)).scalar()
        if row is None:
            session.add(Worker(name=identity.name, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)


def beat(
    metastore: Metastore,
    name: str,
    *,
    status: str,
    queues: list[str],
    tries_running: int,
    clear_wanted: bool = False,
) -> Requests:
    """Refresh the row and read the dashboard's requests in one transaction."""
    with metastore.session() as session:
        row = session.execute(select(Worker).where(Worker.name == name)).scalar()
        if row is None:
            return Requests(False, None)
        row.last_heartbeat = utcnow()
        row.status = status
        row.queues = ",".join(queues)
        row.tries_running = tries_running
        try:
            row.load_1m = os.getloadavg()[0]
        except OSError:
            pass
        if clear_wanted:
            row.wanted_queues = None
        wanted = row.wanted_queues
        return Requests(
            bool(row.drain_requested),
            [q.strip() for q in wanted.split(",") if q.strip()] if wanted is not None else None,
        )


def mark_offline(metastore: Metastore, name: str) -> None:
    with metastore.session() as session:
        row = session.execute(select(Worker).where(Worker.name == name)).scalar()
        if row is not None:
            row.status = OFFLINE
            row.tries_running = 0
            row.last_heartbeat = utcnow()
