"""``TaskGroup`` and ``@task_group``: named groups of tasks with ``group.task`` ids."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from tradewind.errors import DagDefinitionError, DuplicateTaskIdError
from tradewind.sdk.abstractoperator import AbstractOperator, validate_key
from tradewind.sdk.dag_context import current_dag, current_group, pop_group, push_group
from tradewind.sdk.dependencies import DependencyMixin

if TYPE_CHECKING:
    from tradewind.sdk.dag import DAG


class TaskGroup(DependencyMixin):
    """A group of tasks. Dependencies set on the group apply to its first and last tasks."""

    def __init__(
        self,
        group_id: str | None,
        prefix_group_id: bool = True,
        parent_group: TaskGroup | None = None,
        dag: DAG | None = None,
        default_args: dict[str, Any] | None = None,
        tooltip: str = "",
        ui_color: str = "CornflowerBlue",
        ui_fgcolor: str = "#000",
        add_suffix_on_collision: bool = False,
    ) -> None:
        self.prefix_group_id = prefix_group_id
        self.default_args = dict(default_args or {})
        self.tooltip = tooltip
        self.ui_color, self.ui_fgcolor = ui_color, ui_fgcolor
        self.children: dict[str, AbstractOperator | TaskGroup] = {}
        self.parent_group: TaskGroup | None = None
        if group_id is None:  # the root group of a DAG
            if parent_group is not None:
                raise DagDefinitionError("Only the root TaskGroup may have no group_id")
            self._group_id: str | None = None
            self.dag = dag
            return
        validate_key(group_id, "group_id")
        dag = dag or (parent_group.dag if parent_group else None) or current_dag()
        if dag is None:
            raise DagDefinitionError(
                f"TaskGroup {group_id!r} can only be used inside a dag",
                hint="create it inside `with DAG(...)`, a @dag function, or pass dag=",
            )
        self.dag = dag
        parent = parent_group or current_group(dag) or dag.task_group
        self.parent_group = parent
        self._group_id = group_id
        if add_suffix_on_collision:
            self._group_id = _unique_group_label(parent, group_id, dag)
        parent.add(self)

    # -- ids -----------------------------------------------------------------------------
    @property
    def group_id(self) -> str | None:
        parent = self.parent_group
        if parent is not None and parent.prefix_group_id and parent._group_id:
            return parent.child_id(self._group_id or "")
        return self._group_id

    @property
    def node_id(self) -> str | None:
        return self.group_id

    @property
    def label(self) -> str | None:
        return self._group_id

    @property
    def is_root(self) -> bool:
        return self._group_id is None

    def child_id(self, label: str) -> str:
        """The full id of a child called ``label``: ``group.label`` when prefixing."""
        if self.prefix_group_id and self.group_id:
            return f"{self.group_id}.{label}"
        return label

    def merged_default_args(self) -> dict[str, Any]:
        """default_args of this group over those of its parent groups."""
        chain: list[TaskGroup] = []
        group: TaskGroup | None = self
        while group is not None:
            chain.append(group)
            group = group.parent_group
        merged: dict[str, Any] = {}
        for g in reversed(chain):
            merged.update(g.default_args)
        return merged

    # -- membership ----------------------------------------------------------------------
    def add(self, node: AbstractOperator | TaskGroup) -> None:
        key = node.node_id
        if key is None:
            raise DagDefinitionError("Cannot add the root TaskGroup to another group")
        dag = self.dag
        if dag is not None:
            if key in dag.used_group_ids or key in dag.task_dict:
                kind = "group_id" if isinstance(node, TaskGroup) else "Task id"
                raise DuplicateTaskIdError(
                    f"{kind} {key!r} has already been added to the DAG {dag.dag_id!r}",
                    hint="give each task and task group a unique id",
                )
            if isinstance(node, TaskGroup):
                dag.used_group_ids.add(key)
                dag.task_group_dict[key] = node
        self.children[key] = node

    def iter_tasks(self) -> Iterator[AbstractOperator]:
        """Every task in this group and its sub-groups."""
        for child in self.children.values():
            if isinstance(child, TaskGroup):
                yield from child.iter_tasks()
            else:
                yield child

    def get_child_by_label(self, label: str) -> AbstractOperator | TaskGroup:
        return self.children[self.child_id(label)]

    # -- dependencies --------------------------------------------------------------------
    @property
    def roots(self) -> list[AbstractOperator]:
        tasks = list(self.iter_tasks())
        ids = {t.task_id for t in tasks}
        return [t for t in tasks if not (t.upstream_task_ids & ids)]

    @property
    def leaves(self) -> list[AbstractOperator]:
        """Tasks without a downstream task in the group; for a teardown, the work it tears
        down instead (as in Airflow, ``group >> x`` waits for the work, not the teardown)."""
        from tradewind.sdk.setup_teardown import group_leaves

        return group_leaves(list(self.iter_tasks()))

    def get_roots(self) -> list[AbstractOperator]:
        return self.roots

    def get_leaves(self) -> list[AbstractOperator]:
        return self.leaves

    def __enter__(self) -> TaskGroup:
        push_group(self)
        return self

    def __exit__(self, *exc: object) -> None:
        pop_group()

    def __repr__(self) -> str:
        return f"<TaskGroup: {self.group_id}>"


def _unique_group_label(parent: TaskGroup, label: str, dag: DAG) -> str:
    if parent.child_id(label) not in dag.used_group_ids:
        return label
    core = re.split(r"__\d+$", label)[0]
    suffixes = [0]
    for used in dag.used_group_ids:
        match = re.match(rf"^{re.escape(parent.child_id(core))}__(\d+)$", used)
        if match:
            suffixes.append(int(match.group(1)))
    return f"{core}__{max(suffixes) + 1}"


class _TaskGroupFactory:
    """What ``@task_group`` returns: calling it builds a TaskGroup around the function's tasks;
    ``.expand(...)`` / ``.partial(...).expand(...)`` / ``.expand_kwargs(...)`` map it."""

    def __init__(
        self,
        function: Callable[..., Any],
        kwargs: dict[str, Any],
        partial_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.function = function
        self.kwargs = kwargs
        self.partial_kwargs = dict(partial_kwargs or {})
        functools.update_wrapper(self, function)

    def override(self, **kwargs: Any) -> _TaskGroupFactory:
        return _TaskGroupFactory(self.function, {**self.kwargs, **kwargs}, self.partial_kwargs)

    def _options(self) -> dict[str, Any]:
        options = dict(self.kwargs)
        options.setdefault("group_id", self.function.__name__)
        options.setdefault("tooltip", (self.function.__doc__ or "").strip())
        options.setdefault("add_suffix_on_collision", True)
        return options

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with TaskGroup(**self._options()) as group:
            retval = self.function(*args, **kwargs)
        return retval if retval is not None else group

    def partial(self, **kwargs: Any) -> _TaskGroupFactory:
        """Fix some arguments of a mapped task group before ``.expand(...)``."""
        repeated = sorted(set(kwargs) & set(self.partial_kwargs))
        if repeated:
            raise DagDefinitionError(
                f"Task group {self.function.__name__!r}: duplicate partial arguments {repeated}"
            )
        return _TaskGroupFactory(self.function, self.kwargs, {**self.partial_kwargs, **kwargs})

    def expand(self, **kwargs: Any) -> Any:
        """Map the group: its tasks run once per item (per combination of items)."""
        from tradewind.sdk.mapped_task_group import build_mapped_group, check_group_expand

        check_group_expand(self.function, self.partial_kwargs, kwargs)
        return build_mapped_group(
            self.function, self._options(), self.partial_kwargs, kwargs, "dict"
        )

    def expand_kwargs(self, kwargs: Any) -> Any:
        """Map the group over a list of argument dicts (or an XComArg that returns one)."""
        from tradewind.sdk.mapped_task_group import build_mapped_group
        from tradewind.sdk.xcom_arg import XComArg

        if not isinstance(kwargs, XComArg | list | tuple):
            raise DagDefinitionError(
                f"Task group {self.function.__name__!r}: expand_kwargs() takes a list of dicts "
                f"or an XComArg, got {type(kwargs).__name__}"
            )
        return build_mapped_group(
            self.function, self._options(), self.partial_kwargs, kwargs, "list"
        )


def task_group(python_callable: Callable[..., Any] | None = None, **tg_kwargs: Any) -> Any:
    """``@task_group`` / ``@task_group(group_id=..., tooltip=..., default_args=...)``."""
    if python_callable is not None and callable(python_callable) and not tg_kwargs:
        return _TaskGroupFactory(python_callable, {})
    if python_callable is not None and isinstance(python_callable, str):
        tg_kwargs["group_id"] = python_callable

    def wrap(function: Callable[..., Any]) -> _TaskGroupFactory:
        return _TaskGroupFactory(function, tg_kwargs)

    return wrap
