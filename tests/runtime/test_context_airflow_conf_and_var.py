"""``conf`` in the context is the configuration (the run's conf is ``dag_run.conf`` and, merged,
``params``), and ``var`` answers Airflow's dict access as well as attribute access."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pendulum
import pytest

from tradewind import DAG
from tradewind.metastore.xcoms import pull_xcom
from tradewind.operators.bash import BashOperator
from tradewind.operators.python import PythonOperator

DAY = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture
def own_dags_folder(tw_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tw_home / "my_dags"
    folder.mkdir()
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(folder))
    return folder


def _xcom(metastore: Any, dag_id: str, run_id: str, task_id: str) -> Any:
    with metastore.session() as session:
        return pull_xcom(session, dag_id, run_id, task_id)


def _read_conf(conf, dag_run, params, **_: Any) -> dict[str, Any]:
    return {
        "dags_folder": conf.get("core", "dags_folder"),
        "section": conf["core"]["dags_folder"],
        "has_smtp": "smtp" in conf,
        "fallback": conf.get("core", "no_such_option", fallback="dflt"),
        "run_conf": dag_run.conf,
        "params": dict(params),
    }


def test_conf_is_the_configuration_and_the_runs_conf_still_reaches_params(
    sqlite_metastore, own_dags_folder
):
    with DAG("ctx_conf", start_date=DAY, schedule=None, params={"n": 3, "x": 0}) as dag:
        PythonOperator(task_id="python", python_callable=_read_conf)
        BashOperator(
            task_id="jinja",
            bash_command="echo {{ conf.get('core', 'dags_folder') }}/{{ dag_run.conf.x }}"
            "/{{ params.x }}/{{ conf.getboolean('core', 'no_such', fallback=True) }}",
        )
    run = dag.test(logical_date=DAY, conf={"x": 1})
    assert run.state == "success"
    assert _xcom(sqlite_metastore, "ctx_conf", run.run_id, "python") == {
        "dags_folder": str(own_dags_folder),
        "section": str(own_dags_folder),
        "has_smtp": True,
        "fallback": "dflt",
        "run_conf": {"x": 1},
        "params": {"n": 3, "x": 1},
    }
    rendered = _xcom(sqlite_metastore, "ctx_conf", run.run_id, "jinja")
    assert rendered == f"{own_dags_folder}/1/1/True"


def test_dag_callbacks_see_the_configuration_and_pendulum_dates(own_dags_folder):
    from tradewind.runtime.context import build_dag_run_context

    run = SimpleNamespace(
        dag_id="d",
        run_id="manual__x",
        logical_date=DAY,
        data_interval_start=DAY,
        data_interval_end=DAY,
        conf={"x": 2},
    )
    dag = SimpleNamespace(dag_id="d", params={"x": 0})
    context = build_dag_run_context(dag, run, reason="success")
    assert context["conf"].get("core", "dags_folder") == str(own_dags_folder)
    assert context["params"] == {"x": 2}
    assert isinstance(context["logical_date"], pendulum.DateTime)
    assert context["dag_run"].logical_date.add(days=1).day == 2


def _read_vars(**context: Any) -> dict[str, Any]:
    var = context["var"]
    return {
        "item_value": var["value"].region,
        "item_json": var["json"].cfg["zone"],
        "item_get": var["value"].get("missing", "dflt"),
        "attr_value": var.value.region,
        "attr_json": var.json.cfg["zone"],
        "keys": sorted(var),
    }


def test_var_answers_dict_access_as_in_airflow_and_attribute_access(
    sqlite_metastore, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TRADEWIND_VAR_REGION", "eu-west-1")
    monkeypatch.setenv("TRADEWIND_VAR_CFG", '{"zone": "b"}')
    with DAG("ctx_var", start_date=DAY, schedule=None) as dag:
        PythonOperator(task_id="python", python_callable=_read_vars)
        BashOperator(
            task_id="jinja",
            bash_command="echo {{ var['value'].region }}/{{ var.json.cfg.zone }}",
        )
    run = dag.test(logical_date=DAY)
    assert run.state == "success"
    assert _xcom(sqlite_metastore, "ctx_var", run.run_id, "python") == {
        "item_value": "eu-west-1",
        "item_json": "b",
        "item_get": "dflt",
        "attr_value": "eu-west-1",
        "attr_json": "b",
        "keys": ["json", "value"],
    }
    assert _xcom(sqlite_metastore, "ctx_var", run.run_id, "jinja") == "eu-west-1/b"
