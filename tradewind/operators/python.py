"""``PythonOperator``, ``BranchPythonOperator`` and ``ShortCircuitOperator``.

``PythonVirtualenvOperator``, ``ExternalPythonOperator`` and ``is_venv_installed`` are
exported here too (they live in :mod:`tradewind.operators.python_virtualenv`).
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Collection, Mapping
from typing import Any

from tradewind.errors import DagDefinitionError
from tradewind.sdk.baseoperator import BaseOperator
from tradewind.sdk.python_callable import call_with_context, determine_kwargs
from tradewind.sdk.skipmixin import SkipMixin
from tradewind.sdk.xcom_arg import resolve_xcom_args

__all__ = [
    "BranchPythonOperator",
    "PythonOperator",
    "ShortCircuitOperator",
    "get_current_context",
]

#: defined in python_virtualenv (which imports this module), resolved on first use
_VIRTUALENV_NAMES = frozenset(
    {"ExternalPythonOperator", "PythonVirtualenvOperator", "is_venv_installed"}
)


def __getattr__(name: str) -> Any:
    if name in _VIRTUALENV_NAMES:
        from tradewind.operators import python_virtualenv

        return getattr(python_virtualenv, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class PythonOperator(BaseOperator):
    """Call ``python_callable(*op_args, **op_kwargs)``; its return value goes to XCom.

    Context values (``ti``, ``ds``, ``params``...) are passed to the callable when it names
    them as parameters or takes ``**kwargs``.
    """

    template_fields = ("templates_dict", "op_args", "op_kwargs")
    template_fields_renderers = {"templates_dict": "json", "op_args": "py", "op_kwargs": "py"}
    ui_color = "#ffefeb"

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        templates_dict: dict[str, Any] | None = None,
        templates_exts: list[str] | None = None,
        show_return_value_in_logs: bool = True,
        **kwargs: Any,
    ) -> None:
        # Airflow 1.10's flag; Airflow 2 always passes the context and drops it, and so do we
        kwargs.pop("provide_context", None)
        super().__init__(**kwargs)
        if not callable(python_callable):
            raise DagDefinitionError(
                f"Task {self.task_id!r}: `python_callable` param must be callable"
            )
        self.python_callable = python_callable
        self.op_args = list(op_args or [])
        self.op_kwargs = dict(op_kwargs or {})
        self.templates_dict = templates_dict
        if templates_exts:
            self.template_ext = tuple(templates_exts)  # type: ignore[misc]
        self.show_return_value_in_logs = show_return_value_in_logs

    def execute(self, context: dict[str, Any]) -> Any:
        return_value = self.execute_callable(context)
        if self.show_return_value_in_logs:
            self.log.info("Done. Returned value was: %s", return_value)
        else:
            self.log.info("Done. Returned value not shown")
        return return_value

    def execute_callable(self, context: dict[str, Any]) -> Any:
        op_args = resolve_xcom_args(self.op_args, context)
        op_kwargs = resolve_xcom_args(self.op_kwargs, context)
        return call_with_context(
            self.python_callable, op_args, op_kwargs, context, self.templates_dict
        )

    def determine_kwargs(self, context: Mapping[str, Any]) -> dict[str, Any]:
        merged = ChainMap(dict(self.op_kwargs), context)  # a view: lazy entries stay lazy
        return determine_kwargs(self.python_callable, self.op_args, merged)


class BranchPythonOperator(PythonOperator, SkipMixin):
    """The callable returns the task id(s) (or TaskGroup ids) to follow; the rest are skipped."""

    ui_color = "#ffefeb"

    def execute(self, context: dict[str, Any]) -> Any:
        branch = super().execute(context)
        self.skip_all_except(context.get("ti"), branch)
        return branch


class ShortCircuitOperator(PythonOperator, SkipMixin):
    """Skip downstream tasks when the callable returns a falsy value.

    With ``ignore_downstream_trigger_rules=True`` (the default) every task downstream is
    skipped; with False only the direct downstream tasks are, and trigger rules decide the rest.
    Teardown tasks are never skipped by it.
    """

    def __init__(self, *, ignore_downstream_trigger_rules: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ignore_downstream_trigger_rules = ignore_downstream_trigger_rules

    def execute(self, context: dict[str, Any]) -> Any:
        condition = super().execute(context)
        self.log.info("Condition result is %s", condition)
        if condition:
            self.log.info("Proceeding with downstream tasks...")
            return condition
        if self.ignore_downstream_trigger_rules:
            relatives = self.get_flat_relatives(upstream=False)
        else:
            relatives = self.get_direct_relatives(upstream=False)
        # as Airflow 2.7+: teardown tasks are never short-circuited, their trigger rule decides
        to_skip = {t.task_id for t in relatives if not t.is_teardown}
        self.log.info("Skipping downstream tasks: %s", sorted(to_skip))
        self.skip(context.get("ti"), to_skip)
        return condition


def get_current_context() -> dict[str, Any]:
    """The context of the running task (only inside a task's execution)."""
    from tradewind.runtime.context import get_current_context as _current

    return _current()
