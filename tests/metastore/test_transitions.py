"""The one state writer: compare-and-set on state and try number (metastore.transitions)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import DagRunState, TaskState
from tradewind.errors import IllegalTransition
from tradewind.metastore import transitions
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import DagRun, TaskInstance, TaskTry, utcnow

KEY = TaskInstanceKey("dag", "run", "task")


@pytest.fixture
def queued_try(metastore: Metastore) -> Metastore:
    """A task instance queued at try 1, in a running run."""
    with metastore.session() as session:
        session.add(DagRun(dag_id="dag", run_id="run", logical_date=utcnow(), state="running"))
        session.add(TaskInstance(dag_id="dag", run_id="run", task_id="task", try_number=1))
        session.flush()
        assert transitions.set_task_state(session, KEY, TaskState.SCHEDULED, expected=["none"])
        assert transitions.set_task_state(session, KEY, TaskState.QUEUED, expected=["scheduled"])
    return metastore


def current(metastore: Metastore) -> tuple[str, str | None]:
    with metastore.session() as session:
        ti = session.get(TaskInstance, ("dag", "run", "task", -1))
        return ti.state, ti.hostname


def claim(metastore: Metastore, try_number: int, hostname: str) -> bool:
    with metastore.session() as session:
        return transitions.set_task_state(
            session,
            KEY,
            TaskState.RUNNING,
            expected=[TaskState.QUEUED],
            try_number=try_number,
            hostname=hostname,
        )


def test_the_first_claim_of_a_try_wins_and_a_second_loses(queued_try: Metastore) -> None:
    assert claim(queued_try, 1, "worker-1") is True
    assert claim(queued_try, 1, "worker-2") is False
    assert current(queued_try) == ("running", "worker-1")


def test_a_claim_with_the_wrong_try_number_loses(queued_try: Metastore) -> None:
    assert claim(queued_try, 2, "stale") is False
    assert claim(queued_try, 0, "stale") is False
    assert current(queued_try) == ("queued", None)


def test_an_illegal_transition_raises_naming_both_states(queued_try: Metastore) -> None:
    with pytest.raises(IllegalTransition, match="from queued to up_for_retry"):
        with queued_try.session() as session:
            transitions.set_task_state(
                session, KEY, TaskState.UP_FOR_RETRY, expected=[TaskState.QUEUED]
            )
    with pytest.raises(IllegalTransition, match="from removed to success"):
        with queued_try.session() as session:
            transitions.set_task_state(session, KEY, "success", expected=["removed"])
    assert current(queued_try) == ("queued", None)


def test_a_write_from_a_state_the_row_is_not_in_changes_nothing(queued_try: Metastore) -> None:
    with queued_try.session() as session:
        assert not transitions.set_task_state(session, KEY, "success", expected=["running"])
    assert current(queued_try)[0] == "queued"


def test_the_bulk_form_counts_the_rows_that_moved(queued_try: Metastore) -> None:
    other = TaskInstanceKey("dag", "run", "other")
    with queued_try.session() as session:
        session.add(TaskInstance(dag_id="dag", run_id="run", task_id="other"))
        session.flush()
        moved = transitions.set_task_states(
            session, [KEY, other], TaskState.SKIPPED, expected=[TaskState.NONE]
        )
    assert moved == 1


def test_run_states_are_compare_and_set_and_checked(queued_try: Metastore) -> None:
    with queued_try.session() as session:
        assert not transitions.set_run_state(session, "dag", "run", "success", expected=["queued"])
        assert transitions.set_run_state(session, "dag", "run", "success", expected=["running"])
        with pytest.raises(IllegalTransition, match="from success to success"):
            transitions.set_run_state(session, "dag", "run", "success", expected=["success"])
        state = session.scalar(select(DagRun.state))
    assert state == DagRunState.SUCCESS


def test_each_try_keeps_one_history_row(queued_try: Metastore) -> None:
    try_key = KEY.with_try(1)
    with queued_try.session() as session:
        transitions.record_try(session, try_key, "running", hostname="w1")
        transitions.record_try(session, try_key, "failed", error="boom")
        transitions.record_try(session, KEY.with_try(2), "success")
    with queued_try.session() as session:
        rows = session.execute(select(TaskTry).order_by(TaskTry.try_number)).scalars().all()
        assert [(r.try_number, r.state, r.hostname, r.error) for r in rows] == [
            (1, "failed", "w1", "boom"),
            (2, "success", None, None),
        ]


def test_a_finished_try_row_is_never_put_back_to_running(queued_try: Metastore) -> None:
    with queued_try.session() as session:
        transitions.record_try(session, KEY.with_try(1), "running", hostname="w1")
        transitions.record_try(session, KEY.with_try(1), "failed", error="boom")
        transitions.record_try(session, KEY.with_try(1), "running", hostname="late", error=None)
        transitions.record_try(session, KEY.with_try(2), "up_for_reschedule", hostname="w1")
        transitions.record_try(session, KEY.with_try(2), "running", hostname="w2")
    with queued_try.session() as session:
        rows = session.execute(select(TaskTry).order_by(TaskTry.try_number)).scalars().all()
        assert [(r.try_number, r.state, r.hostname, r.error) for r in rows] == [
            (1, "failed", "w1", "boom"),
            (2, "running", "w2", None),
        ]


def test_one_row_writes_reuse_one_statement_per_shape(queued_try: Metastore) -> None:
    transitions._one_ti_update.cache_clear()
    with queued_try.session() as session:
        for hostname in ("w1", "w2"):  # the second loses: same shape, other values
            transitions.set_task_state(
                session,
                KEY,
                TaskState.RUNNING,
                expected=[TaskState.QUEUED],
                try_number=1,
                hostname=hostname,
                start_date=utcnow(),
            )
    info = transitions._one_ti_update.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert current(queued_try) == ("running", "w1")


def test_one_row_writes_take_sql_expressions_and_increment_the_try(
    queued_try: Metastore,
) -> None:
    from sqlalchemy import func

    with queued_try.session() as session:
        assert transitions.set_task_state(
            session, KEY, TaskState.SCHEDULED, expected=["queued"], note=func.lower("A")
        )
        assert transitions.set_task_state(
            session, KEY, TaskState.QUEUED, expected=["scheduled"], increment_try=True
        )
    with queued_try.session() as session:
        ti = session.get(TaskInstance, ("dag", "run", "task", -1))
        assert (ti.state, ti.try_number, ti.note) == ("queued", 2, "a")
