"""Creating, triggering, clearing, marking and deleting DAG runs (tradewind.metastore.runs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.spec import DagSpec, ScheduleSpec, TaskSpec
from tradewind.core.states import DagRunState, TaskState
from tradewind.errors import (
    DagNotFound,
    DagRunAlreadyExists,
    ParamValidationError,
    TradewindError,
)
from tradewind.metastore import runs, transitions
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import DagModel, DagRun, DagVersion, TaskInstance, XCom

DAY = datetime(2024, 1, 1, tzinfo=UTC)


def chain_spec(dag_id: str = "chain", *, retries: int = 0, **dag_kwargs: object) -> DagSpec:
    """a >> b >> c, plus a lonely d."""
    return DagSpec(
        dag_id=dag_id,
        tasks=(
            TaskSpec("a", operator="BashOperator", downstream=("b",), retries=retries),
            TaskSpec("b", upstream=("a",), downstream=("c",), retries=retries, pool="p1"),
            TaskSpec("c", upstream=("b",), retries=retries, queue="high_cpu", pool_slots=2),
            TaskSpec("d", retries=retries),
        ),
        **dag_kwargs,  # type: ignore[arg-type]
    )


def store_dag(metastore: Metastore, spec: DagSpec) -> int:
    """What DAG sync would write: the DAG row and its latest version."""
    with metastore.session() as session:
        session.add(DagModel(dag_id=spec.dag_id, fileloc=f"/dags/{spec.dag_id}.py"))
        version = DagVersion(dag_id=spec.dag_id, version_hash="h1", spec_json=spec.to_json())
        session.add(version)
        session.flush()
        session.get(DagModel, spec.dag_id).latest_version_id = version.id
        return version.id


def tis(metastore: Metastore, dag_id: str = "chain") -> dict[tuple[str, str, int], TaskInstance]:
    with metastore.session() as session:
        rows = session.execute(select(TaskInstance).where(TaskInstance.dag_id == dag_id)).scalars()
        return {(ti.run_id, ti.task_id, ti.map_index): ti for ti in rows}


def run_state(metastore: Metastore, run_id: str, dag_id: str = "chain") -> str:
    with metastore.session() as session:
        return runs.get_dagrun(session, dag_id, run_id).state


def set_states(metastore: Metastore, run_id: str, states: dict[str, TaskState], try_number=1):
    """Put task instances of a run into states, as if they had run ``try_number`` times."""
    with metastore.session() as session:
        for task_id, state in states.items():
            key = TaskInstanceKey("chain", run_id, task_id)
            assert transitions.set_task_state(
                session, key, state, expected=[TaskState.NONE], try_number=None
            )
            session.execute(
                TaskInstance.__table__.update()
                .where(TaskInstance.task_id == task_id, TaskInstance.run_id == run_id)
                .values(try_number=try_number)
            )


def finish_run(metastore: Metastore, run_id: str, state: DagRunState) -> None:
    with metastore.session() as session:
        transitions.set_run_state(session, "chain", run_id, state, expected=[DagRunState.QUEUED])


def test_run_ids_follow_airflows_format() -> None:
    assert runs.make_run_id("manual", DAY) == "manual__2024-01-01T00:00:00+00:00"
    assert runs.make_run_id("scheduled", DAY).startswith("scheduled__2024-01-01T00")
    with pytest.raises(TradewindError, match="unknown run type"):
        runs.make_run_id("whenever", DAY)


def test_create_dagrun_makes_one_task_instance_per_task_from_the_spec(metastore: Metastore):
    spec = chain_spec(retries=2)
    with metastore.session() as session:
        run = runs.create_dagrun(
            session,
            spec,
            logical_date=DAY,
            data_interval=(DAY, DAY + timedelta(days=1)),
            run_type="scheduled",
            dag_version_id=7,
        )
    assert run.run_id == "scheduled__2024-01-01T00:00:00+00:00"
    assert run.state == "queued" and run.data_interval_end == DAY + timedelta(days=1)
    rows = tis(metastore)
    assert sorted(k[1] for k in rows) == ["a", "b", "c", "d"]
    c = rows[(run.run_id, "c", -1)]
    assert (c.state, c.try_number, c.max_tries) == ("none", 0, 2)
    assert (c.queue, c.pool, c.pool_slots, c.dag_version_id) == ("high_cpu", "default_pool", 2, 7)
    assert rows[(run.run_id, "b", -1)].pool == "p1"
    assert rows[(run.run_id, "a", -1)].operator == "BashOperator"


def test_priority_weights_follow_the_downstream_weight_rule(metastore: Metastore) -> None:
    with metastore.session() as session:
        run = runs.create_dagrun(session, chain_spec(), logical_date=DAY)
    weights = {k[1]: ti.priority_weight for k, ti in tis(metastore).items() if k[0] == run.run_id}
    assert weights == {"a": 3, "b": 2, "c": 1, "d": 1}


def test_mapped_tasks_get_literal_indexes_or_one_placeholder(metastore: Metastore) -> None:
    spec = DagSpec(
        dag_id="chain",
        tasks=(
            TaskSpec("lit", mapped="literal", map_length=3),
            TaskSpec("up", downstream=("dyn",)),
            TaskSpec("dyn", upstream=("up",), mapped="upstream", map_upstream=("up",)),
            TaskSpec("empty", mapped="literal", map_length=0),
        ),
    )
    with metastore.session() as session:
        runs.create_dagrun(session, spec, logical_date=DAY, run_id="r")
    rows = tis(metastore)
    assert sorted(i for (_, t, i) in rows if t == "lit") == [0, 1, 2]
    assert [i for (_, t, i) in rows if t == "dyn"] == [-1]
    assert rows[("r", "empty", -1)].state == "skipped"
    assert rows[("r", "dyn", -1)].state == "none"


def test_a_second_run_at_the_same_logical_date_or_run_id_is_refused(metastore: Metastore):
    spec = chain_spec()
    with metastore.session() as session:
        runs.create_dagrun(session, spec, logical_date=DAY, run_id="first")
    for kwargs in ({"logical_date": DAY}, {"logical_date": DAY + timedelta(1), "run_id": "first"}):
        with pytest.raises(DagRunAlreadyExists), metastore.session() as session:
            runs.create_dagrun(session, spec, **kwargs)  # type: ignore[arg-type]
    with metastore.session() as session:
        assert session.scalar(select(func.count()).select_from(DagRun)) == 1


def test_naive_logical_dates_are_refused(metastore: Metastore) -> None:
    with pytest.raises(TradewindError, match="no time zone"), metastore.session() as session:
        runs.create_dagrun(session, chain_spec(), logical_date=datetime(2024, 1, 1))


def test_trigger_dag_creates_a_manual_run_of_the_latest_version(metastore: Metastore) -> None:
    spec = chain_spec(
        schedule=ScheduleSpec(kind="cron", expression="0 0 * * *", description="@daily"),
        params={"n": {"default": 1, "schema": {"type": "integer", "minimum": 0}}},
    )
    version_id = store_dag(metastore, spec)
    when = datetime(2024, 3, 5, 1, 30, tzinfo=UTC)
    with metastore.session() as session:
        run = runs.trigger_dag(
            session, "chain", logical_date=when, conf={"n": 5}, triggered_by="me"
        )
    assert run.run_id == "manual__2024-03-05T01:30:00+00:00"
    assert (run.run_type, run.external_trigger, run.triggered_by) == ("manual", True, "me")
    assert run.conf == {"n": 5} and run.dag_version_id == version_id
    # Airflow's manual data interval for a daily cron: the last complete day before the run
    assert (run.data_interval_start, run.data_interval_end) == (
        datetime(2024, 3, 4, tzinfo=UTC),
        datetime(2024, 3, 5, tzinfo=UTC),
    )
    assert len(tis(metastore)) == 4


def test_trigger_dag_defaults_the_logical_date_to_now(metastore: Metastore) -> None:
    store_dag(metastore, chain_spec())
    before = datetime.now(UTC)
    with metastore.session() as session:
        run = runs.trigger_dag(session, "chain")
    assert before <= run.logical_date <= datetime.now(UTC)
    assert run.data_interval_start == run.data_interval_end == run.logical_date


def test_trigger_dag_refuses_unknown_dags_bad_conf_and_duplicate_dates(metastore: Metastore):
    with pytest.raises(DagNotFound), metastore.session() as session:
        runs.trigger_dag(session, "nope")
    store_dag(metastore, chain_spec(params={"n": {"default": 1, "schema": {"type": "integer"}}}))
    with pytest.raises(ParamValidationError, match="n"), metastore.session() as session:
        runs.trigger_dag(session, "chain", conf={"n": "many"})
    with metastore.session() as session:
        runs.trigger_dag(session, "chain", logical_date=DAY)
    with pytest.raises(DagRunAlreadyExists), metastore.session() as session:
        runs.trigger_dag(session, "chain", logical_date=DAY)


@pytest.fixture
def failed_run(metastore: Metastore) -> str:
    """A finished, failed run of the chain: a success, b failed, c upstream_failed, d success."""
    store_dag(metastore, chain_spec(retries=1))
    with metastore.session() as session:
        run_id = runs.trigger_dag(session, "chain", logical_date=DAY).run_id
    set_states(
        metastore,
        run_id,
        {
            "a": TaskState.SUCCESS,
            "b": TaskState.FAILED,
            "c": TaskState.UPSTREAM_FAILED,
            "d": TaskState.SUCCESS,
        },
        try_number=2,
    )
    finish_run(metastore, run_id, DagRunState.FAILED)
    return run_id


def test_clearing_resets_task_instances_and_requeues_their_run(metastore, failed_run) -> None:
    with metastore.session() as session:
        cleared = runs.clear_task_instances(session, "chain", task_ids=["b"], downstream=True)
    assert [k.task_id for k in cleared] == ["b", "c"]
    rows = tis(metastore)
    b = rows[(failed_run, "b", -1)]
    assert (b.state, b.try_number, b.max_tries) == ("none", 2, 3)
    assert rows[(failed_run, "c", -1)].state == "none"
    assert rows[(failed_run, "a", -1)].state == "success"
    assert run_state(metastore, failed_run) == "queued"


def test_clearing_only_failed_leaves_successes_alone(metastore, failed_run) -> None:
    with metastore.session() as session:
        cleared = runs.clear_task_instances(session, "chain", only_failed=True)
    assert {k.task_id for k in cleared} == {"b", "c"}
    assert tis(metastore)[(failed_run, "d", -1)].state == "success"


def test_clearing_upstream_takes_the_tasks_ancestors(metastore, failed_run) -> None:
    with metastore.session() as session:
        cleared = runs.clear_task_instances(session, "chain", task_ids=["b"], upstream=True)
    assert {k.task_id for k in cleared} == {"a", "b"}


def test_clearing_matches_task_regexes_like_airflows_dash_t(metastore, failed_run) -> None:
    with metastore.session() as session:
        assert {
            k.task_id
            for k in runs.clear_task_instances(session, "chain", task_regex="^[cd]$", dry_run=True)
        } == {"c", "d"}
        assert {
            k.task_id
            for k in runs.clear_task_instances(session, "chain", task_ids=["[ab]"], dry_run=True)
        } == {"a", "b"}
        with pytest.raises(TradewindError, match="bad task regular expression"):
            runs.clear_task_instances(session, "chain", task_regex="(")


def test_clearing_a_dry_run_changes_nothing(metastore, failed_run) -> None:
    with metastore.session() as session:
        keys = runs.clear_task_instances(session, "chain", dry_run=True)
    assert len(keys) == 4
    assert tis(metastore)[(failed_run, "b", -1)].state == "failed"
    assert run_state(metastore, failed_run) == "failed"


def test_clearing_is_bounded_by_the_runs_logical_dates(metastore, failed_run) -> None:
    with metastore.session() as session:
        runs.trigger_dag(session, "chain", logical_date=DAY + timedelta(days=1), run_id="later")
    set_states(metastore, "later", {"b": TaskState.FAILED})
    with metastore.session() as session:
        cleared = runs.clear_task_instances(
            session, "chain", task_ids=["b"], start_date=DAY + timedelta(hours=1)
        )
        assert [k.run_id for k in cleared] == ["later"]
        cleared = runs.clear_task_instances(
            session, "chain", task_ids=["b"], end_date=DAY, dry_run=True
        )
        assert [k.run_id for k in cleared] == [failed_run]


def test_marking_success_clears_failed_downstream_so_the_run_carries_on(metastore, failed_run):
    with metastore.session() as session:
        altered = runs.mark_task_instances(
            session, [TaskInstanceKey("chain", failed_run, "b")], TaskState.SUCCESS
        )
    assert [k.task_id for k in altered] == ["b"]
    rows = tis(metastore)
    assert rows[(failed_run, "b", -1)].state == "success"
    assert rows[(failed_run, "c", -1)].state == "none"
    assert run_state(metastore, failed_run) == "queued"


def test_marking_failed_with_downstream_marks_the_descendants(metastore) -> None:
    store_dag(metastore, chain_spec())
    with metastore.session() as session:
        run_id = runs.trigger_dag(session, "chain", logical_date=DAY).run_id
        altered = runs.mark_task_instances(
            session, [TaskInstanceKey("chain", run_id, "a")], "failed", downstream=True
        )
    assert [k.task_id for k in altered] == ["a", "b", "c"]
    assert tis(metastore)[(run_id, "d", -1)].state == "none"


def test_marking_to_a_state_other_than_success_failed_skipped_is_refused(metastore, failed_run):
    with pytest.raises(TradewindError, match="cannot mark"), metastore.session() as session:
        runs.mark_task_instances(session, [TaskInstanceKey("chain", failed_run, "b")], "running")


def test_marking_a_run_success_marks_its_unfinished_tasks_success(metastore, failed_run):
    with metastore.session() as session:
        altered = runs.set_dagrun_state(session, "chain", failed_run, DagRunState.SUCCESS)
    assert {k.task_id for k in altered} == {"b", "c"}
    assert {ti.state for ti in tis(metastore).values()} == {"success"}
    assert run_state(metastore, failed_run) == "success"


def test_marking_a_run_failed_fails_running_and_skips_pending_tasks(metastore) -> None:
    store_dag(metastore, chain_spec())
    with metastore.session() as session:
        run_id = runs.trigger_dag(session, "chain", logical_date=DAY).run_id
    set_states(metastore, run_id, {"a": TaskState.SCHEDULED})
    with metastore.session() as session:
        key = TaskInstanceKey("chain", run_id, "a")
        transitions.set_task_state(session, key, "queued", expected=["scheduled"])
        transitions.set_task_state(session, key, "running", expected=["queued"])
        runs.set_dagrun_state(session, "chain", run_id, "failed")
    states = {k[1]: ti.state for k, ti in tis(metastore).items()}
    assert states == {"a": "failed", "b": "skipped", "c": "skipped", "d": "skipped"}
    assert run_state(metastore, run_id) == "failed"


def test_deleting_runs_and_dags_removes_their_rows(metastore, failed_run) -> None:
    with metastore.session() as session:
        session.add(XCom(dag_id="chain", run_id=failed_run, task_id="a", key="k", value="1"))
    with metastore.session() as session:
        assert runs.delete_dag_runs(session, "chain", [failed_run]) == 1
    assert tis(metastore) == {}
    with metastore.session() as session:
        runs.trigger_dag(session, "chain", logical_date=DAY)
    with metastore.session() as session:
        assert runs.delete_dag(session, "chain") > 0
    with metastore.session() as session:
        for model in (DagModel, DagVersion, DagRun, TaskInstance, XCom):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        with pytest.raises(DagNotFound):
            runs.delete_dag(session, "chain")


def test_a_stored_spec_is_parsed_once_and_a_changed_one_again() -> None:
    text = chain_spec().to_json()
    first = DagSpec.from_json(text)
    assert DagSpec.from_json("".join(text)) is first  # equal text, another string object
    changed = DagSpec.from_json(chain_spec(retries=3).to_json())
    assert changed is not first
    assert changed.task("a").retries == 3 and first.task("a").retries == 0
