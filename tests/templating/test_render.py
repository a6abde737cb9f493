"""Rendering template_fields: Jinja context, files, containers, XComArgs, errors, native types."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tradewind.errors import TemplateError
from tradewind.runtime.context import date_entries
from tradewind.templating import macros
from tradewind.templating.environment import build_template_env, get_template_env
from tradewind.templating.render import render_template_fields, storable_rendered_fields


class FakeDag:
    def __init__(self, folder: Path, **kw: Any) -> None:
        self.dag_id = "fake"
        self.fileloc = str(folder / "fake_dag.py")
        self.template_searchpath = kw.pop("template_searchpath", [])
        self.user_defined_macros = kw.pop("user_defined_macros", None)
        self.user_defined_filters = kw.pop("user_defined_filters", None)
        self.render_template_as_native_obj = kw.pop("render_template_as_native_obj", False)


class FakeTask:
    template_fields = ("command", "options")
    template_ext = (".sh",)

    def __init__(self, dag: FakeDag, command: Any, options: Any = None) -> None:
        self.task_id = "fake_task"
        self.dag = dag
        self.command = command
        self.options = options


def _context(**extra: Any) -> dict[str, Any]:
    ctx = date_entries(
        datetime(2024, 3, 5, 6, 7, 8, tzinfo=UTC),
        datetime(2024, 3, 4, 6, 7, 8, tzinfo=UTC),
        datetime(2024, 3, 5, 6, 7, 8, tzinfo=UTC),
    )
    ctx.update(params={"who": "world"}, macros=macros, run_id="r1", **extra)
    return ctx


def test_strings_lists_and_dicts_are_rendered_and_set_on_the_task(tmp_path):
    task = FakeTask(
        FakeDag(tmp_path),
        "echo {{ ds }} {{ ts_nodash }} {{ params.who }}",
        {"a": ["{{ ds_nodash }}", 3], "b": ("{{ run_id }}",)},
    )
    rendered = render_template_fields(task, _context())
    assert task.command == "echo 2024-03-05 20240305T060708 world"
    assert task.options == {"a": ["20240305", 3], "b": ("r1",)}
    assert rendered == {"command": task.command, "options": task.options}


def test_the_date_names_follow_airflow(tmp_path):
    ctx = _context()
    assert ctx["ts"] == "2024-03-05T06:07:08+00:00"
    assert ctx["ts_nodash_with_tz"] == "20240305T060708+0000"
    assert ctx["next_ds"] == "2024-03-05" and ctx["prev_ds"] == "2024-03-04"
    assert ctx["execution_date"] is ctx["logical_date"]


def test_macros_and_date_filters(tmp_path):
    task = FakeTask(
        FakeDag(tmp_path),
        "{{ macros.ds_add(ds, -5) }} {{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m') }} "
        "{{ data_interval_start | ds }} "
        "{{ (logical_date + macros.timedelta(days=1)) | ds_nodash }}",
    )
    render_template_fields(task, _context())
    assert task.command == "2024-02-29 05/03 2024-03-04 20240306"


def test_a_name_ending_in_template_ext_is_loaded_from_the_dag_folder_or_searchpath(tmp_path):
    (tmp_path / "run.sh").write_text("echo {{ ds }} from folder")
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "other.sh").write_text("echo {{ params.who }} from searchpath")
    dag = FakeDag(tmp_path, template_searchpath=[str(extra)])
    task = FakeTask(dag, "run.sh", ["other.sh"])
    render_template_fields(task, _context())
    assert task.command == "echo 2024-03-05 from folder"
    assert task.options == ["echo world from searchpath"]


def test_a_missing_template_file_names_the_file_field_and_task(tmp_path):
    task = FakeTask(FakeDag(tmp_path), "nowhere.sh")
    with pytest.raises(TemplateError) as info:
        render_template_fields(task, _context())
    message = str(info.value)
    assert "'nowhere.sh' not found" in message
    assert "'command'" in message and "'fake_task'" in message


def test_undefined_names_raise_like_airflows_strict_undefined(tmp_path):
    task = FakeTask(FakeDag(tmp_path), "echo {{ not_in_context }}")
    with pytest.raises(TemplateError, match="'not_in_context' is undefined"):
        render_template_fields(task, _context())


def test_user_defined_macros_and_filters_are_available(tmp_path):
    dag = FakeDag(
        tmp_path,
        user_defined_macros={"greeting": "hi"},
        user_defined_filters={"twice": lambda s: s * 2},
    )
    task = FakeTask(dag, "{{ greeting | twice }}")
    render_template_fields(task, _context())
    assert task.command == "hihi"


def test_native_rendering_returns_python_objects(tmp_path):
    dag = FakeDag(tmp_path, render_template_as_native_obj=True)
    task = FakeTask(dag, "{{ [1, 2] + [3] }}", "{{ params }}")
    render_template_fields(task, _context())
    assert task.command == [1, 2, 3]
    assert task.options == {"who": "world"}


def test_the_environment_of_a_dag_is_built_once(tmp_path):
    dag = FakeDag(tmp_path)
    assert get_template_env(dag) is get_template_env(dag)


def test_xcom_args_in_fields_are_resolved_through_the_task_instance(tmp_path):
    from tradewind.sdk.xcom_arg import XComArg

    class Upstream:
        task_id = "up"

    class Ti:
        def xcom_pull(self, task_ids: str, key: str) -> Any:
            return f"{task_ids}:{key}"

    task = FakeTask(FakeDag(tmp_path), XComArg(Upstream()), [XComArg(Upstream(), "k")])  # type: ignore[arg-type]
    render_template_fields(task, _context(ti=Ti()))
    assert task.command == "up:return_value" and task.options == ["up:k"]


def test_stored_rendered_fields_are_json_and_redacted(tmp_path):
    from tradewind.runtime.secrets_masker import mask_secret, reset_secrets

    mask_secret("hunter2-password")
    try:
        stored = storable_rendered_fields(
            {"command": "login hunter2-password", "when": datetime(2024, 1, 1), "password": "x1"}
        )
    finally:
        reset_secrets()
    assert stored == {"command": "login ***", "when": "2024-01-01 00:00:00", "password": "***"}


def test_a_sandboxed_environment_refuses_private_attributes():
    env = build_template_env()
    with pytest.raises(Exception, match="unsafe"):
        env.from_string("{{ ''.__class__.__mro__ }}").render()
