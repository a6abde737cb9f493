"""A task that a mapped task expands over must return something to map over.

As in Airflow, a task whose return value feeds ``downstream.expand(x=task())``,
``expand_kwargs(task())`` or a ``.map()``/``.zip()`` of it fails itself when it returns None
(:class:`XComForMappingNotPushed`) or a value that is not a list, tuple or dict
(:class:`UnmappableXComTypePushed`); its mapped downstream is then upstream_failed as usual.

Whether a task feeds a mapped task is worked out once per task object and kept on it: the
check runs at the end of every successful try.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tradewind.errors import TaskFailure

#: where the answer of :func:`feeds_mapping` is kept on the task object
_FEEDS_MAPPING = "_tw_feeds_mapping"


class XComForMappingNotPushed(TaskFailure):
    """A task that a mapped task expands over pushed no return value (None, or no XCom push)."""

    def __init__(self, message: str = "did not push XCom for task mapping") -> None:
        super().__init__(message)


class UnmappableXComTypePushed(TaskFailure):
    """A task that a mapped task expands over returned a value that cannot be mapped over."""

    def __init__(self, value: Any, *values: Any) -> None:
        typename = type(value).__qualname__
        for item in values:
            typename = f"{typename}[{type(item).__qualname__}]"
        super().__init__(f"unmappable return type {typename!r}")
        self.value = value


def is_mappable_value(value: Any) -> bool:
    """Airflow's rule: an ordered collection (a sequence or a dict), but no string or bytes."""
    if not isinstance(value, Sequence | dict):
        return False
    return not isinstance(value, str | bytes | bytearray)


def feeds_mapping(task: Any) -> bool:
    """Whether a mapped task of ``task``'s DAG expands over an XCom of ``task`` (never for a
    mapped ``task``: Airflow does not check what its instances return)."""
    cached = getattr(task, "__dict__", {}).get(_FEEDS_MAPPING)
    if cached is not None:
        return cached
    answer = _feeds_mapping(task)
    try:
        task.__dict__[_FEEDS_MAPPING] = answer
    except AttributeError:
        pass
    return answer


def _feeds_mapping(task: Any) -> bool:
    from tradewind.sdk.xcom_arg import XComArg

    dag = getattr(task, "dag", None)
    if getattr(task, "is_mapped", False) or dag is None:
        return False
    for downstream_id in getattr(task, "downstream_task_ids", ()):
        downstream = dag.task_dict.get(downstream_id)
        if downstream is None or not getattr(downstream, "is_mapped", False):
            continue
        expand_input = getattr(downstream, "expand_input", None)
        args = XComArg.iter_xcom_args(expand_input)
        if any(arg.operator.task_id == task.task_id for arg in args):
            return True
    return False


def check_mapped_result(task: Any, run_task: Any, result: Any) -> None:
    """Raise the error Airflow raises when ``task`` feeds a mapped task and its return value
    (as pushed by ``run_task``, the operator that ran) cannot be mapped over."""
    if not feeds_mapping(task):
        return
    value = result if getattr(run_task, "do_xcom_push", True) else None
    if value is None:
        raise XComForMappingNotPushed()
    if not is_mappable_value(value):
        raise UnmappableXComTypePushed(value)
