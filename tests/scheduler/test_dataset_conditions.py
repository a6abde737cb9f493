"""Dataset conditions: ``a | b`` runs on any one update, ``a & (b | c)`` as written, a list
still needs every dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tradewind import DAG
from tradewind.datasets import AssetAll, AssetAny, Dataset, DatasetAll, DatasetAny
from tradewind.errors import ScheduleError

DAG_FILE = """
from datetime import datetime

from tradewind import DAG, Dataset
from tradewind.datasets import DatasetAny
from tradewind.operators.empty import EmptyOperator

A, B, C = Dataset("s3://a"), Dataset("s3://b"), Dataset("s3://c")

for name, dataset in (("a", A), ("b", B), ("c", C)):
    with DAG(f"cond_produce_{name}", start_date=datetime(2024, 1, 1), schedule=None):
        EmptyOperator(task_id="write", outlets=[dataset])

for dag_id, schedule in (
    ("cond_or", A | B),
    ("cond_nested", A & DatasetAny(B, C)),
    ("cond_list", [A, B]),
):
    with DAG(dag_id, start_date=datetime(2024, 1, 1), schedule=schedule):
        EmptyOperator(task_id="report")
"""


def _produce(harness: Any, sched: Any, name: str) -> None:
    dag_id = f"cond_produce_{name}"
    count = len(harness.runs(dag_id)) + 1
    harness.trigger(dag_id)
    harness.run_until(sched, lambda: harness.all_runs_done(dag_id, count))
    sched.run(max_iterations=3)  # lets the scheduler see the queued dataset events


def _triggered(harness: Any, dag_id: str) -> int:
    runs = harness.runs(dag_id)
    assert all(r.run_type == "dataset_triggered" for r in runs)
    return len(runs)


def test_conditions_decide_when_dataset_triggered_runs_are_created(harness: Any) -> None:
    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cond_dags.py").write_text(DAG_FILE)
    sched = harness.scheduler()
    sched.run_once()

    _produce(harness, sched, "b")
    harness.run_until(sched, lambda: harness.all_runs_done("cond_or", 1))
    assert _triggered(harness, "cond_or") == 1  # a | b: one of the two is enough
    assert _triggered(harness, "cond_nested") == 0  # a & (b | c): a is missing
    assert _triggered(harness, "cond_list") == 0  # [a, b]: a is missing

    _produce(harness, sched, "a")
    harness.run_until(sched, lambda: harness.all_runs_done("cond_list", 1))
    harness.run_until(sched, lambda: harness.all_runs_done("cond_nested", 1))
    assert _triggered(harness, "cond_or") == 2
    assert _triggered(harness, "cond_nested") == 1
    assert _triggered(harness, "cond_list") == 1

    _produce(harness, sched, "c")  # c alone satisfies none of them
    sched.run(max_iterations=5)
    counts = [_triggered(harness, d) for d in ("cond_or", "cond_nested", "cond_list")]
    assert counts == [2, 1, 1]
    assert all(r.state == "success" for r in harness.runs("cond_nested"))


def test_operators_build_nested_conditions_like_airflow() -> None:
    a, b, c = Dataset("a"), Dataset("b"), Dataset("c")
    assert a | b | c == DatasetAny(a, b, c)
    assert a & b & c == DatasetAll(a, b, c)
    nested = a & (b | c)
    assert nested == DatasetAll(a, DatasetAny(b, c))
    assert [d.uri for d in nested.iter_datasets()] == ["a", "b", "c"]
    assert nested.evaluate({"a": True, "c": True}) and not nested.evaluate({"b": True})
    assert (AssetAny, AssetAll) == (DatasetAny, DatasetAll)


def test_the_schedule_spec_keeps_the_condition_and_every_dataset() -> None:
    from tradewind.core.spec import DagSpec
    from tradewind.parsing.serialize import serialize_dag

    a, b, c = Dataset("s3://a"), Dataset("s3://b"), Dataset("s3://c")
    with DAG("d", schedule=a | (b & c)) as dag:
        pass
    spec = serialize_dag(dag)
    assert spec.schedule.kind == "datasets"
    assert spec.schedule.dataset_uris == ("s3://a", "s3://b", "s3://c")
    assert spec.schedule.dataset_condition == ("any", "s3://a", ("all", "s3://b", "s3://c"))
    assert spec.schedule.description == "Dataset: (s3://a | (s3://b & s3://c))"
    assert DagSpec.from_json(spec.to_json()) == spec
    assert dag.dataset_triggers == [a, b, c]
    with DAG("plain", schedule=[a, b]) as plain:
        pass
    assert serialize_dag(plain).schedule.dataset_condition is None
    with pytest.raises(TypeError):
        a | "s3://b"  # type: ignore[operator]
    with pytest.raises(ScheduleError):
        DAG("bad", schedule=[a, "s3://b"])
