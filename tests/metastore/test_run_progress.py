"""update_dagrun: one scheduling step of a run, against SQLite and Postgres."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.spec import DagSpec, TaskSpec
from tradewind.core.states import TASK_TRANSITIONS, DagRunState, TaskState
from tradewind.metastore import run_progress
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import DagRun, TaskInstance, XCom
from tradewind.metastore.run_progress import update_dagrun
from tradewind.metastore.transitions import set_task_state

NOW = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def _spec(*edges: tuple[str, str], tasks: dict[str, dict] | None = None, **dag: object) -> DagSpec:
    tasks = dict(tasks or {})
    ids: list[str] = []
    for a, b in edges:
        ids.extend(x for x in (a, b) if x not in ids)
    ids.extend(x for x in tasks if x not in ids)
    specs = []
    for tid in ids:
        up = tuple(a for a, b in edges if b == tid)
        down = tuple(b for a, b in edges if a == tid)
        specs.append(TaskSpec(tid, upstream=up, downstream=down, **tasks.get(tid, {})))
    return DagSpec("d", tasks=tuple(specs), **dag)  # type: ignore[arg-type]


def _make_run(
    store: Metastore,
    spec: DagSpec,
    run_id: str = "r1",
    *,
    logical_date: datetime = NOW,
    only: list[str] | None = None,
    state: str = "queued",
) -> None:
    """Insert a run and its task instances directly, as create_dagrun would."""
    with store.session() as session:
        session.execute(
            insert(DagRun).values(
                dag_id=spec.dag_id,
                run_id=run_id,
                logical_date=logical_date,
                state=state,
                run_type="manual",
            )
        )
        rows = []
        for task in spec.tasks:
            if only is not None and task.task_id not in only:
                continue
            indexes = range(task.map_length or 0) if task.mapped == "literal" else [-1]
            for mi in indexes:
                rows.append(
                    dict(
                        dag_id=spec.dag_id,
                        run_id=run_id,
                        task_id=task.task_id,
                        map_index=mi,
                        state="none",
                        try_number=0,
                        max_tries=task.retries,
                    )
                )
        if rows:
            session.execute(insert(TaskInstance), rows)


def _step(store: Metastore, spec: DagSpec, run_id: str = "r1", now: datetime = NOW):
    with store.session() as session:
        run = session.execute(
            select(DagRun).where(DagRun.dag_id == spec.dag_id, DagRun.run_id == run_id)
        ).scalar_one()
        return update_dagrun(session, run, spec, now=now)


def _tis(store: Metastore, run_id: str = "r1") -> dict[tuple[str, int], tuple[str, int]]:
    with store.session() as session:
        rows = session.execute(
            select(
                TaskInstance.task_id,
                TaskInstance.map_index,
                TaskInstance.state,
                TaskInstance.try_number,
            ).where(TaskInstance.run_id == run_id)
        ).all()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def _run(store: Metastore, run_id: str = "r1") -> DagRun:
    with store.session() as session:
        run = session.execute(select(DagRun).where(DagRun.run_id == run_id)).scalar_one()
        session.expunge(run)
        return run


def _finish(store: Metastore, task_id: str, state: str, *, map_index: int = -1, **cols: object):
    """Play the worker: scheduled -> queued -> running -> ``state``."""
    key = TaskInstanceKey("d", "r1", task_id, map_index)
    with store.session() as session:
        assert set_task_state(session, key, "queued", expected=["scheduled"])
        assert set_task_state(session, key, "running", expected=["queued"])
        assert set_task_state(session, key, state, expected=["running"], **cols)


def test_first_step_starts_the_run_and_schedules_the_roots(metastore: Metastore) -> None:
    spec = _spec(("a", "b"), ("b", "c"))
    _make_run(metastore, spec)
    progress = _step(metastore, spec)
    assert progress.run_state == DagRunState.RUNNING
    assert progress.schedulable == [TaskInstanceKey("d", "r1", "a")]
    assert _tis(metastore) == {
        ("a", -1): ("scheduled", 1),
        ("b", -1): ("none", 0),
        ("c", -1): ("none", 0),
    }
    run = _run(metastore)
    assert run.state == "running" and run.start_date == NOW


def test_a_chain_runs_to_success_one_task_at_a_time(metastore: Metastore) -> None:
    spec = _spec(("a", "b"), ("b", "c"))
    _make_run(metastore, spec)
    for task_id in ("a", "b", "c"):
        progress = _step(metastore, spec)
        assert progress.schedulable == [TaskInstanceKey("d", "r1", task_id)]
        _finish(metastore, task_id, "success")
    progress = _step(metastore, spec, now=NOW + timedelta(minutes=1))
    assert progress.run_state == DagRunState.SUCCESS
    assert progress.schedulable == []
    run = _run(metastore)
    assert run.state == "success" and run.end_date == NOW + timedelta(minutes=1)


def test_a_failed_task_fails_its_downstream_and_the_run_in_one_step(metastore: Metastore) -> None:
    spec = _spec(("a", "b"), ("b", "c"))
    _make_run(metastore, spec)
    _step(metastore, spec)
    _finish(metastore, "a", "failed")
    progress = _step(metastore, spec)
    assert progress.run_state == DagRunState.FAILED
    assert _tis(metastore)[("b", -1)] == ("upstream_failed", 0)
    assert _tis(metastore)[("c", -1)] == ("upstream_failed", 0)
    assert _run(metastore).state == "failed"


def test_a_skip_propagates_and_the_run_succeeds(metastore: Metastore) -> None:
    spec = _spec(("a", "b"), ("b", "c"))
    _make_run(metastore, spec)
    _step(metastore, spec)
    _finish(metastore, "a", "skipped")
    progress = _step(metastore, spec)
    assert progress.run_state == DagRunState.SUCCESS
    assert _tis(metastore)[("c", -1)] == ("skipped", 0)


def test_up_for_retry_returns_to_scheduled_after_backoff_with_a_new_try(
    metastore: Metastore,
) -> None:
    spec = _spec(tasks={"a": {"retries": 2}})
    _make_run(metastore, spec)
    _step(metastore, spec)
    retry_at = NOW + timedelta(seconds=30)
    _finish(metastore, "a", "up_for_retry", next_try_at=retry_at)

    early = _step(metastore, spec, now=NOW + timedelta(seconds=10))
    assert early.schedulable == []
    assert early.next_check_at == retry_at
    assert _tis(metastore)[("a", -1)] == ("up_for_retry", 1)

    due = _step(metastore, spec, now=retry_at)
    assert due.schedulable == [TaskInstanceKey("d", "r1", "a")]
    assert _tis(metastore)[("a", -1)] == ("scheduled", 2)


def test_up_for_reschedule_returns_to_scheduled_with_the_same_try(metastore: Metastore) -> None:
    spec = _spec(tasks={"sensor": {}})
    _make_run(metastore, spec)
    _step(metastore, spec)
    _finish(metastore, "sensor", "up_for_reschedule", next_try_at=NOW + timedelta(seconds=5))
    _step(metastore, spec, now=NOW + timedelta(seconds=5))
    assert _tis(metastore)[("sensor", -1)] == ("scheduled", 1)


def test_a_task_mapped_over_an_upstream_list_expands_to_its_length(metastore: Metastore) -> None:
    spec = _spec(
        ("make", "each"),
        ("each", "total"),
        tasks={"each": {"mapped": "upstream", "map_upstream": ("make",)}},
    )
    _make_run(metastore, spec)
    _step(metastore, spec)
    _finish(metastore, "make", "success")
    with metastore.session() as session:
        session.execute(
            insert(XCom).values(
                dag_id="d",
                run_id="r1",
                task_id="make",
                map_index=-1,
                key="return_value",
                value="[1, 2, 3]",
            )
        )
    progress = _step(metastore, spec)
    tis = _tis(metastore)
    assert ("each", -1) not in tis
    assert [tis[("each", i)] for i in range(3)] == [("scheduled", 1)] * 3
    assert sorted(k.map_index for k in progress.schedulable) == [0, 1, 2]

    for i in range(3):
        _finish(metastore, "each", "success", map_index=i)
    progress = _step(metastore, spec)
    assert progress.schedulable == [TaskInstanceKey("d", "r1", "total")]


def test_a_task_mapped_over_an_empty_list_is_skipped_with_its_downstream(
    metastore: Metastore,
) -> None:
    spec = _spec(
        ("make", "each"),
        ("each", "total"),
        tasks={"each": {"mapped": "upstream", "map_upstream": ("make",)}},
    )
    _make_run(metastore, spec)
    _step(metastore, spec)
    _finish(metastore, "make", "success")
    with metastore.session() as session:
        session.execute(
            insert(XCom).values(
                dag_id="d",
                run_id="r1",
                task_id="make",
                map_index=-1,
                key="return_value",
                value="[]",
            )
        )
    progress = _step(metastore, spec)
    assert _tis(metastore)[("each", -1)] == ("skipped", 0)
    assert _tis(metastore)[("total", -1)] == ("skipped", 0)
    assert progress.run_state == DagRunState.SUCCESS


def test_tasks_new_in_the_spec_get_instances_and_gone_ones_are_removed(
    metastore: Metastore,
) -> None:
    old = _spec(("a", "gone"))
    _make_run(metastore, old)
    new = _spec(("a", "added"))
    progress = _step(metastore, new)
    tis = _tis(metastore)
    assert tis[("gone", -1)] == ("removed", 0)
    assert tis[("added", -1)] == ("none", 0)
    assert progress.schedulable == [TaskInstanceKey("d", "r1", "a")]


def test_dagrun_timeout_fails_the_run_and_skips_unfinished_tasks(metastore: Metastore) -> None:
    spec = _spec(("a", "b"), dagrun_timeout=60.0)
    _make_run(metastore, spec)
    first = _step(metastore, spec)
    assert first.next_check_at == NOW + timedelta(seconds=60)
    progress = _step(metastore, spec, now=NOW + timedelta(seconds=61))
    assert progress.run_state == DagRunState.FAILED
    assert _tis(metastore) == {("a", -1): ("skipped", 1), ("b", -1): ("skipped", 0)}
    assert _run(metastore).state == "failed"


def test_depends_on_past_waits_for_the_previous_run(metastore: Metastore) -> None:
    spec = _spec(tasks={"a": {"depends_on_past": True}})
    _make_run(metastore, spec, "r0", logical_date=NOW - timedelta(days=1), state="running")
    _make_run(metastore, spec, "r1")
    assert _step(metastore, spec, "r1").schedulable == []
    assert _step(metastore, spec, "r0").schedulable == [TaskInstanceKey("d", "r0", "a")]
    with metastore.session() as session:
        key = TaskInstanceKey("d", "r0", "a")
        set_task_state(session, key, "success", expected=["scheduled"])
    assert _step(metastore, spec, "r1").schedulable == [TaskInstanceKey("d", "r1", "a")]


def test_a_finished_run_is_left_alone(metastore: Metastore) -> None:
    spec = _spec(tasks={"a": {}})
    _make_run(metastore, spec, state="success")
    progress = _step(metastore, spec)
    assert progress.run_state == DagRunState.SUCCESS
    assert _tis(metastore)[("a", -1)] == ("none", 0)


@pytest.mark.parametrize("width", [300])
def test_a_wide_fan_out_is_scheduled_in_one_step(metastore: Metastore, width: int) -> None:
    spec = _spec(*(("root", f"t{i}") for i in range(width)))
    _make_run(metastore, spec)
    _step(metastore, spec)
    _finish(metastore, "root", "success")
    progress = _step(metastore, spec)
    assert len(progress.schedulable) == width
    assert all(
        state == ("scheduled", 1) for (tid, _), state in _tis(metastore).items() if tid != "root"
    )


# -- runs nothing can move in: no decision, no write ----------------------------------------


def _put(store: Metastore, run_id: str = "r1", **states: str) -> None:
    """Move instances to a state by allowed transitions (as workers and the scheduler would)."""
    current = _tis(store, run_id)
    with store.session() as session:
        for task_id, state in states.items():
            key = TaskInstanceKey("d", run_id, task_id)
            path = _path(TaskState(current[(task_id, -1)][0]), TaskState(state))
            for src, dst in itertools.pairwise(path):
                assert set_task_state(session, key, dst, expected=[src])


def _path(src: TaskState, dst: TaskState) -> list[TaskState]:
    """The shortest chain of allowed transitions from ``src`` to ``dst``."""
    paths = {src: [src]}
    todo = [src]
    while dst not in paths:
        here = todo.pop(0)
        for nxt in sorted(TASK_TRANSITIONS[here]):
            if nxt not in paths:
                paths[nxt] = [*paths[here], nxt]
                todo.append(nxt)
    return paths[dst]


def test_a_run_whose_unfinished_instances_run_is_left_as_it_is_without_deciding(
    metastore: Metastore, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(("a", "b"), ("a", "c"), ("a", "d"), dagrun_timeout=600.0)
    _make_run(metastore, spec)
    _step(metastore, spec)
    _finish(metastore, "a", "success")
    _step(metastore, spec)
    _put(metastore, b="queued", c="running")  # d stays scheduled (no free slot yet)
    before = _tis(metastore)

    def no_decide(*args: object, **kwargs: object) -> None:
        raise AssertionError("a settled run needs no decision")

    monkeypatch.setattr(run_progress, "decide", no_decide)
    monkeypatch.setattr(run_progress, "load_previous_rows", no_decide)
    progress = _step(metastore, spec, now=NOW + timedelta(seconds=5))
    assert progress.run_state == DagRunState.RUNNING and not progress.changed
    assert progress.schedulable == [TaskInstanceKey("d", "r1", "d")]
    assert progress.next_check_at == NOW + timedelta(seconds=600)  # the run's timeout
    assert _tis(metastore) == before
    assert _run(metastore).state == "running"


def test_a_settled_run_still_times_out(metastore: Metastore) -> None:
    spec = _spec(("a", "b"), tasks={"c": {}}, dagrun_timeout=60.0)
    _make_run(metastore, spec)
    _step(metastore, spec)
    _put(metastore, a="running", c="queued", b="none")
    _put(metastore, b="upstream_failed")  # nothing left to decide
    progress = _step(metastore, spec, now=NOW + timedelta(seconds=61))
    assert progress.run_state == DagRunState.FAILED
    assert _tis(metastore)[("a", -1)][0] == "skipped"
    assert _tis(metastore)[("c", -1)][0] == "skipped"
    assert _run(metastore).state == "failed"


def test_a_queued_run_whose_instances_already_run_starts(metastore: Metastore) -> None:
    spec = _spec(tasks={"a": {}, "b": {}})
    _make_run(metastore, spec)
    _put(metastore, a="running", b="queued")
    progress = _step(metastore, spec)
    assert progress.run_state == DagRunState.RUNNING and progress.changed
    run = _run(metastore)
    assert run.state == "running" and run.start_date == NOW


def test_a_run_whose_last_instance_finishes_gets_its_final_state(metastore: Metastore) -> None:
    spec = _spec(("a", "b"), ("a", "c"))
    _make_run(metastore, spec)
    _step(metastore, spec)
    _put(metastore, a="success", b="success", c="running")
    assert _step(metastore, spec).run_state == DagRunState.RUNNING
    _put(metastore, c="failed")
    progress = _step(metastore, spec, now=NOW + timedelta(minutes=2))
    assert progress.run_state == DagRunState.FAILED
    run = _run(metastore)
    assert run.state == "failed" and run.end_date == NOW + timedelta(minutes=2)


def test_a_retry_that_is_due_among_running_instances_is_scheduled(metastore: Metastore) -> None:
    spec = _spec(tasks={"a": {"retries": 1}, "b": {}, "c": {}})
    _make_run(metastore, spec)
    _step(metastore, spec)
    _put(metastore, b="running", c="success")
    _finish(metastore, "a", "up_for_retry", next_try_at=NOW + timedelta(seconds=30))
    early = _step(metastore, spec, now=NOW + timedelta(seconds=10))
    assert early.schedulable == [] and early.next_check_at == NOW + timedelta(seconds=30)
    due = _step(metastore, spec, now=NOW + timedelta(seconds=31))
    assert due.schedulable == [TaskInstanceKey("d", "r1", "a")]
    assert _tis(metastore)[("a", -1)] == ("scheduled", 2)


def test_a_mapped_task_expands_while_other_instances_run(metastore: Metastore) -> None:
    spec = _spec(
        ("make", "each"),
        tasks={"each": {"mapped": "upstream", "map_upstream": ("make",)}, "slow": {}},
    )
    _make_run(metastore, spec)
    _step(metastore, spec)
    _put(metastore, slow="running")
    _finish(metastore, "make", "success")
    with metastore.session() as session:
        session.execute(
            insert(XCom).values(
                dag_id="d",
                run_id="r1",
                task_id="make",
                map_index=-1,
                key="return_value",
                value="[1, 2]",
            )
        )
    progress = _step(metastore, spec)
    assert sorted(k.map_index for k in progress.schedulable) == [0, 1]
    tis = _tis(metastore)
    assert tis[("each", 0)] == tis[("each", 1)] == ("scheduled", 1)
    assert tis[("slow", -1)][0] == "running"


def test_a_task_added_to_the_spec_gets_a_row_even_when_the_rest_runs(
    metastore: Metastore,
) -> None:
    old = _spec(tasks={"a": {}})
    _make_run(metastore, old)
    _step(metastore, old)
    _put(metastore, a="running")
    new = _spec(tasks={"a": {}, "added": {}})
    progress = _step(metastore, new)
    assert progress.schedulable == [TaskInstanceKey("d", "r1", "added")]
    assert _tis(metastore)[("added", -1)] == ("scheduled", 1)


def test_a_step_counts_the_tries_in_flight_that_will_wake_the_scheduler(
    metastore: Metastore,
) -> None:
    spec = _spec(tasks={"a": {}, "b": {}, "c": {"queue": "spark"}, "d": {}})
    _make_run(metastore, spec)
    _step(metastore, spec)  # all four scheduled
    key = TaskInstanceKey("d", "r1", "a", -1)
    with metastore.session() as session:
        for task_id in ("a", "b", "c"):
            assert set_task_state(
                session, key._replace(task_id=task_id), "queued", expected=["scheduled"]
            )
        assert set_task_state(session, key, "running", expected=["queued"])
    _finish(metastore, "d", "success")

    step = _step(metastore, spec)
    assert step.in_flight == 3  # a running, b and c queued
    assert step.by_queue == {"default": (1, 1), "spark": (1, 0)}  # (queued, running)
