"""The context: Airflow's names, params merged with conf, lazy entries, get_current_context."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from tradewind import Param
from tradewind.core.keys import TryKey
from tradewind.errors import TradewindError
from tradewind.runtime.context import (
    Context,
    build_context,
    current_context,
    get_current_context,
    resolve_params,
)
from tradewind.runtime.task_instance import RuntimeTaskInstance
from tradewind.sdk.param import ParamsDict


def _run(conf=None):
    return SimpleNamespace(
        dag_id="d",
        run_id="manual__x",
        logical_date=datetime(2024, 5, 6, tzinfo=UTC),
        data_interval_start=datetime(2024, 5, 5, tzinfo=UTC),
        data_interval_end=datetime(2024, 5, 6, tzinfo=UTC),
        conf=conf or {},
        run_type="manual",
        queued_at=None,
    )


def test_the_context_has_airflows_names():
    task = SimpleNamespace(task_id="t", outlets=[], inlets=[], params=None)
    dag = SimpleNamespace(dag_id="d", params=ParamsDict({"a": 1}))
    ti = RuntimeTaskInstance(key=TryKey("d", "manual__x", "t", -1, 1), task=task, metastore=None)
    ctx = build_context(dag=dag, task=task, ti=ti, dag_run=_run({"b": 2}))
    for name in (
        "ds",
        "ds_nodash",
        "ts",
        "ts_nodash",
        "ts_nodash_with_tz",
        "logical_date",
        "execution_date",
        "data_interval_start",
        "data_interval_end",
        "prev_data_interval_start_success",
        "prev_start_date_success",
        "next_ds",
        "prev_ds",
        "run_id",
        "dag",
        "task",
        "ti",
        "task_instance",
        "dag_run",
        "params",
        "conf",
        "var",
        "conn",
        "macros",
        "outlets",
        "inlets",
        "triggering_dataset_events",
        "map_index",
        "try_number",
        "test_mode",
        "expanded_ti_count",
    ):
        assert name in ctx, name
    assert ctx["ds"] == "2024-05-06" and ctx["params"] == {"a": 1, "b": 2}
    assert ctx["ti"] is ctx["task_instance"] is ti and ti.get_template_context() is ctx
    assert ctx["prev_data_interval_start_success"] is None  # no metastore: nothing before
    assert ctx["triggering_dataset_events"] == {}


def test_conf_overrides_dag_params_which_task_params_override():
    dag = SimpleNamespace(params=ParamsDict({"a": Param(1), "b": Param(2), "c": Param(3)}))
    task = SimpleNamespace(params=ParamsDict({"b": 20}))
    assert resolve_params(dag, task, {"c": 30, "new": 4}) == {"a": 1, "b": 20, "c": 30, "new": 4}


def test_lazy_entries_are_computed_once_and_only_when_read():
    calls = []
    ctx = Context({"a": 1}, {"slow": lambda: calls.append(1) or "value"})
    assert "slow" in ctx and calls == []
    assert ctx["slow"] == "value" and ctx["slow"] == "value" and calls == [1]
    assert dict(ctx) == {"a": 1, "slow": "value"}


def test_get_current_context_works_only_while_a_task_runs():
    with pytest.raises(TradewindError, match="only while a task runs"):
        get_current_context()
    ctx = Context({"x": 1})
    with current_context(ctx):
        assert get_current_context() is ctx


def test_triggering_dataset_events_are_those_since_the_previous_dataset_run(sqlite_metastore):
    from datetime import timedelta

    from tradewind.metastore.models import DagRun, DagScheduleDataset, Dataset, DatasetEvent

    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with sqlite_metastore.session() as session:
        dataset = Dataset(uri="s3://b/orders")
        session.add(dataset)
        session.flush()
        session.add(DagScheduleDataset(dataset_id=dataset.id, dag_id="c"))
        for minutes in (1, 5, 6):
            session.add(
                DatasetEvent(
                    dataset_id=dataset.id,
                    timestamp=t0 + timedelta(minutes=minutes),
                    source_dag_id="producer",
                    source_run_id=f"p{minutes}",
                )
            )
        session.add(  # the run behind the event at minute 5 (the one at 6 is gone)
            DagRun(
                dag_id="producer",
                run_id="p5",
                run_type="manual",
                logical_date=t0 + timedelta(minutes=4),
                data_interval_start=t0 + timedelta(minutes=3),
                data_interval_end=t0 + timedelta(minutes=4),
            )
        )
        session.add(
            DagRun(
                dag_id="c",
                run_id="old",
                run_type="dataset_triggered",
                logical_date=t0 + timedelta(minutes=2),
                queued_at=t0 + timedelta(minutes=2),
            )
        )
    run = SimpleNamespace(
        dag_id="c",
        run_id="new",
        run_type="dataset_triggered",
        logical_date=t0 + timedelta(minutes=7),
        data_interval_start=t0 + timedelta(minutes=5),
        data_interval_end=t0 + timedelta(minutes=6),
        queued_at=t0 + timedelta(minutes=7),
        conf={},
    )
    task = SimpleNamespace(task_id="t", outlets=[], inlets=[], params=None)
    ti = RuntimeTaskInstance(key=TryKey("c", "new", "t", -1, 1), task=task, metastore=None)
    ctx = build_context(
        dag=SimpleNamespace(params=None), task=task, ti=ti, dag_run=run, metastore=sqlite_metastore
    )
    events = ctx["triggering_dataset_events"]
    assert list(events) == ["s3://b/orders"]
    assert [e.timestamp.minute for e in events["s3://b/orders"]] == [5, 6]
    first, second = events["s3://b/orders"]
    # Airflow's event attributes, as its docs template them
    assert first.uri == first.dataset.uri == "s3://b/orders"
    assert first.source_dag_run.data_interval_start == t0 + timedelta(minutes=3)
    assert second.source_dag_run is None
