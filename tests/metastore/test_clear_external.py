"""Clearing follows ExternalTaskMarkers into other DAGs (tradewind.metastore.clearing_external)."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.dag_processor import DagProcessor
from tradewind.core.keys import TaskInstanceKey
from tradewind.errors import DagDefinitionError, TradewindError
from tradewind.metastore import transitions
from tradewind.metastore.clearing import clear_task_instances
from tradewind.metastore.models import DagRun, TaskInstance
from tradewind.metastore.runs import trigger_dag
from tradewind.sensors.external_task import ExternalTaskMarker

DAY = datetime(2024, 2, 1, tzinfo=UTC)

HEADER = """\
import pendulum
from tradewind import DAG
from tradewind.operators.empty import EmptyOperator
from tradewind.sensors.external_task import ExternalTaskMarker

S = pendulum.datetime(2021, 1, 1, tz="UTC")
"""

#: parent: before >> marker >> after; child: pre >> target >> (tail, marker to grandchild);
#: grandchild: g1 >> g2
LINKED = """
with DAG("parent", start_date=S, schedule=None):
    (
        EmptyOperator(task_id="before")
        >> ExternalTaskMarker(task_id="marker", external_dag_id="child",
                              external_task_id="target", {marker_args})
        >> EmptyOperator(task_id="after")
    )
with DAG("child", start_date=S, schedule=None):
    target = EmptyOperator(task_id="target")
    EmptyOperator(task_id="pre") >> target >> EmptyOperator(task_id="tail")
    target >> ExternalTaskMarker(task_id="to_grandchild", external_dag_id="grandchild",
                                 external_task_id="g1")
with DAG("grandchild", start_date=S, schedule=None):
    EmptyOperator(task_id="g1") >> EmptyOperator(task_id="g2")
"""

TASKS = {
    "parent": ("before", "marker", "after"),
    "child": ("pre", "target", "tail", "to_grandchild"),
    "grandchild": ("g1", "g2"),
}


@pytest.fixture
def dag_folder(settings, metastore):
    """Writes a DAG file, parses the folder into the metastore; returns the file's path."""

    def _write(body: str, name: str = "linked.py") -> Path:
        path = Path(settings.core.dags_folder) / name
        path.write_text(HEADER + textwrap.dedent(body))
        DagProcessor(settings, metastore).process()
        return path

    return _write


def finished_run(
    metastore, dag_id: str, when: datetime, state: str = "success", tasks: tuple[str, ...] = ()
) -> str:
    """A run of ``dag_id`` at ``when`` whose task instances (all of TASKS[dag_id] unless
    ``tasks`` names them) are in ``state``."""
    with metastore.session() as session:
        run_id = trigger_dag(session, dag_id, logical_date=when).run_id
    with metastore.session() as session:
        for task_id in tasks or TASKS[dag_id]:
            key = TaskInstanceKey(dag_id, run_id, task_id)
            assert transitions.set_task_state(session, key, state, expected=["none"])
    return run_id


def states(metastore, dag_id: str, when: datetime = DAY) -> dict[str, str]:
    with metastore.session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state)
            .join(DagRun, DagRun.run_id == TaskInstance.run_id)
            .where(TaskInstance.dag_id == dag_id, DagRun.dag_id == dag_id)
            .where(DagRun.logical_date == when)
        ).all()
    return dict(rows)


def clear(metastore, dag_id: str = "parent", **kwargs) -> list[TaskInstanceKey]:
    kwargs.setdefault("task_ids", ["marker"])
    kwargs.setdefault("downstream", True)
    with metastore.session() as session:
        return clear_task_instances(session, dag_id, **kwargs)


def all_runs(metastore, when: datetime = DAY) -> None:
    for dag_id in TASKS:
        finished_run(metastore, dag_id, when)


def test_clearing_a_marker_clears_the_external_task_and_its_downstream_recursively(
    metastore, dag_folder
):
    dag_folder(LINKED.format(marker_args=""))
    all_runs(metastore)
    all_runs(metastore, DAY + timedelta(days=1))
    keys = clear(metastore, end_date=DAY)
    assert sorted((k.dag_id, k.task_id) for k in keys) == [
        ("child", "tail"),
        ("child", "target"),
        ("child", "to_grandchild"),
        ("grandchild", "g1"),
        ("grandchild", "g2"),
        ("parent", "after"),
        ("parent", "marker"),
    ]
    assert states(metastore, "parent") == {"before": "success", "marker": "none", "after": "none"}
    assert states(metastore, "child") == {
        "pre": "success",
        "target": "none",
        "tail": "none",
        "to_grandchild": "none",
    }
    assert states(metastore, "grandchild") == {"g1": "none", "g2": "none"}
    # the other day's runs are untouched, the cleared ones go back to the scheduler
    assert set(states(metastore, "child", DAY + timedelta(days=1)).values()) == {"success"}
    with metastore.session() as session:
        run_states = dict(
            session.execute(
                select(DagRun.dag_id, DagRun.state).where(DagRun.logical_date == DAY)
            ).all()
        )
    assert run_states == {"parent": "queued", "child": "queued", "grandchild": "queued"}


def test_without_recursion_or_an_external_run_only_the_dag_itself_is_cleared(metastore, dag_folder):
    dag_folder(LINKED.format(marker_args=""))
    all_runs(metastore)
    keys = clear(metastore, recursive=False)
    assert {k.dag_id for k in keys} == {"parent"}
    assert set(states(metastore, "child").values()) == {"success"}
    # the parent's run at another date: the child has no run there, nothing else to clear
    other = DAY + timedelta(days=3)
    finished_run(metastore, "parent", other)
    keys = clear(metastore, start_date=other)
    assert {(k.dag_id, k.task_id) for k in keys} == {("parent", "marker"), ("parent", "after")}


def test_a_dry_run_lists_the_external_task_instances_and_changes_nothing(metastore, dag_folder):
    dag_folder(LINKED.format(marker_args=""))
    all_runs(metastore)
    keys = clear(metastore, dry_run=True)
    assert {k.dag_id for k in keys} == {"parent", "child", "grandchild"}
    assert set(states(metastore, "grandchild").values()) == {"success"}


def test_the_marker_logical_date_is_rendered_with_the_markers_run(metastore, dag_folder):
    template = "{{ (logical_date - macros.timedelta(days=params.back)).isoformat() }}"
    dag_folder(
        LINKED.format(marker_args=f'logical_date="{template}"').replace(
            'with DAG("parent", start_date=S, schedule=None)',
            'with DAG("parent", start_date=S, schedule=None, params={"back": 2})',
        )
    )
    all_runs(metastore)
    earlier = DAY - timedelta(days=2)
    for dag_id in ("child", "grandchild"):
        finished_run(metastore, dag_id, earlier)
    keys = clear(metastore, start_date=DAY, end_date=DAY)
    assert {k.dag_id for k in keys} == {"parent", "child", "grandchild"}
    assert states(metastore, "child", earlier)["target"] == "none"
    assert set(states(metastore, "child", DAY).values()) == {"success"}


def test_a_plain_datetime_logical_date_points_at_that_run(metastore, dag_folder):
    dag_folder(LINKED.format(marker_args="logical_date=pendulum.datetime(2024, 1, 5)"))
    when = datetime(2024, 1, 5, tzinfo=UTC)
    all_runs(metastore)
    finished_run(metastore, "child", when)
    keys = clear(metastore)
    assert {(k.dag_id, k.run_id) for k in keys if k.dag_id == "child"} == {
        ("child", f"manual__{when.isoformat()}")
    }
    assert states(metastore, "child", when)["target"] == "none"
    assert states(metastore, "child")["target"] == "success"


def test_only_failed_also_filters_the_external_task_instances(metastore, dag_folder):
    dag_folder(LINKED.format(marker_args=""))
    finished_run(metastore, "parent", DAY, "failed")
    finished_run(metastore, "child", DAY, "success")
    with metastore.session() as session:
        key = TaskInstanceKey("child", f"manual__{DAY.isoformat()}", "tail")
        transitions.set_task_state(session, key, "failed", expected=["success"])
    keys = clear(metastore, only_failed=True)
    # the external task's run is found whatever its state; the filter picks among its downstream
    assert {(k.dag_id, k.task_id) for k in keys if k.dag_id == "child"} == {("child", "tail")}
    assert states(metastore, "child") == {
        "pre": "success",
        "target": "success",
        "tail": "none",
        "to_grandchild": "success",
    }


def test_going_deeper_than_the_first_markers_recursion_depth_raises(metastore, dag_folder):
    dag_folder(LINKED.format(marker_args="recursion_depth=1"))
    all_runs(metastore)
    with pytest.raises(TradewindError, match="Maximum recursion depth 1 reached") as caught:
        clear(metastore)
    assert "to_grandchild" in str(caught.value)
    assert set(states(metastore, "child").values()) == {"success"}  # nothing written


def test_markers_pointing_at_each_other_end_once_every_marker_was_followed(metastore, dag_folder):
    dag_folder(
        """
        with DAG("ping", start_date=S, schedule=None):
            ExternalTaskMarker(task_id="m", external_dag_id="pong", external_task_id="m")
        with DAG("pong", start_date=S, schedule=None):
            ExternalTaskMarker(task_id="m", external_dag_id="ping", external_task_id="m")
        """
    )
    finished_run(metastore, "ping", DAY, tasks=("m",))
    finished_run(metastore, "pong", DAY, tasks=("m",))
    keys = clear(metastore, "ping", task_ids=["m"])
    assert sorted(k.dag_id for k in keys) == ["ping", "pong"]
    assert states(metastore, "pong") == {"m": "none"}


def test_a_marker_whose_file_no_longer_loads_uses_its_stored_fields(metastore, dag_folder):
    path = dag_folder(LINKED.format(marker_args=""))
    all_runs(metastore)
    path.write_text("raise RuntimeError('broken')  # tradewind dag\n")
    with pytest.raises(TradewindError, match="does not define it and it never ran"):
        clear(metastore, dry_run=True)
    with metastore.session() as session:
        session.execute(
            TaskInstance.__table__.update()
            .where(TaskInstance.dag_id.in_(["parent", "child"]))
            .where(TaskInstance.task_id.in_(["marker", "to_grandchild"]))
            .values(
                rendered_fields={
                    "external_dag_id": "child",
                    "external_task_id": "tail",
                    "logical_date": DAY.replace(tzinfo=None).isoformat(),
                }
            )
        )
    keys = clear(metastore, dry_run=True)
    assert sorted((k.dag_id, k.task_id) for k in keys) == [
        ("child", "tail"),
        ("parent", "after"),
        ("parent", "marker"),
    ]


def test_the_marker_checks_its_arguments():
    with pytest.raises(DagDefinitionError, match="recursion_depth should be a positive"):
        ExternalTaskMarker(
            task_id="m", external_dag_id="d", external_task_id="t", recursion_depth=0
        )
    with pytest.raises(DagDefinitionError, match="Expected str or datetime"):
        ExternalTaskMarker(task_id="m", external_dag_id="d", external_task_id="t", logical_date=3)
    old = ExternalTaskMarker(
        task_id="m", external_dag_id="d", external_task_id="t", execution_date="2024-01-01"
    )
    assert old.logical_date == "2024-01-01"
    assert (old.external_dag_id, old.recursion_depth) == ("d", 10)
