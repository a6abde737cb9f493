"""Mapped task groups: ``@task_group`` functions called through ``.expand(...)``,
``.partial(...).expand(...)`` or ``.expand_kwargs(...)``, as in Airflow 2.5+.

The function runs once, at parse time, with a :class:`MappedArgument` for each mapped
parameter. When the group closes, every task in it becomes a :class:`GroupMappedOperator`:
mapped over the group's input, one instance per map index, each with the group's arguments
of that index. Inside the group, a task reading another task of the group gets the value of
the same map index; outside, a task reading it gets the list of every index's value.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from tradewind.errors import DagDefinitionError, TaskFailure
from tradewind.sdk.abstractoperator import AbstractOperator
from tradewind.sdk.mapping import MappedOperator, Resolver, _check_mappable, values_for_index
from tradewind.sdk.taskgroup import TaskGroup
from tradewind.sdk.xcom_arg import XComArg


class MappedArgument(XComArg):
    """What a mapped group's function receives for a mapped parameter: the value of the map
    index that runs, resolved at run time (Airflow's ``MappedArgument``)."""

    def __init__(self, group: MappedTaskGroup, key: str) -> None:
        self.group = group
        self.key = key
        self.operator = None  # type: ignore[assignment]

    def _input(self) -> Any:
        if self.group.expand_kind == "dict":
            return self.group.expand_input[self.key]
        return self.group.expand_input

    @property
    def roots(self) -> list[AbstractOperator]:
        return [arg.operator for arg in self.plain_args()]

    @property
    def leaves(self) -> list[AbstractOperator]:
        return self.roots

    def plain_args(self) -> list[XComArg]:
        return list(XComArg.iter_xcom_args(self._input()))

    def pick(self, values: dict[str, Any], map_index: int) -> Any:
        """This argument's value among ``values``, the group's arguments of ``map_index``."""
        if self.key in values:
            return values[self.key]
        raise TaskFailure(
            f"Task group {self.group.group_id!r}: map index {map_index} has no value for "
            f"argument {self.key!r}"
        )

    def resolve(self, context: dict[str, Any]) -> Any:
        map_index = getattr(context["ti"], "map_index", -1)
        values = self.group.values_for_index(map_index, lambda arg: arg.resolve(context))
        return self.pick(values, map_index)

    def __getitem__(self, key: str) -> XComArg:
        raise TypeError(f"{self!r} is only known at run time; index it inside a task")

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"MappedArgument({self.group.group_id!r}, key={self.key!r})"

    __str__ = __repr__


class MappedTaskGroup(TaskGroup):
    """A task group whose tasks are all mapped over ``expand_input`` (a dict of lists or
    XComArgs for ``expand``, a list of dicts or an XComArg for ``expand_kwargs``)."""

    def __init__(self, *args: Any, expand_input: Any, expand_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mapped_group_of_group(self.parent_group) is not None:
            raise DagDefinitionError(
                f"Task group {self.group_id!r}: a mapped task group cannot be inside another "
                "mapped task group"
            )
        self.expand_input = expand_input
        self.expand_kind = expand_kind

    def values_for_index(self, map_index: int, resolve: Resolver) -> dict[str, Any]:
        return values_for_index(
            self.group_id or "", self.expand_input, self.expand_kind, map_index, resolve
        )

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if exc[0] is None:
            self._map_children()

    def _map_children(self) -> None:
        dag = self.dag
        for task in list(self.iter_tasks()):
            if task.is_mapped:
                raise DagDefinitionError(
                    f"Task {task.task_id!r}: mapping a task inside a mapped task group is not "
                    "supported",
                    hint="map the task group only, or move the mapped task out of it",
                )
            wrapper = GroupMappedOperator(task, self)
            owner = task.task_group or self
            owner.children[task.task_id] = wrapper
            if dag is not None:
                dag.task_dict[task.task_id] = wrapper
        # as Airflow: the group is downstream of the tasks whose results it maps over
        for arg in XComArg.iter_xcom_args(self.expand_input):
            arg.operator.set_downstream(self)


def mapped_group_of_group(group: TaskGroup | None) -> MappedTaskGroup | None:
    while group is not None:
        if isinstance(group, MappedTaskGroup):
            return group
        group = group.parent_group
    return None


def mapped_group_of(task: Any) -> MappedTaskGroup | None:
    """The mapped task group ``task`` is in (directly or in a sub-group), if any."""
    return mapped_group_of_group(getattr(task, "task_group", None))


def _on_base(name: str) -> property:
    """An attribute read from and written to the task as written (``_base``)."""

    def get(self: Any) -> Any:
        return getattr(self._base, name)

    def set_(self: Any, value: Any) -> None:
        setattr(self._base, name, value)

    return property(get, set_)


class GroupMappedOperator(MappedOperator):
    """A task of a mapped task group: the task as written, mapped over the group's input."""

    def __init__(self, operator: AbstractOperator, group: MappedTaskGroup) -> None:
        # the task keeps its edges: both objects share the sets, so that edges set later
        # through the task (an XComArg the group function returned) reach this node too
        self._base = operator  # type: ignore[assignment]
        self.operator_class = type(operator)  # type: ignore[assignment]
        self.partial_kwargs = {}
        self.expand_input = group.expand_input
        self.expand_kind = group.expand_kind
        self.expand_into = None
        self.mapped_group = group
        self.task_id = operator.task_id
        self._raw_task_id = operator.task_id
        self.task_group = operator.task_group
        self._dag = operator._dag
        self.upstream_task_ids = operator.upstream_task_ids
        self.downstream_task_ids = operator.downstream_task_ids

    @property
    def template_fields(self) -> Sequence[str]:
        return tuple(getattr(self._base, "template_fields", ()))

    @property
    def operator_name(self) -> str:
        return str(getattr(self._base, "operator_name", self.operator_class.__name__))

    # kept on the task as written, whether set before or after the group closed
    is_setup = _on_base("is_setup")  # type: ignore[assignment]
    is_teardown = _on_base("is_teardown")  # type: ignore[assignment]
    on_failure_fail_dagrun = _on_base("on_failure_fail_dagrun")  # type: ignore[assignment]

    def unmap_for_index(self, map_index: int, resolve: Resolver) -> Any:
        """The task for ``map_index``: a copy with the group's arguments of that index."""
        base: Any = self._base
        operator = base.prepare_for_execution()
        values: dict[str, Any] | None = None
        for name, value in list(operator.__dict__.items()):
            if _has_mapped_argument(value):
                if values is None:  # the group's input, resolved once
                    values = self.mapped_group.values_for_index(map_index, resolve)
                operator.__dict__[name] = _substitute(value, values, map_index)
        operator.map_index = map_index
        return operator

    def __repr__(self) -> str:
        return f"<Mapped({self.operator_name}): {self.task_id}>"


def _has_mapped_argument(value: Any) -> bool:
    if isinstance(value, MappedArgument):
        return True
    if isinstance(value, dict):
        return any(_has_mapped_argument(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_mapped_argument(v) for v in value)
    return False


def _substitute(value: Any, values: dict[str, Any], map_index: int) -> Any:
    if isinstance(value, MappedArgument):
        return value.pick(values, map_index)
    if not _has_mapped_argument(value):
        return value
    if isinstance(value, dict):
        return type(value)({k: _substitute(v, values, map_index) for k, v in value.items()})
    if isinstance(value, list):
        return [_substitute(v, values, map_index) for v in value]
    return tuple(_substitute(v, values, map_index) for v in value)


def build_mapped_group(
    function: Callable[..., Any],
    options: dict[str, Any],
    partial_kwargs: dict[str, Any],
    expand_input: Any,
    expand_kind: str,
) -> Any:
    """Call ``function`` inside a new mapped task group; its return value, or the group."""
    params = inspect.signature(function).parameters
    if expand_kind == "dict":
        names = list(expand_input)
    else:
        names = [n for n in params if n not in partial_kwargs]
        names = [n for n in names if params[n].kind not in (params[n].VAR_POSITIONAL,)]
    group = MappedTaskGroup(expand_input=expand_input, expand_kind=expand_kind, **options)
    # as Airflow, every mapped parameter gets a MappedArgument (its default is not used)
    mapped = {
        n: MappedArgument(group, n)
        for n in names
        if n not in params or params[n].kind is not params[n].VAR_KEYWORD
    }
    with group:
        retval = function(**partial_kwargs, **mapped)
    return retval if retval is not None else group


def check_group_expand(
    function: Callable[..., Any], partial_kwargs: dict[str, Any], mapped: dict[str, Any]
) -> None:
    """Refuse at declaration what Airflow refuses: no arguments, unknown or repeated names,
    values that cannot be mapped over."""
    name = function.__name__
    if not mapped:
        raise DagDefinitionError(f"Task group {name!r}: expand() needs arguments")
    for key, value in mapped.items():
        if key in partial_kwargs:
            raise DagDefinitionError(
                f"Task group {name!r}: argument {key!r} is given to both partial() and expand()"
            )
        _check_mappable(name, key, value)
    try:
        inspect.signature(function).bind_partial(**partial_kwargs, **mapped)
    except TypeError as exc:
        raise DagDefinitionError(f"Task group {name!r}: {exc}") from None
