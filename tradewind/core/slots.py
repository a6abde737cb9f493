"""Which scheduled tries to queue now, given the free slots (pure).

As Airflow's ``SchedulerJobRunner._executable_task_instances_to_queued``: candidates are taken in
order of highest ``priority_weight``, then oldest run (logical date), then task id and map index;
each takes one executor slot (``parallelism`` minus tries queued or running), one of its DAG's
``max_active_tasks`` and ``pool_slots`` of its pool. A try that does not fit waits, and those
behind it still get their chance; a try needing more slots than its pool has in total, or naming
a pool that does not exist, can never run and is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tradewind.core.keys import TaskInstanceKey

_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Candidate:
    """A task instance in state ``scheduled``."""

    key: TaskInstanceKey
    pool: str = "default_pool"
    pool_slots: int = 1
    priority_weight: int = 1
    logical_date: datetime | None = None
    queue: str = "default"

    @property
    def dag_id(self) -> str:
        return self.key.dag_id

    def sort_key(self) -> tuple:
        return (
            -self.priority_weight,
            self.logical_date or _EPOCH,
            self.key.task_id,
            self.key.map_index,
            self.key.run_id,
        )


@dataclass
class SlotChoice:
    #: the tries to queue, in queue order
    to_queue: list[Candidate] = field(default_factory=list)
    #: tries that wait for a slot (executor, DAG or pool)
    waiting: list[Candidate] = field(default_factory=list)
    #: tries that can never run: pool_slots larger than the pool, or an unknown pool
    never_fit: list[Candidate] = field(default_factory=list)


def choose_tries_to_queue(
    candidates: Iterable[Candidate],
    *,
    open_executor_slots: int,
    dag_running_counts: Mapping[str, int],
    dag_max_active_tasks: Mapping[str, int],
    pool_open_slots: Mapping[str, int],
    pool_total_slots: Mapping[str, int] | None = None,
    default_max_active_tasks: int = 16,
) -> SlotChoice:
    """Pick the tries to queue now.

    ``dag_running_counts``: queued + running instances per DAG; ``dag_max_active_tasks``: each
    DAG's limit (``default_max_active_tasks`` when absent); ``pool_open_slots``: free slots per
    pool (a pool missing here does not exist); ``pool_total_slots``: each pool's size (defaults to
    its open slots).
    """
    totals = pool_total_slots if pool_total_slots is not None else pool_open_slots
    executor_left = max(open_executor_slots, 0)
    pool_left = dict(pool_open_slots)
    dag_used = dict(dag_running_counts)
    choice = SlotChoice()
    for cand in sorted(candidates, key=Candidate.sort_key):
        if cand.pool not in pool_left or cand.pool_slots > totals.get(cand.pool, 0):
            choice.never_fit.append(cand)
            continue
        limit = dag_max_active_tasks.get(cand.dag_id, default_max_active_tasks)
        if (
            executor_left <= 0
            or dag_used.get(cand.dag_id, 0) >= limit
            or cand.pool_slots > pool_left[cand.pool]
        ):
            choice.waiting.append(cand)
            continue
        choice.to_queue.append(cand)
        executor_left -= 1
        pool_left[cand.pool] -= cand.pool_slots
        dag_used[cand.dag_id] = dag_used.get(cand.dag_id, 0) + 1
    return choice
