"""Setup and teardown tasks (Airflow 2.7+): ``as_setup()``, ``as_teardown(setups=...)``, the
``@setup`` / ``@teardown`` decorators and the ``with teardown_task:`` context manager.

A setup creates a resource, work tasks use it and a teardown removes it. A teardown runs once
everything upstream of it is done, whatever their outcome, as long as one of its setups
succeeded (trigger rule ``all_done_setup_success``), and its failure does not fail the run
unless it was made with ``on_failure_fail_dagrun=True``.

Inside ``with teardown_task:`` (or ``with setup_task >> teardown_task:``) the tasks created go
between the teardown's setups and the teardown: on leaving the block, the setups become
upstream of its first tasks and the teardown downstream of its last ones.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from tradewind.errors import DagDefinitionError
from tradewind.sdk.xcom_arg import XComArg

if TYPE_CHECKING:
    from tradewind.sdk.abstractoperator import AbstractOperator

SETUP_TEARDOWN_RULE = "all_done_setup_success"


class SetupTeardownMethod:
    """``op.as_setup()`` marks an existing task; ``Op.as_setup(task_id=..., ...)`` makes one
    (the class form some Airflow 2.7 examples use) and marks it."""

    def __init__(self, mark: Callable[..., Any], own_kwargs: tuple[str, ...]) -> None:
        self.mark = mark
        self.own_kwargs = own_kwargs
        self.__doc__ = mark.__doc__

    def __get__(self, obj: Any, owner: type) -> Callable[..., Any]:
        if obj is not None:
            return types.MethodType(self.mark, obj)

        def build(*args: Any, **kwargs: Any) -> Any:
            own = {k: kwargs.pop(k) for k in self.own_kwargs if k in kwargs}
            return self.mark(owner(*args, **kwargs), **own)

        return build


def _operators(value: Any) -> list[AbstractOperator]:
    """The tasks behind a task, an XComArg or a list of either."""
    from tradewind.sdk.abstractoperator import AbstractOperator

    items = value if isinstance(value, list | tuple | set) else [value]
    out: list[AbstractOperator] = []
    for item in items:
        if isinstance(item, XComArg):
            out.append(item.operator)
        elif isinstance(item, AbstractOperator):
            out.append(item)
        else:
            raise DagDefinitionError(
                f"Cannot use {item!r} as a setup task", hint="pass tasks or XComArgs"
            )
    return out


def mark_setup(task: Any) -> Any:
    """Make ``task`` a setup task; returns it, for chaining."""
    for op in _operators(task):
        op.is_setup = True
    return task


def mark_teardown(
    task: Any, *, setups: Any = None, on_failure_fail_dagrun: bool | None = None
) -> Any:
    """Make ``task`` a teardown (trigger rule ``all_done_setup_success``); ``setups`` become
    setup tasks upstream of it. Returns ``task``, for chaining."""
    for op in _operators(task):
        op.is_teardown = True
        op.trigger_rule = SETUP_TEARDOWN_RULE
        if on_failure_fail_dagrun is not None:
            op.on_failure_fail_dagrun = on_failure_fail_dagrun
        if setups is not None:
            for setup in _operators(setups):
                setup.is_setup = True
                setup.set_downstream(op)
    return task


class SetupTeardownContext:
    """The ``with`` blocks open over setup and teardown tasks, innermost last."""

    _stack: list[tuple[list[AbstractOperator], list[AbstractOperator]]] = []

    @classmethod
    def enter(cls, value: Any) -> None:
        ops = _operators(value)
        if not all(op.is_setup or op.is_teardown for op in ops):
            raise DagDefinitionError(
                "Only setup/teardown tasks can be used as context managers",
                hint="mark the task with as_setup() or as_teardown() first",
            )
        cls._stack.append((ops, []))

    @classmethod
    def exit(cls) -> None:
        ops, created = cls._stack.pop()
        teardowns = [op for op in ops if op.is_teardown]
        setups = [op for op in ops if op.is_setup]
        setups += [up for td in teardowns for up in td.upstream_list if up.is_setup]
        _wrap(created, setups, teardowns)

    @classmethod
    def track(cls, task: AbstractOperator) -> None:
        """Called for every task added to a DAG: remember it in each open block."""
        for ops, created in cls._stack:
            if task not in ops:
                created.append(task)


def _wrap(
    created: Iterable[AbstractOperator],
    setups: list[AbstractOperator],
    teardowns: list[AbstractOperator],
) -> None:
    """Setups upstream of the block's first tasks, teardowns downstream of its last ones."""
    created = [t for t in created if t not in setups and t not in teardowns]
    ids = {t.task_id for t in created}
    for task in created:
        if setups and not task.upstream_task_ids & ids:
            for setup in setups:
                if setup.task_id not in task.upstream_task_ids:
                    setup.set_downstream(task)
        if teardowns and not task.downstream_task_ids & ids:
            for teardown in teardowns:
                if teardown.task_id not in task.downstream_task_ids:
                    task.set_downstream(teardown)


def group_leaves(tasks: list[AbstractOperator]) -> list[AbstractOperator]:
    """A task group's leaves, Airflow's way: a teardown leaf gives way to the first tasks
    upstream of it in the group that are not teardowns (and not its own setups)."""
    ids = {t.task_id for t in tasks}
    by_id = {t.task_id: t for t in tasks}
    out: list[AbstractOperator] = []

    def has_work_downstream(task: AbstractOperator, exclude: str) -> bool:
        downs = (by_id[d] for d in task.downstream_task_ids if d in ids and d != exclude)
        return any(not d.is_teardown for d in downs)

    def work_above(task: AbstractOperator) -> Iterable[AbstractOperator]:
        for up in (by_id[u] for u in sorted(task.upstream_task_ids) if u in ids):
            if up.is_teardown:
                yield from work_above(up)
            elif task.is_teardown and up.is_setup:
                continue
            elif not has_work_downstream(up, exclude=task.task_id):
                yield up

    for task in tasks:
        if task.downstream_task_ids & ids:
            continue
        for leaf in work_above(task) if task.is_teardown else [task]:
            if leaf not in out:
                out.append(leaf)
    return out


class TaskFlowXComArg(XComArg):
    """What calling a TaskFlow function returns: an XComArg that can also be marked a setup or
    teardown and open a ``with`` block, as in Airflow."""

    def as_setup(self) -> TaskFlowXComArg:
        return mark_setup(self)

    def as_teardown(
        self, *, setups: Any = None, on_failure_fail_dagrun: bool | None = None
    ) -> TaskFlowXComArg:
        return mark_teardown(self, setups=setups, on_failure_fail_dagrun=on_failure_fail_dagrun)

    def __enter__(self) -> type[SetupTeardownContext]:
        SetupTeardownContext.enter(self)
        return SetupTeardownContext

    def __exit__(self, *exc: object) -> None:
        SetupTeardownContext.exit()


def setup(func: Callable[..., Any]) -> Any:
    """``@setup``: a TaskFlow function (or ``@task``-decorated one) whose tasks are setups."""
    decorated = _as_task(func, "setup")
    decorated.is_setup = True
    return decorated


def teardown(
    func: Callable[..., Any] | None = None, *, on_failure_fail_dagrun: bool = False
) -> Any:
    """``@teardown`` or ``@teardown(on_failure_fail_dagrun=True)``: its tasks are teardowns."""

    def wrap(function: Callable[..., Any]) -> Any:
        decorated = _as_task(function, "teardown")
        decorated.is_teardown = True
        decorated.on_failure_fail_dagrun = on_failure_fail_dagrun
        return decorated

    return wrap if func is None else wrap(func)


def _as_task(func: Any, what: str) -> Any:
    from tradewind.sdk.decorators import _TaskDecorator, task
    from tradewind.sdk.taskgroup import _TaskGroupFactory

    if isinstance(func, _TaskGroupFactory):
        raise DagDefinitionError(f"Task groups cannot be marked as {what}")
    if isinstance(func, _TaskDecorator):
        return func
    if isinstance(func, types.FunctionType):
        return task(func)
    raise DagDefinitionError(f"@{what} needs a function, got {func!r}")
