"""The operators behind ``@task`` and its variants (``.branch``, ``.bash``, ``.virtualenv``...)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping
from typing import Any, ClassVar

from tradewind.errors import DagDefinitionError, TaskFailure
from tradewind.operators.bash import BashOperator
from tradewind.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator
from tradewind.operators.python_virtualenv import ExternalPythonOperator, PythonVirtualenvOperator
from tradewind.sdk.baseoperator import BaseOperator
from tradewind.sdk.python_callable import call_with_context
from tradewind.sdk.xcom_arg import resolve_xcom_args

#: Context keys a TaskFlow function may name without the caller passing them.
KNOWN_CONTEXT_KEYS = frozenset(
    {
        "conf",
        "conn",
        "dag",
        "dag_run",
        "data_interval_end",
        "data_interval_start",
        "ds",
        "ds_nodash",
        "exception",
        "execution_date",
        "expanded_ti_count",
        "inlet_events",
        "inlets",
        "logical_date",
        "macros",
        "map_index",
        "map_index_template",
        "next_ds",
        "next_ds_nodash",
        "next_execution_date",
        "outlet_events",
        "outlets",
        "params",
        "prev_data_interval_end_success",
        "prev_data_interval_start_success",
        "prev_ds",
        "prev_ds_nodash",
        "prev_end_date_success",
        "prev_execution_date",
        "prev_execution_date_success",
        "prev_start_date_success",
        "run_id",
        "task",
        "task_instance",
        "task_instance_key_str",
        "templates_dict",
        "test_mode",
        "ti",
        "tomorrow_ds",
        "tomorrow_ds_nodash",
        "triggering_asset_events",
        "triggering_dataset_events",
        "try_number",
        "ts",
        "ts_nodash",
        "ts_nodash_with_tz",
        "var",
        "yesterday_ds",
        "yesterday_ds_nodash",
    }
)


def check_call_signature(
    function: Callable[..., Any], op_args: Collection[Any], op_kwargs: Mapping[str, Any], where: str
) -> None:
    """Refuse at declaration a call that does not fit the function (context keys may be missing)."""
    signature = inspect.signature(function)
    params = [
        p.replace(default=None) if p.name in KNOWN_CONTEXT_KEYS and p.default is p.empty else p
        for p in signature.parameters.values()
    ]
    try:
        signature = signature.replace(parameters=params)
    except ValueError:
        pass
    try:
        signature.bind(*op_args, **op_kwargs)
    except TypeError as exc:
        raise DagDefinitionError(
            f"{where}: {exc}", hint="call the task with its arguments"
        ) from None


class DecoratedOperator(BaseOperator):
    """Shared part of TaskFlow operators: the wrapped function and its call arguments."""

    custom_operator_name: ClassVar[str] = "@task"
    #: whether the next class in the MRO takes python_callable/op_args/op_kwargs itself
    _pass_callable_on: ClassVar[bool] = True

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        task_id: str,
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        multiple_outputs: bool = False,
        **kwargs: Any,
    ) -> None:
        op_args = list(op_args or [])
        op_kwargs = dict(op_kwargs or {})
        if not self.__dict__.get("_tw_from_mapped"):
            check_call_signature(python_callable, op_args, op_kwargs, f"Task {task_id!r}")
        if self._pass_callable_on:
            kwargs.update(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs)
        else:
            self.python_callable = python_callable
            self.op_args = op_args
            self.op_kwargs = op_kwargs
        super().__init__(task_id=task_id, multiple_outputs=multiple_outputs, **kwargs)

    def _handle_output(self, return_value: Any, context: dict[str, Any]) -> Any:
        if not self.multiple_outputs or return_value is None:
            return return_value
        if not isinstance(return_value, dict):
            raise TaskFailure(
                f"Returned output was type {type(return_value).__name__} "
                "expected dictionary for multiple_outputs"
            )
        for key in return_value:
            if not isinstance(key, str):
                raise TaskFailure(
                    "Returned dictionary keys must be strings when using multiple_outputs, "
                    f"found {key!r} ({type(key).__name__}) instead"
                )
        # the runtime pushes each key next to return_value, in the try's final transaction
        return return_value


class _YieldsMetadata:
    """A generator function's task: each yielded ``Metadata`` sets the extra of its outlet's
    dataset event; the task's return value is what the generator returns."""

    python_callable: Callable[..., Any]

    def execute_callable(self, context: dict[str, Any]) -> Any:
        result = super().execute_callable(context)  # type: ignore[misc]
        if not inspect.isgeneratorfunction(self.python_callable):
            return result
        from tradewind.runtime.dataset_events import OutletEventAccessors, drain_metadata

        outlet_events = context.get("outlet_events")
        if outlet_events is None:
            outlet_events = OutletEventAccessors()
        return drain_metadata(result, outlet_events, self.log)  # type: ignore[attr-defined]


class _PythonDecoratedOperator(_YieldsMetadata, DecoratedOperator, PythonOperator):
    """``@task``."""

    template_fields = ("templates_dict", "op_args", "op_kwargs")
    custom_operator_name = "@task"

    def execute(self, context: dict[str, Any]) -> Any:
        return self._handle_output(PythonOperator.execute(self, context), context)


class _BranchPythonDecoratedOperator(_YieldsMetadata, DecoratedOperator, BranchPythonOperator):
    """``@task.branch``."""

    template_fields = ("templates_dict", "op_args", "op_kwargs")
    custom_operator_name = "@task.branch"


class _ShortCircuitDecoratedOperator(_YieldsMetadata, DecoratedOperator, ShortCircuitOperator):
    """``@task.short_circuit``."""

    template_fields = ("templates_dict", "op_args", "op_kwargs")
    custom_operator_name = "@task.short_circuit"


class _BashDecoratedOperator(DecoratedOperator, BashOperator):
    """``@task.bash``: the function returns the command to run."""

    template_fields = ("op_args", "op_kwargs", "bash_command", "env", "cwd")
    custom_operator_name = "@task.bash"
    _pass_callable_on = False

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("bash_command", "")
        super().__init__(**kwargs)

    def execute(self, context: dict[str, Any]) -> Any:
        op_args = resolve_xcom_args(self.op_args, context)
        op_kwargs = resolve_xcom_args(self.op_kwargs, context)
        command = call_with_context(self.python_callable, op_args, op_kwargs, context)
        if not isinstance(command, str) or not command.strip():
            raise TaskFailure(
                f"Task {self.task_id!r}: the @task.bash function must return a non-empty "
                f"string, got {command!r}"
            )
        # like Airflow, the returned command is itself a template (or a .sh file)
        self.bash_command = self.render_template(command, context)
        return BashOperator.execute(self, context)


class _PythonVirtualenvDecoratedOperator(DecoratedOperator, PythonVirtualenvOperator):
    """``@task.virtualenv``: the function runs in a virtualenv made for the try."""

    template_fields = ("templates_dict", "op_args", "op_kwargs", "requirements", "index_urls")
    custom_operator_name = "@task.virtualenv"

    def execute(self, context: dict[str, Any]) -> Any:
        return self._handle_output(PythonOperator.execute(self, context), context)


class _ExternalPythonDecoratedOperator(DecoratedOperator, ExternalPythonOperator):
    """``@task.external_python``: the function runs with an existing interpreter."""

    template_fields = ("templates_dict", "op_args", "op_kwargs", "python")
    custom_operator_name = "@task.external_python"

    def execute(self, context: dict[str, Any]) -> Any:
        return self._handle_output(PythonOperator.execute(self, context), context)
