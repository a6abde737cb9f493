"""Templating habits of Airflow 2.x DAG files, run through the real runtime (``dags test``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tradewind import DAG
from tradewind.models.baseoperator import BaseOperator
from tradewind.operators.bash import BashOperator
from tradewind.templating import macros
from tradewind.templating.literal import literal

DAY = datetime(2024, 3, 10, tzinfo=UTC)


class Echo(BaseOperator):
    """Returns its templated ``value`` (so the rendered value lands in XCom)."""

    template_fields = ("value",)

    def __init__(self, value: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.value = value

    def execute(self, context: Any) -> Any:
        return self.value


def _run(dag: DAG, metastore: Any, *task_ids: str) -> list[Any]:
    from tradewind.metastore.xcoms import pull_xcom
    from tradewind.runtime.dag_test import run_dag_test

    result = run_dag_test(dag, logical_date=DAY, metastore=metastore, echo=None)
    assert result.state == "success", result.tasks
    with metastore.session() as session:
        return [pull_xcom(session, dag.dag_id, result.run_id, task_id) for task_id in task_ids]


def test_literal_values_are_not_rendered_nor_loaded_as_files(sqlite_metastore) -> None:
    with DAG("literal_probe", start_date=DAY, schedule="@daily") as dag:
        BashOperator(task_id="cmd", bash_command=literal("echo '{{ not_a_variable }}'"))
        BashOperator(task_id="file", bash_command=literal("echo run.sh"))
        Echo(task_id="nested", value={"keep": literal("{{ ds }}"), "render": "{{ ds }}"})
    cmd, file, nested = _run(dag, sqlite_metastore, "cmd", "file", "nested")
    assert (cmd, file) == ("{{ not_a_variable }}", "run.sh")
    assert nested == {"keep": "{{ ds }}", "render": "2024-03-10"}


def test_a_lone_string_as_template_fields_names_one_field(sqlite_metastore) -> None:
    class Query(BaseOperator):
        template_fields = "sql"  # Airflow wraps it in a list (with a warning)

        def __init__(self, sql: str, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.sql = sql

        def execute(self, context: Any) -> str:
            return self.sql

    with (
        DAG("str_fields_probe", start_date=DAY, schedule="@daily") as dag,
        pytest.warns(UserWarning, match="template_fields"),
    ):
        Query(task_id="q", sql="select '{{ ds }}'")
    assert _run(dag, sqlite_metastore, "q") == ["select '2024-03-10'"]


def test_prepare_template_sees_the_template_file_before_it_is_rendered(
    sqlite_metastore, tmp_path: Path
) -> None:
    (tmp_path / "job.json").write_text('{"day": "{{ ds }}", "tables": ["a_{{ ds_nodash }}"]}')

    class JsonJob(BaseOperator):
        template_fields = ("job",)
        template_ext = (".json",)

        def __init__(self, job: Any, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.job = job

        def prepare_template(self) -> None:
            if isinstance(self.job, str):
                self.job = json.loads(self.job)

        def execute(self, context: Any) -> Any:
            return self.job

    with DAG(
        "prepare_template_probe",
        start_date=DAY,
        schedule="@daily",
        template_searchpath=str(tmp_path),
    ) as dag:
        JsonJob(task_id="job", job="job.json")
    assert _run(dag, sqlite_metastore, "job") == [{"day": "2024-03-10", "tables": ["a_20240310"]}]


def test_templates_may_read_underscored_attributes_as_in_airflows_sandbox(
    sqlite_metastore,
) -> None:
    class Settings:
        _region = "eu-west-1"

    with DAG(
        "underscore_probe",
        start_date=DAY,
        schedule="@daily",
        user_defined_macros={"settings": Settings()},
    ) as dag:
        Echo(task_id="echo", value="{{ settings._region }} {{ settings.__class__ is defined }}")
    assert _run(dag, sqlite_metastore, "echo") == ["eu-west-1 False"]


def test_datetime_diff_for_humans_speaks_as_pendulum(sqlite_metastore) -> None:
    with DAG("diff_probe", start_date=DAY, schedule="@daily") as dag:
        Echo(
            task_id="echo",
            value="{{ macros.datetime_diff_for_humans(data_interval_start, logical_date) }}",
        )
    assert _run(dag, sqlite_metastore, "echo") == ["1 day before"]
    assert macros.datetime_diff_for_humans(datetime(2099, 1, 1, tzinfo=UTC)).startswith("in ")


def test_literal_imports_from_airflows_module_path() -> None:
    from tradewind.templating.literal import LiteralValue
    from tradewind.utils.template import literal

    assert isinstance(literal("{{ ds }}"), LiteralValue)


def test_dag_timezone_is_a_pendulum_zone_defaulting_to_the_configured_one(monkeypatch) -> None:
    from datetime import datetime

    import pendulum

    from tradewind.sdk.dag import DAG

    aware = DAG("tz_aware", start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Amsterdam"))
    assert aware.timezone.name == "Europe/Amsterdam"
    assert DAG("tz_naive", start_date=datetime(2024, 1, 1)).timezone.name == "UTC"
    monkeypatch.setenv("TRADEWIND__CORE__DEFAULT_TIMEZONE", "Asia/Tokyo")
    naive = DAG("tz_naive_tokyo", start_date=datetime(2024, 1, 1))
    assert naive.timezone.name == "Asia/Tokyo"
    moment = pendulum.datetime(2024, 1, 1, 12, tz="UTC").in_timezone(naive.timezone)
    assert moment.isoformat() == "2024-01-01T21:00:00+09:00"


def test_a_lone_string_template_fields_is_wrapped_with_airflows_warning() -> None:
    class Query(BaseOperator):
        template_fields = "sql"  # noqa: RUF012 (the slip being tested)

        def __init__(self, sql: str, **kwargs: object) -> None:
            super().__init__(**kwargs)
            self.sql = sql

    with pytest.warns(UserWarning, match="template_fields"):
        task = Query(task_id="q", sql="select {{ ds }}")
    assert list(task.template_fields) == ["sql"]
