"""Pools: named numbers of slots that limit how many task instances run at once, fleet-wide.

``default_pool`` always exists (``tradewind db init`` creates it) and cannot be deleted, as in
Airflow. Occupied slots are counted from task instances that are queued or running.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradewind.core.states import TaskState
from tradewind.errors import TradewindError
from tradewind.metastore.models import Pool, TaskInstance

DEFAULT_POOL = "default_pool"


#: the slots of an unlimited pool, as in Airflow (the scheduler counts it as infinite)
UNLIMITED = -1


@dataclass(frozen=True)
class PoolStats:
    """One pool's slots and how they are used (Airflow's ``Pool.slots_stats``)."""

    pool: str
    slots: int
    running: int
    queued: int
    scheduled: int
    description: str | None = None

    @property
    def occupied(self) -> int:
        return self.running + self.queued

    @property
    def open(self) -> int:
        """Open slots; :data:`UNLIMITED` for an unlimited pool."""
        if self.slots == UNLIMITED:
            return UNLIMITED
        return max(self.slots - self.occupied, 0)


def ensure_default_pool(session: Session, slots: int = 128) -> Pool:
    """Create ``default_pool`` with ``slots`` unless it exists (its slots are then kept).

    Two processes starting at once (two schedulers, a scheduler and the dashboard) may both
    find it missing: the one whose insert loses takes the winner's row."""
    pool = _find(session, DEFAULT_POOL)
    if pool is None:
        try:
            with session.begin_nested():
                session.add(Pool(pool=DEFAULT_POOL, slots=slots, description="Default pool"))
        except IntegrityError:
            pass
        pool = _find(session, DEFAULT_POOL)
        assert pool is not None
    return pool


def get_pool(session: Session, name: str) -> Pool:
    pool = _find(session, name)
    if pool is None:
        raise TradewindError(
            f"pool {name!r} not found", hint="run `tradewind pools list` to see the pools"
        )
    return pool


def list_pools(session: Session) -> list[Pool]:
    return list(session.execute(select(Pool).order_by(Pool.pool)).scalars())


def set_pool(session: Session, name: str, slots: int, description: str | None = None) -> Pool:
    """Create the pool or change its slots (and description, when given)."""
    name = (name or "").strip()
    if not name:
        raise TradewindError("a pool needs a name")
    if not isinstance(slots, int) or isinstance(slots, bool) or slots < UNLIMITED:
        raise TradewindError(
            f"pool {name!r}: slots must be a whole number >= 0, or -1 for unlimited, not {slots!r}"
        )
    pool = _find(session, name)
    if pool is None:
        pool = Pool(pool=name, slots=slots, description=description)
        session.add(pool)
    else:
        pool.slots = slots
        if description is not None:
            pool.description = description
    session.flush()
    return pool


def delete_pool(session: Session, name: str) -> None:
    if name == DEFAULT_POOL:
        raise TradewindError("default_pool cannot be deleted", hint="set its slots instead")
    session.delete(get_pool(session, name))
    session.flush()


def pool_stats(session: Session) -> dict[str, PoolStats]:
    """Every pool's slots with the pool slots its task instances occupy, by state."""
    counted = (TaskState.RUNNING.value, TaskState.QUEUED.value, TaskState.SCHEDULED.value)
    usage: dict[tuple[str, str], int] = {
        (row.pool, row.state): int(row.used or 0)
        for row in session.execute(
            select(
                TaskInstance.pool,
                TaskInstance.state,
                func.sum(TaskInstance.pool_slots).label("used"),
            )
            .where(TaskInstance.state.in_(counted))
            .group_by(TaskInstance.pool, TaskInstance.state)
        )
    }
    return {
        pool.pool: PoolStats(
            pool=pool.pool,
            slots=pool.slots,
            running=usage.get((pool.pool, "running"), 0),
            queued=usage.get((pool.pool, "queued"), 0),
            scheduled=usage.get((pool.pool, "scheduled"), 0),
            description=pool.description,
        )
        for pool in list_pools(session)
    }


def _find(session: Session, name: str) -> Pool | None:
    return session.execute(select(Pool).where(Pool.pool == name)).scalar_one_or_none()
