"""Choosing which scheduled tries to queue: priority, run age, executor/DAG/pool limits."""

from __future__ import annotations

from datetime import UTC, datetime

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.slots import Candidate, choose_tries_to_queue

OLD = datetime(2024, 1, 1, tzinfo=UTC)
NEW = datetime(2024, 1, 2, tzinfo=UTC)


def cand(task_id: str, *, dag: str = "d", run: str = "r", **kw: object) -> Candidate:
    return Candidate(TaskInstanceKey(dag, run, task_id), **kw)  # type: ignore[arg-type]


def ids(cands: list[Candidate]) -> list[str]:
    return [c.key.task_id for c in cands]


def choose(cands: list[Candidate], **kw: object):
    args: dict = dict(
        open_executor_slots=100,
        dag_running_counts={},
        dag_max_active_tasks={},
        pool_open_slots={"default_pool": 128},
    )
    args.update(kw)
    return choose_tries_to_queue(cands, **args)


def test_highest_priority_first_then_older_runs_then_task_id() -> None:
    cands = [
        cand("b", priority_weight=1, logical_date=OLD),
        cand("a", priority_weight=1, logical_date=OLD),
        cand("new", priority_weight=1, logical_date=NEW),
        cand("urgent", priority_weight=10, logical_date=NEW),
    ]
    assert ids(choose(cands).to_queue) == ["urgent", "a", "b", "new"]


def test_open_executor_slots_bound_how_many_are_queued() -> None:
    choice = choose([cand(f"t{i}") for i in range(5)], open_executor_slots=2)
    assert ids(choice.to_queue) == ["t0", "t1"]
    assert ids(choice.waiting) == ["t2", "t3", "t4"]


def test_max_active_tasks_counts_what_the_dag_already_runs() -> None:
    cands = [cand("x1", dag="x"), cand("x2", dag="x"), cand("y1", dag="y")]
    choice = choose(cands, dag_running_counts={"x": 2}, dag_max_active_tasks={"x": 3})
    assert ids(choice.to_queue) == ["x1", "y1"]
    assert ids(choice.waiting) == ["x2"]


def test_a_try_needing_more_pool_slots_than_are_left_waits_while_smaller_ones_go() -> None:
    cands = [
        cand("big", pool="p", pool_slots=3, priority_weight=5),
        cand("small", pool="p", pool_slots=1, priority_weight=1),
    ]
    choice = choose(cands, pool_open_slots={"p": 2}, pool_total_slots={"p": 4})
    assert ids(choice.to_queue) == ["small"]
    assert ids(choice.waiting) == ["big"]


def test_pool_slots_are_used_up_in_priority_order() -> None:
    cands = [cand(f"t{i}", pool="p", pool_slots=2, priority_weight=10 - i) for i in range(3)]
    choice = choose(cands, pool_open_slots={"p": 4})
    assert ids(choice.to_queue) == ["t0", "t1"]


def test_a_try_larger_than_its_whole_pool_or_in_an_unknown_pool_never_fits() -> None:
    cands = [cand("huge", pool="p", pool_slots=9), cand("lost", pool="nope"), cand("ok", pool="p")]
    choice = choose(cands, pool_open_slots={"p": 5}, pool_total_slots={"p": 5})
    assert ids(choice.to_queue) == ["ok"]
    assert sorted(ids(choice.never_fit)) == ["huge", "lost"]


def test_no_open_slots_queues_nothing() -> None:
    choice = choose([cand("a")], open_executor_slots=0)
    assert choice.to_queue == [] and ids(choice.waiting) == ["a"]
