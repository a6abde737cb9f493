"""update_dagrun: one scheduling step of a run, against SQLite and Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.spec import DagSpec, TaskSpec
from tradewind.core.states import DagRunState
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
