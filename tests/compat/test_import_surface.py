"""Every Airflow import a DAG file commonly uses has a Tradewind rewrite that resolves.

The table is the import map a user follows: ``from airflow.X import Name`` becomes
``from tradewind.Y import Name``. Core modules keep their path (``airflow.`` -> ``tradewind.``);
providers' operators, sensors and hooks drop the provider (``airflow.providers.http.sensors.http``
-> ``tradewind.sensors.http``); Airflow 3's ``airflow.sdk`` names come from ``tradewind``.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

# (airflow module, tradewind module, names)
IMPORT_MAP: list[tuple[str, str, list[str]]] = [
    # -- the package and Airflow 3's SDK --------------------------------------------------
    ("airflow", "tradewind", ["DAG", "Dataset", "XComArg"]),
    (
        "airflow.sdk",
        "tradewind",
        [
            "DAG",
            "dag",
            "task",
            "task_group",
            "TaskGroup",
            "Asset",
            "Param",
            "Variable",
            "Connection",
            "BaseOperator",
            "BaseSensorOperator",
            "PokeReturnValue",
            "BaseHook",
            "XComArg",
            "Label",
            "EdgeModifier",
            "TriggerRule",
            "Context",
            "chain",
            "chain_linear",
            "cross_downstream",
            "get_current_context",
        ],
    ),
    (
        "airflow.decorators",
        "tradewind.decorators",
        ["dag", "task", "task_group", "setup", "teardown"],
    ),
    ("airflow.decorators", "tradewind", ["dag", "task", "task_group", "setup", "teardown"]),
    ("airflow.datasets", "tradewind.datasets", ["Dataset", "DatasetAny", "DatasetAll"]),
    ("airflow.datasets", "tradewind", ["Dataset", "DatasetAny", "DatasetAll"]),
    (
        "airflow.exceptions",
        "tradewind.exceptions",
        [
            "AirflowException",
            "AirflowSkipException",
            "AirflowFailException",
            "AirflowSensorTimeout",
            "AirflowTaskTimeout",
            "AirflowRescheduleException",
            "AirflowNotFoundException",
            "AirflowBadRequest",
            "AirflowConfigException",
            "DuplicateTaskIdFound",
            "TaskNotFound",
            "DagNotFound",
            "ParamValidationError",
        ],
    ),
    # -- airflow.models and its submodules ---------------------------------------------------
    (
        "airflow.models",
        "tradewind.models",
        [
            "DAG",
            "BaseOperator",
            "Param",
            "Variable",
            "Connection",
            "XComArg",
            "MappedOperator",
            "TaskInstance",
            "DagRun",
        ],
    ),
    ("airflow.models.dag", "tradewind.models.dag", ["DAG"]),
    (
        "airflow.models.baseoperator",
        "tradewind.models.baseoperator",
        ["BaseOperator", "chain", "chain_linear", "cross_downstream"],
    ),
    ("airflow.models.param", "tradewind.models.param", ["Param", "ParamsDict"]),
    ("airflow.models.xcom_arg", "tradewind.models.xcom_arg", ["XComArg"]),
    ("airflow.models.variable", "tradewind.models.variable", ["Variable"]),
    ("airflow.models.connection", "tradewind.models.connection", ["Connection"]),
    ("airflow.models.taskinstance", "tradewind.models.taskinstance", ["TaskInstance"]),
    ("airflow.models.dagrun", "tradewind.models.dagrun", ["DagRun"]),
    # -- core operators ------------------------------------------------------------------------
    ("airflow.operators.bash", "tradewind.operators.bash", ["BashOperator"]),
    (
        "airflow.operators.python",
        "tradewind.operators.python",
        ["PythonOperator", "BranchPythonOperator", "ShortCircuitOperator", "get_current_context"],
    ),
    (
        "airflow.operators.python",
        "tradewind.operators.python",
        ["PythonVirtualenvOperator", "ExternalPythonOperator", "is_venv_installed"],
    ),
    ("airflow.operators.empty", "tradewind.operators.empty", ["EmptyOperator"]),
    ("airflow.operators.dummy", "tradewind.operators.dummy", ["DummyOperator"]),
    ("airflow.operators.branch", "tradewind.operators.branch", ["BaseBranchOperator"]),
    ("airflow.operators.datetime", "tradewind.operators.datetime", ["BranchDateTimeOperator"]),
    ("airflow.operators.weekday", "tradewind.operators.weekday", ["BranchDayOfWeekOperator"]),
    ("airflow.operators.latest_only", "tradewind.operators.latest_only", ["LatestOnlyOperator"]),
    (
        "airflow.operators.trigger_dagrun",
        "tradewind.operators.trigger_dagrun",
        ["TriggerDagRunOperator"],
    ),
    ("airflow.operators.email", "tradewind.operators.email", ["EmailOperator"]),
    # Airflow 1.10 module names, still in many DAG files
    ("airflow.operators.bash_operator", "tradewind.operators.bash_operator", ["BashOperator"]),
    (
        "airflow.operators.python_operator",
        "tradewind.operators.python_operator",
        ["PythonOperator", "BranchPythonOperator", "ShortCircuitOperator"],
    ),
    ("airflow.operators.dummy_operator", "tradewind.operators.dummy_operator", ["DummyOperator"]),
    # -- providers' operators -> tradewind.operators ---------------------------------------------
    (
        "airflow.providers.common.sql.operators.sql",
        "tradewind.operators.sql",
        ["SQLExecuteQueryOperator"],
    ),
    (
        "airflow.providers.postgres.operators.postgres",
        "tradewind.operators.postgres",
        ["PostgresOperator"],
    ),
    (
        "airflow.providers.http.operators.http",
        "tradewind.operators.http",
        ["SimpleHttpOperator", "HttpOperator"],
    ),
    # -- sensors ---------------------------------------------------------------------------------
    ("airflow.sensors.base", "tradewind.sensors.base", ["BaseSensorOperator", "PokeReturnValue"]),
    ("airflow.sensors.filesystem", "tradewind.sensors.filesystem", ["FileSensor"]),
    (
        "airflow.sensors.external_task",
        "tradewind.sensors.external_task",
        ["ExternalTaskSensor", "ExternalTaskMarker"],
    ),
    (
        "airflow.sensors.time_delta",
        "tradewind.sensors.time_delta",
        ["TimeDeltaSensor", "TimeDeltaSensorAsync"],
    ),
    (
        "airflow.sensors.date_time",
        "tradewind.sensors.date_time",
        ["DateTimeSensor", "DateTimeSensorAsync"],
    ),
    (
        "airflow.sensors.time_sensor",
        "tradewind.sensors.time_sensor",
        ["TimeSensor", "TimeSensorAsync"],
    ),
    ("airflow.sensors.python", "tradewind.sensors.python", ["PythonSensor"]),
    ("airflow.configuration", "tradewind.configuration", ["conf"]),
    ("airflow.sensors.bash", "tradewind.sensors.bash", ["BashSensor"]),
    ("airflow.sensors.weekday", "tradewind.sensors.weekday", ["DayOfWeekSensor"]),
    ("airflow.providers.standard.sensors.bash", "tradewind.sensors.bash", ["BashSensor"]),
    (
        "airflow.providers.standard.sensors.weekday",
        "tradewind.sensors.weekday",
        ["DayOfWeekSensor"],
    ),
    (
        "airflow.sensors",
        "tradewind.sensors",
        [
            "TimeDeltaSensorAsync",
            "TimeSensorAsync",
            "DateTimeSensorAsync",
            "BashSensor",
            "DayOfWeekSensor",
        ],
    ),
    ("airflow.providers.http.sensors.http", "tradewind.sensors.http", ["HttpSensor"]),
    ("airflow.providers.common.sql.sensors.sql", "tradewind.sensors.sql", ["SqlSensor"]),
    # -- hooks -----------------------------------------------------------------------------------
    ("airflow.hooks.base", "tradewind.hooks.base", ["BaseHook"]),
    ("airflow.hooks.filesystem", "tradewind.hooks.filesystem", ["FSHook"]),
    ("airflow.providers.postgres.hooks.postgres", "tradewind.hooks.postgres", ["PostgresHook"]),
    (
        "airflow.providers.sqlite.operators.sqlite",
        "tradewind.operators.sqlite",
        ["SqliteOperator"],
    ),
    ("airflow.providers.sqlite.hooks.sqlite", "tradewind.hooks.sqlite", ["SqliteHook"]),
    ("airflow.providers.http.hooks.http", "tradewind.hooks.http", ["HttpHook"]),
    ("airflow.providers.common.sql.hooks.sql", "tradewind.hooks.dbapi", ["DbApiHook"]),
    # -- utils -----------------------------------------------------------------------------------
    ("airflow.timetables.trigger", "tradewind.timetables.trigger", ["CronTriggerTimetable"]),
    (
        "airflow.timetables.interval",
        "tradewind.timetables.interval",
        ["CronDataIntervalTimetable", "DeltaDataIntervalTimetable"],
    ),
    ("airflow.timetables.events", "tradewind.timetables.events", ["EventsTimetable"]),
    (
        "airflow.timetables.simple",
        "tradewind.timetables.simple",
        ["NullTimetable", "OnceTimetable", "ContinuousTimetable"],
    ),
    ("airflow.timetables.base", "tradewind.timetables.base", ["Timetable", "DataInterval"]),
    ("airflow.utils.task_group", "tradewind.utils.task_group", ["TaskGroup"]),
    ("airflow.utils.trigger_rule", "tradewind.utils.trigger_rule", ["TriggerRule"]),
    ("airflow.utils.weight_rule", "tradewind.utils.weight_rule", ["WeightRule"]),
    ("airflow.utils.edgemodifier", "tradewind.utils.edgemodifier", ["Label", "EdgeModifier"]),
    ("airflow.utils.dates", "tradewind.utils.dates", ["days_ago"]),
    ("airflow.utils.weekday", "tradewind.utils.weekday", ["WeekDay"]),
    ("airflow.utils.decorators", "tradewind.utils.decorators", ["apply_defaults"]),
    (
        "airflow.utils.state",
        "tradewind.utils.state",
        ["State", "DagRunState", "TaskInstanceState"],
    ),
    ("airflow.utils.context", "tradewind.utils.context", ["Context"]),
    ("airflow.utils", "tradewind.utils", ["timezone", "dates"]),
    ("airflow.utils.timezone", "tradewind.utils.timezone", ["datetime", "utcnow", "utc"]),
    # Airflow 1.10's home of the chaining helpers (tradewind has no ``utils.helpers`` module)
    ("airflow.utils.helpers", "tradewind.models.baseoperator", ["chain", "cross_downstream"]),
    ("airflow.utils.helpers", "tradewind", ["chain", "cross_downstream"]),
]

ROWS = [(airflow, tw, name) for airflow, tw, names in IMPORT_MAP for name in names]


@pytest.mark.parametrize(
    ("airflow_module", "tradewind_module", "name"),
    ROWS,
    ids=[f"{a}.{n}" for a, _, n in ROWS],
)
def test_airflow_import_has_a_tradewind_rewrite(
    airflow_module: str, tradewind_module: str, name: str
) -> None:
    resolved = _from_import(tradewind_module, name)
    assert resolved is not None, f"from {tradewind_module} import {name}"


def _from_import(module_name: str, name: str) -> object:
    """What ``from module_name import name`` gives (a name, or else a submodule)."""
    module = importlib.import_module(module_name)
    try:
        return getattr(module, name)
    except AttributeError:
        return importlib.import_module(f"{module_name}.{name}")


def test_the_same_name_is_the_same_object_on_every_path() -> None:
    import tradewind
    from tradewind.models import DAG as ModelsDag
    from tradewind.models.dag import DAG as ModelsDagDag
    from tradewind.models.param import Param
    from tradewind.operators import BashOperator
    from tradewind.operators.bash import BashOperator as BashModuleOperator
    from tradewind.operators.bash_operator import BashOperator as OldBashOperator
    from tradewind.utils.state import DagRunState, State, TaskInstanceState

    assert tradewind.DAG is ModelsDag is ModelsDagDag
    assert tradewind.Param is Param
    assert BashOperator is BashModuleOperator is OldBashOperator
    assert tradewind.Asset is tradewind.Dataset
    assert State.SUCCESS == TaskInstanceState.SUCCESS == DagRunState.SUCCESS == "success"
    assert State.SKIPPED == "skipped" and State.UPSTREAM_FAILED == "upstream_failed"


def test_airflow_exceptions_behave_as_airflow_users_expect() -> None:
    from tradewind.exceptions import (
        AirflowException,
        AirflowFailException,
        AirflowSkipException,
    )

    # user code catches AirflowException around calls that raise the narrower ones
    assert issubclass(AirflowSkipException, Exception)
    assert issubclass(AirflowFailException, AirflowException)
    assert str(AirflowException("boom")) == "boom"
    # `raise AirflowSkipException` (the class, no message) is how example_skip_dag skips
    with pytest.raises(AirflowSkipException):
        raise AirflowSkipException
    with pytest.raises(AirflowException):
        raise AirflowFailException


def test_models_submodules_import_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from tradewind.models import DAG, Variable, Param, BaseOperator\n"
        "from tradewind.models.baseoperator import chain\n"
        "from tradewind.models.param import Param\n"
        "from tradewind.utils.state import State\n"
        "from tradewind.operators.latest_only import LatestOnlyOperator\n"
        "heavy = ('sqlalchemy', 'jinja2', 'dramatiq', 'starlette')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
