"""Every public name resolves from the package and from Airflow-shaped module paths."""

from __future__ import annotations

import importlib

import pytest

import tradewind
import tradewind.operators


@pytest.mark.parametrize("name", sorted(tradewind.__all__))
def test_every_name_in_tradewind_all_resolves(name: str) -> None:
    assert getattr(tradewind, name) is not None


@pytest.mark.parametrize("name", sorted(tradewind.operators.__all__))
def test_every_operator_name_resolves(name: str) -> None:
    assert getattr(tradewind.operators, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        tradewind.NoSuchThing  # noqa: B018
    with pytest.raises(AttributeError):
        tradewind.operators.NoSuchOperator  # noqa: B018


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("tradewind.decorators", ["dag", "task", "task_group"]),
        ("tradewind.models", ["DAG", "BaseOperator", "Param", "Variable", "Connection"]),
        ("tradewind.datasets", ["Dataset", "Asset"]),
        ("tradewind.utils.trigger_rule", ["TriggerRule"]),
        ("tradewind.utils.weight_rule", ["WeightRule"]),
        ("tradewind.utils.task_group", ["TaskGroup", "task_group"]),
        ("tradewind.utils.dates", ["days_ago"]),
        ("tradewind.utils.edgemodifier", ["Label"]),
        ("tradewind.operators.empty", ["EmptyOperator"]),
        ("tradewind.operators.dummy", ["DummyOperator"]),
        ("tradewind.operators.bash", ["BashOperator"]),
        (
            "tradewind.operators.python",
            ["PythonOperator", "BranchPythonOperator", "ShortCircuitOperator"],
        ),
        ("tradewind.operators.branch", ["BaseBranchOperator"]),
    ],
)
def test_airflow_shaped_module_paths_work(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(module)
    for name in names:
        assert getattr(loaded, name) is not None


def test_airflow_exception_names_map_onto_the_error_tree() -> None:
    from tradewind import errors, exceptions

    assert exceptions.AirflowException is errors.TaskFailure
    assert exceptions.AirflowSkipException is errors.TaskSkipped
    assert exceptions.AirflowFailException is errors.TaskFailureNoRetry
    assert exceptions.AirflowSensorTimeout is errors.SensorTimeout
    assert exceptions.AirflowTaskTimeout is errors.TaskTimeout
    assert issubclass(exceptions.AirflowFailException, exceptions.AirflowException)
