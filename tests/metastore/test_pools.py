"""Pools (tradewind.metastore.pools)."""

from __future__ import annotations

import pytest

from tradewind.core.keys import TaskInstanceKey
from tradewind.errors import TradewindError
from tradewind.metastore import pools, transitions
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import TaskInstance


def test_the_default_pool_is_created_once_and_keeps_its_slots(metastore: Metastore) -> None:
    with metastore.session() as session:
        assert pools.ensure_default_pool(session, slots=128).slots == 128
    with metastore.session() as session:
        pools.set_pool(session, "default_pool", 5)
    with metastore.session() as session:
        assert pools.ensure_default_pool(session, slots=128).slots == 5
        assert [p.pool for p in pools.list_pools(session)] == ["default_pool"]


def test_pools_can_be_set_read_and_deleted_but_not_the_default(metastore: Metastore) -> None:
    with metastore.session() as session:
        pools.ensure_default_pool(session)
        pools.set_pool(session, "db", 3, "the warehouse")
        pools.set_pool(session, "db", 4)
    with metastore.session() as session:
        pool = pools.get_pool(session, "db")
        assert (pool.slots, pool.description) == (4, "the warehouse")
        pools.delete_pool(session, "db")
        with pytest.raises(TradewindError, match="not found"):
            pools.get_pool(session, "db")
        with pytest.raises(TradewindError, match="cannot be deleted"):
            pools.delete_pool(session, "default_pool")
        with pytest.raises(TradewindError, match="slots must be"):
            pools.set_pool(session, "bad", -3)


def test_pool_stats_count_the_slots_of_queued_and_running_task_instances(metastore) -> None:
    with metastore.session() as session:
        pools.set_pool(session, "db", 5)
        for task_id, slots, state in (("a", 2, "running"), ("b", 1, "queued"), ("c", 1, "none")):
            session.add(
                TaskInstance(dag_id="d", run_id="r", task_id=task_id, pool="db", pool_slots=slots)
            )
            session.flush()
            if state != "none":
                key = TaskInstanceKey("d", "r", task_id)
                transitions.set_task_state(session, key, "scheduled", expected=["none"])
                transitions.set_task_state(session, key, "queued", expected=["scheduled"])
                if state == "running":
                    transitions.set_task_state(session, key, "running", expected=["queued"])
    with metastore.session() as session:
        stats = pools.pool_stats(session)["db"]
    assert (stats.slots, stats.running, stats.queued, stats.occupied, stats.open) == (5, 2, 1, 3, 2)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_processes_creating_the_default_pool_at_once_both_get_it(
    metastore: Metastore,
) -> None:
    """Two schedulers started together: the second insert waits for the first, loses, and
    takes the first one's row instead of failing the scheduler's start."""
    import threading

    first = metastore.sessionmaker()
    pools.ensure_default_pool(first, slots=7)  # inserted, not committed yet
    second_result: list = []

    def second() -> None:
        with metastore.session() as session:
            second_result.append(pools.ensure_default_pool(session, slots=99).slots)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # its insert waits on the first one's uncommitted row
    first.commit()
    first.close()
    thread.join(10)
    assert second_result == [7]
    with metastore.session() as session:
        assert [p.pool for p in pools.list_pools(session)] == ["default_pool"]
