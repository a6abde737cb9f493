"""Habits of Airflow DAG files that must keep working after the imports are rewritten."""

from __future__ import annotations

from datetime import datetime

import pytest

from tradewind import DAG
from tradewind.errors import DagDefinitionError
from tradewind.models.baseoperator import BaseOperator
from tradewind.operators.empty import EmptyOperator
from tradewind.operators.python import PythonOperator
from tradewind.parsing.serialize import serialize_dag
from tradewind.utils.decorators import apply_defaults
from tradewind.utils.trigger_rule import TriggerRule

START = datetime(2023, 1, 1)


@pytest.mark.parametrize(
    ("written", "becomes"),
    [
        ("none_failed_or_skipped", "none_failed_min_one_success"),
        (TriggerRule.NONE_FAILED_OR_SKIPPED, "none_failed_min_one_success"),
        ("dummy", "always"),
        (TriggerRule.DUMMY, "always"),
    ],
)
def test_airflow_2_deprecated_trigger_rules_map_to_their_new_names(written, becomes) -> None:
    with DAG("legacy_rules", start_date=START, schedule=None) as dag:
        task = EmptyOperator(task_id="join", trigger_rule=written)
    assert task.trigger_rule == becomes
    assert serialize_dag(dag).tasks[0].trigger_rule == becomes


def test_a_trigger_rule_assigned_after_construction_is_serialized(tw_home) -> None:
    with DAG("late_rule", start_date=START, schedule=None) as dag:
        task = EmptyOperator(task_id="print_date_in_bash")
    task.trigger_rule = TriggerRule.NONE_FAILED  # as example_sensors.py does
    assert serialize_dag(dag).tasks[0].trigger_rule == "none_failed"


def test_an_unknown_trigger_rule_is_still_refused_naming_the_task() -> None:
    with pytest.raises(DagDefinitionError, match="'join'.*trigger_rule"):
        with DAG("bad_rule", start_date=START, schedule=None):
            EmptyOperator(task_id="join", trigger_rule="all_succes")


def test_provide_context_is_accepted_and_ignored_like_airflow_2() -> None:
    with DAG("ctx", start_date=START, schedule=None):
        task = PythonOperator(task_id="t", python_callable=lambda **kw: 1, provide_context=True)
    assert not hasattr(task, "provide_context")


def test_an_unknown_operator_argument_is_refused_as_in_airflow() -> None:
    with pytest.raises(DagDefinitionError, match="Invalid arguments.*bash_comand"):
        with DAG("typo", start_date=START, schedule=None):
            EmptyOperator(task_id="t", bash_comand="echo")


def test_custom_operators_decorated_with_apply_defaults_get_default_args() -> None:
    class LegacyOperator(BaseOperator):
        @apply_defaults
        def __init__(self, target, *args, **kwargs):
            super(LegacyOperator, self).__init__(*args, **kwargs)  # noqa: UP008 - 1.10 style
            self.target = target

    default_args = {"owner": "legacy", "retries": 4, "target": "from_defaults"}
    with DAG("legacy_op", start_date=START, schedule=None, default_args=default_args):
        task = LegacyOperator(task_id="t")
    assert (task.owner, task.retries, task.target) == ("legacy", 4, "from_defaults")


def test_ignored_airflow_arguments_do_not_crash() -> None:
    with DAG(
        "accepting",
        start_date=START,
        schedule_interval=None,
        sla_miss_callback=lambda *a: None,
        access_control={"role": {"can_read"}},
        owner_links={"me": "https://example.com"},
        default_view="graph",
        orientation="TB",
        concurrency=4,
        render_template_as_native_obj=True,
        is_paused_upon_creation=True,
        jinja_environment_kwargs={"trim_blocks": True},
    ) as dag:
        task = EmptyOperator(
            task_id="t",
            sla=None,
            executor_config={"KubernetesExecutor": {}},
            pool="default_pool",
            queue="default",
            task_concurrency=1,
            run_as_user="nobody",
            resources={"cpus": 1},
        )
    assert dag.max_active_tasks == 4 and task.max_active_tis_per_dag == 1


def test_importing_every_compat_dag_file_stays_free_of_heavy_packages() -> None:
    import subprocess
    import sys
    from pathlib import Path

    dags = Path(__file__).resolve().parent / "dags"
    code = (
        "import glob, runpy, sys\n"
        f"for path in sorted(glob.glob({str(dags)!r} + '/*.py')):\n"
        "    runpy.run_path(path, run_name='dag_file')\n"
        "print(','.join(m for m in ('sqlalchemy', 'dramatiq', 'starlette') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
