"""TaskFlow: ``@task`` and its variants (``.branch``, ``.short_circuit``, ``.bash``, ``.sensor``,
``.virtualenv``, ``.external_python``).

Calling a decorated function inside a DAG creates a task and returns an :class:`XComArg`;
XComArgs passed as arguments become upstream dependencies and are pulled at run time.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, ParamSpec, TypeVar

from tradewind.errors import DagDefinitionError
from tradewind.sdk.dag_context import current_dag, current_group
from tradewind.sdk.mapping import MappedOperator, _check_mappable
from tradewind.sdk.setup_teardown import TaskFlowXComArg, mark_setup, mark_teardown
from tradewind.sdk.xcom_arg import XComArg

P = ParamSpec("P")
R = TypeVar("R")


def _infer_multiple_outputs(function: Callable[..., Any]) -> bool:
    """True when the function is annotated to return a mapping, as Airflow infers it: only the
    return annotation is resolved (a parameter's unresolvable one does not matter)."""
    annotations = getattr(function, "__annotations__", None) or {}
    if "return" not in annotations:
        return False

    def returns() -> None: ...

    returns.__annotations__ = {"return": annotations["return"]}
    try:
        ret = typing.get_type_hints(returns, getattr(function, "__globals__", None)).get("return")
    except (NameError, TypeError):  # a name that is not defined at parse time, etc.
        return False
    if ret is None:
        return False
    origin = typing.get_origin(ret) or ret
    return isinstance(origin, type) and issubclass(origin, Mapping)


def get_unique_task_id(task_id: str, dag: Any = None, task_group: Any = None) -> str:
    """``fn``, then ``fn__1``, ``fn__2``... for repeated calls in one DAG, as in Airflow."""
    dag = dag or current_dag()
    if dag is None:
        return task_id
    group = task_group or current_group(dag)
    full_id = group.child_id(task_id) if group is not None else task_id
    if full_id not in dag.task_dict:
        return task_id
    core = re.split(r"__\d+$", task_id)[0]
    prefix = re.split(r"__\d+$", full_id)[0]
    suffixes = [0]
    for existing in dag.task_dict:
        match = re.match(rf"^{re.escape(prefix)}__(\d+)$", existing)
        if match:
            suffixes.append(int(match.group(1)))
    return f"{core}__{max(suffixes) + 1}"


class _TaskDecorator(Generic[P, R]):
    """A decorated function. Call it in a DAG to add a task; ``.override()`` to change options."""

    #: set by ``@setup`` / ``@teardown``: the tasks it makes are setups / teardowns
    is_setup: bool = False
    is_teardown: bool = False
    on_failure_fail_dagrun: bool = False

    def __init__(
        self,
        function: Callable[P, R],
        operator_class: type,
        multiple_outputs: bool | None,
        kwargs: dict[str, Any],
    ) -> None:
        if not callable(function):
            raise DagDefinitionError(f"@task needs a function, got {function!r}")
        self.function = function
        self.operator_class = operator_class
        self.multiple_outputs = (
            _infer_multiple_outputs(function) if multiple_outputs is None else multiple_outputs
        )
        self.kwargs = kwargs
        functools.update_wrapper(self, function)  # type: ignore[arg-type]

    def _operator_kwargs(self) -> dict[str, Any]:
        kwargs = dict(self.kwargs)
        task_id = kwargs.pop("task_id", None) or self.function.__name__
        kwargs["task_id"] = get_unique_task_id(task_id, kwargs.get("dag"), kwargs.get("task_group"))
        kwargs["python_callable"] = self.function
        kwargs["multiple_outputs"] = self.multiple_outputs
        return kwargs

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> XComArg:
        op_kwargs = self._operator_kwargs()
        operator = self.operator_class(op_args=args, op_kwargs=kwargs, **op_kwargs)
        if self.function.__doc__ and not operator.doc_md:
            operator.doc_md = inspect.cleandoc(self.function.__doc__)
        if self.is_setup:
            mark_setup(operator)
        elif self.is_teardown:
            mark_teardown(operator, on_failure_fail_dagrun=self.on_failure_fail_dagrun)
        return TaskFlowXComArg(operator)

    def override(self, **kwargs: Any) -> _TaskDecorator[P, R]:
        """The same function with other operator arguments (``task_id``, ``retries``...)."""
        multiple_outputs = kwargs.pop("multiple_outputs", self.multiple_outputs)
        other = _TaskDecorator(
            self.function, self.operator_class, multiple_outputs, {**self.kwargs, **kwargs}
        )
        other.is_setup, other.is_teardown = self.is_setup, self.is_teardown
        other.on_failure_fail_dagrun = self.on_failure_fail_dagrun
        return other

    def partial(self, **kwargs: Any) -> _DecoratedPartial:
        """Fix some function arguments before ``.expand(...)``."""
        return _DecoratedPartial(self, kwargs)

    def expand(self, **kwargs: Any) -> XComArg:
        """Map the function over lists (or upstream results): one task instance per item."""
        return self.partial().expand(**kwargs)

    def expand_kwargs(self, kwargs: Sequence[dict[str, Any]] | XComArg) -> XComArg:
        return self.partial().expand_kwargs(kwargs)

    def __repr__(self) -> str:
        return f"<@task {self.function.__name__}>"


class _DecoratedPartial:
    def __init__(self, decorator: _TaskDecorator[Any, Any], kwargs: dict[str, Any]) -> None:
        self.decorator = decorator
        self.kwargs = kwargs

    def _mapped(self, expand_input: Any, kind: str) -> XComArg:
        op_kwargs = self.decorator._operator_kwargs()
        op_kwargs["op_kwargs"] = dict(self.kwargs)
        op_kwargs["op_args"] = []
        return XComArg(
            MappedOperator(
                self.decorator.operator_class,
                op_kwargs,
                expand_input,
                kind,
                expand_into="op_kwargs",
            )
        )

    def expand(self, **mapped: Any) -> XComArg:
        function = self.decorator.function
        name = function.__name__
        if not mapped:
            raise DagDefinitionError(f"Task {name!r}: expand() needs arguments")
        for key, value in mapped.items():
            if key in self.kwargs:
                raise DagDefinitionError(
                    f"Task {name!r}: argument {key!r} is given to both partial() and expand()"
                )
            _check_mappable(name, key, value)
        try:
            inspect.signature(function).bind_partial(**self.kwargs, **mapped)
        except TypeError as exc:
            raise DagDefinitionError(f"Task {name!r}: {exc}") from None
        return self._mapped(mapped, "dict")

    def expand_kwargs(self, kwargs: Sequence[dict[str, Any]] | XComArg) -> XComArg:
        if not isinstance(kwargs, XComArg | list | tuple):
            raise DagDefinitionError(
                f"Task {self.decorator.function.__name__!r}: expand_kwargs() takes a list of "
                f"dicts or an XComArg, got {type(kwargs).__name__}"
            )
        return self._mapped(kwargs, "list")


def task_decorator_factory(
    python_callable: Callable[..., Any] | None,
    multiple_outputs: bool | None,
    decorated_operator_class: type,
    **kwargs: Any,
) -> Any:
    """Build ``@deco`` / ``@deco(**kwargs)`` for an operator class taking ``python_callable``."""
    if python_callable is not None:
        return _TaskDecorator(python_callable, decorated_operator_class, multiple_outputs, kwargs)

    def wrap(function: Callable[P, R]) -> _TaskDecorator[P, R]:
        return _TaskDecorator(function, decorated_operator_class, multiple_outputs, kwargs)

    return wrap


class TaskDecoratorCollection:
    """The ``task`` object: ``@task``, ``@task.python``, ``.branch``, ``.short_circuit``..."""

    def python(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        from tradewind.sdk.decorated_operators import _PythonDecoratedOperator

        return task_decorator_factory(
            python_callable, multiple_outputs, _PythonDecoratedOperator, **kwargs
        )

    __call__ = python

    def branch(self, python_callable: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
        from tradewind.sdk.decorated_operators import _BranchPythonDecoratedOperator

        multiple_outputs = kwargs.pop("multiple_outputs", False)
        return task_decorator_factory(
            python_callable, multiple_outputs, _BranchPythonDecoratedOperator, **kwargs
        )

    def short_circuit(
        self, python_callable: Callable[..., Any] | None = None, **kwargs: Any
    ) -> Any:
        from tradewind.sdk.decorated_operators import _ShortCircuitDecoratedOperator

        multiple_outputs = kwargs.pop("multiple_outputs", False)
        return task_decorator_factory(
            python_callable, multiple_outputs, _ShortCircuitDecoratedOperator, **kwargs
        )

    def bash(self, python_callable: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
        from tradewind.sdk.decorated_operators import _BashDecoratedOperator

        kwargs.pop("multiple_outputs", None)
        return task_decorator_factory(python_callable, False, _BashDecoratedOperator, **kwargs)

    def virtualenv(
        self,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """``@task.virtualenv(requirements=[...])``: the function runs in a new virtualenv."""
        from tradewind.sdk.decorated_operators import _PythonVirtualenvDecoratedOperator

        return task_decorator_factory(
            python_callable, multiple_outputs, _PythonVirtualenvDecoratedOperator, **kwargs
        )

    def external_python(
        self,
        python: str | None = None,
        python_callable: Callable[..., Any] | None = None,
        multiple_outputs: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """``@task.external_python(python="/path/to/python")``: run with that interpreter."""
        from tradewind.sdk.decorated_operators import _ExternalPythonDecoratedOperator

        return task_decorator_factory(
            python_callable,
            multiple_outputs,
            _ExternalPythonDecoratedOperator,
            python=python,
            **kwargs,
        )

    def sensor(self, python_callable: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
        """``@task.sensor``: the function returns a bool or a PokeReturnValue."""
        from tradewind.sensors.decorator import sensor_task

        return sensor_task(python_callable, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(
            f"@task.{name} is not supported by Tradewind; use @task, @task.branch, "
            "@task.short_circuit, @task.bash, @task.sensor, @task.virtualenv or "
            "@task.external_python"
        )


task = TaskDecoratorCollection()
