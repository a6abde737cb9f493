"""Checking and normalising BaseOperator arguments at declaration, with errors naming the task."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tradewind.errors import DagDefinitionError
from tradewind.sdk.trigger_rule import TriggerRule, WeightRule


def as_timedelta(value: Any, name: str, where: str, *, allow_none: bool = True) -> timedelta | None:
    """Accept a timedelta or a number of seconds."""
    if value is None and allow_none:
        return None
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    raise DagDefinitionError(
        f"{where}: {name} must be a timedelta or a number of seconds, got {value!r}"
    )


def as_int(value: Any, name: str, where: str) -> int:
    if isinstance(value, bool):
        raise DagDefinitionError(f"{where}: {name} must be an int, not bool")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise DagDefinitionError(
        f"{where}: '{name}' type must be int, not {type(value).__name__} ({value!r})"
    )


def check_trigger_rule(value: Any, where: str) -> str:
    rule = TriggerRule.normalize(str(value.value if isinstance(value, TriggerRule) else value))
    if not TriggerRule.is_valid(rule):
        raise DagDefinitionError(
            f"{where}: the trigger_rule must be one of "
            f"{sorted(TriggerRule.all_triggers())}; received {value!r}"
        )
    return rule


def check_weight_rule(value: Any, where: str) -> str:
    rule = str(value.value if isinstance(value, WeightRule) else value)
    if not WeightRule.is_valid(rule):
        raise DagDefinitionError(
            f"{where}: the weight_rule must be one of "
            f"{sorted(WeightRule.all_weight_rules())}; received {value!r}"
        )
    return rule


def _named_params(func: Callable[..., Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    sig = inspect.signature(func)
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    named = tuple(n for n, p in sig.parameters.items() if n != "self" and p.kind in kinds)
    positional = tuple(
        n
        for n, p in sig.parameters.items()
        if n != "self" and p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD
    )
    return named, positional


def apply_defaults(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap an operator ``__init__`` so that ``default_args`` fill the arguments it names.

    As in Airflow: an explicit argument beats ``default_args`` (the operator's, then the
    innermost TaskGroup's, then the DAG's), which beats the operator's own default.
    """
    if getattr(init, "_tw_applies_defaults", False):
        return init
    named, positional = _named_params(init)

    @functools.wraps(init)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        depth = self.__dict__.get("_tw_init_depth", 0)
        if depth == 0:
            _resolve_outer(self, kwargs)
        default_args = kwargs.get("default_args") or {}
        taken = set(positional[: len(args)])
        for name in named:
            if name not in kwargs and name not in taken and name in default_args:
                kwargs[name] = default_args[name]
        self.__dict__["_tw_init_depth"] = depth + 1
        try:
            init(self, *args, **kwargs)
        finally:
            self.__dict__["_tw_init_depth"] = depth
        if depth == 0:
            self._post_init()

    wrapper._tw_applies_defaults = True  # type: ignore[attr-defined]
    return wrapper


def _resolve_outer(self: Any, kwargs: dict[str, Any]) -> None:
    from tradewind.sdk.dag_context import current_dag, current_group

    self.__dict__["_tw_from_mapped"] = bool(kwargs.pop("_tw_from_mapped", False))
    dag = kwargs.get("dag") or current_dag()
    group = kwargs.get("task_group") or current_group(dag)
    if dag is None and group is not None:
        dag = group.dag
    merged: dict[str, Any] = {}
    if dag is not None:
        merged.update(dag.default_args)
    if group is not None:
        merged.update(group.merged_default_args())
    merged.update(kwargs.get("default_args") or {})
    kwargs["default_args"] = merged
    if dag is not None:
        kwargs["dag"] = dag
    if group is not None:
        kwargs["task_group"] = group
