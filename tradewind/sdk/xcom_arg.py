"""``XComArg``: a reference to a task's (future) XCom value, resolved at run time."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from tradewind.sdk.dependencies import DependencyMixin

if TYPE_CHECKING:
    from tradewind.sdk.abstractoperator import AbstractOperator

XCOM_RETURN_KEY = "return_value"


class _NotSet:
    """``zip()``'s default fill value: no filling, the shortest input wins."""

    def __repr__(self) -> str:
        return "NOTSET"


NOTSET: Any = _NotSet()


class XComArg(DependencyMixin):
    """What calling a ``@task`` function (or ``op.output``) gives you.

    Passing it to another task makes that task downstream and pulls the value at run time;
    ``arg["key"]`` refers to one key of a ``multiple_outputs`` result.
    """

    def __init__(self, operator: AbstractOperator, key: str = XCOM_RETURN_KEY) -> None:
        self.operator = operator
        self.key = key

    # -- dependencies ------------------------------------------------------------------
    @property
    def roots(self) -> list[AbstractOperator]:
        return [self.operator]

    @property
    def leaves(self) -> list[AbstractOperator]:
        return [self.operator]

    # -- values ------------------------------------------------------------------------
    def __getitem__(self, key: str) -> XComArg:
        return XComArg(self.operator, key=key)

    def __iter__(self) -> Iterator[Any]:
        raise TypeError("'XComArg' object is not iterable; its value is only known at run time")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, XComArg) and other.operator is self.operator and other.key == self.key
        )

    def __hash__(self) -> int:
        return hash((id(self.operator), self.key))

    def __repr__(self) -> str:
        return f"XComArg({self.operator.task_id!r}, key={self.key!r})"

    def __str__(self) -> str:
        """A Jinja template that pulls the value, as Airflow renders an XComArg in a string."""
        task_id = self.operator.task_id
        if self.key == XCOM_RETURN_KEY:
            return f"{{{{ task_instance.xcom_pull(task_ids='{task_id}') }}}}"
        return f"{{{{ task_instance.xcom_pull(task_ids='{task_id}', key='{self.key}') }}}}"

    def resolve(self, context: dict[str, Any]) -> Any:
        """Pull the value (a list ordered by map_index when the task is mapped; the value of
        the same map index for a task of the mapped task group the running task is in)."""
        ti = context["ti"]
        map_index = _same_mapped_group_index(self.operator, context)
        if map_index is not None:
            return ti.xcom_pull(task_ids=self.operator.task_id, key=self.key, map_indexes=map_index)
        return ti.xcom_pull(task_ids=self.operator.task_id, key=self.key)

    def map(self, function: Callable[[Any], Any]) -> MapXComArg:
        """An XComArg of ``[function(item) for item in value]``, e.g. to feed ``expand``."""
        return MapXComArg(self, function)

    def zip(self, *others: XComArg, fillvalue: Any = NOTSET) -> ZipXComArg:
        """An XComArg of ``zip(value, *other_values)`` (tuples), e.g. to feed ``expand``.

        Without ``fillvalue`` the shortest input decides the length; with it, the longest, the
        shorter inputs padded with ``fillvalue`` (``itertools.zip_longest``).
        """
        return ZipXComArg([self, *others], fillvalue=fillvalue)

    def plain_args(self) -> list[XComArg]:
        """The plain references this value is computed from (itself, unless it zips)."""
        return [self]

    @staticmethod
    def iter_xcom_args(value: Any) -> Iterator[XComArg]:
        """Every plain XComArg inside ``value`` (lists, tuples, sets, dict values; the inputs of
        ``zip`` and ``map``): what the task holding ``value`` depends on."""
        if isinstance(value, XComArg):
            yield from value.plain_args()
        elif isinstance(value, dict):
            for item in value.values():
                yield from XComArg.iter_xcom_args(item)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                yield from XComArg.iter_xcom_args(item)


class MapXComArg(XComArg):
    """``arg.map(function)``: the upstream list with ``function`` applied to each item."""

    def __init__(self, source: XComArg, function: Callable[[Any], Any]) -> None:
        super().__init__(source.operator, source.key)
        self.source = source
        self.function = function

    @property
    def roots(self) -> list[AbstractOperator]:
        return self.source.roots

    @property
    def leaves(self) -> list[AbstractOperator]:
        return self.source.leaves

    def resolve(self, context: dict[str, Any]) -> Any:
        value = self.source.resolve(context)
        if value is None:
            return []
        if isinstance(value, dict):
            value = list(value.items())
        return [self.function(item) for item in value]

    def plain_args(self) -> list[XComArg]:
        return self.source.plain_args()

    def map(self, function: Callable[[Any], Any]) -> MapXComArg:
        first = self.function
        return MapXComArg(self.source, lambda item: function(first(item)))

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"{self.source!r}.map({getattr(self.function, '__name__', 'function')})"


class ZipXComArg(XComArg):
    """``arg.zip(*others, fillvalue=...)``: the upstream lists combined item by item."""

    def __init__(self, args: list[XComArg], *, fillvalue: Any = NOTSET) -> None:
        if not args:
            raise ValueError("zip() needs at least one XComArg")
        for arg in args:
            if not isinstance(arg, XComArg):
                raise TypeError(f"zip() takes XComArgs, got {arg!r}")
            if type(arg) is XComArg and arg.key != XCOM_RETURN_KEY:
                raise ValueError(f"cannot zip {arg!r}: only a task's return value can be zipped")
        super().__init__(args[0].operator, args[0].key)
        self.args = list(args)
        self.fillvalue = fillvalue

    @property
    def roots(self) -> list[AbstractOperator]:
        return list({id(op): op for a in self.args for op in a.roots}.values())

    @property
    def leaves(self) -> list[AbstractOperator]:
        return list({id(op): op for a in self.args for op in a.leaves}.values())

    def resolve(self, context: dict[str, Any]) -> Any:
        values = [_as_list(arg, arg.resolve(context)) for arg in self.args]
        if self.fillvalue is NOTSET:
            return list(zip(*values, strict=False))
        return list(itertools.zip_longest(*values, fillvalue=self.fillvalue))

    def plain_args(self) -> list[XComArg]:
        return [plain for arg in self.args for plain in arg.plain_args()]

    @property
    def longest(self) -> bool:
        """Whether the longest input decides the length (a ``fillvalue`` was given)."""
        return self.fillvalue is not NOTSET

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        inner = ", ".join(repr(a) for a in self.args[1:])
        fill = "" if self.fillvalue is NOTSET else f", fillvalue={self.fillvalue!r}"
        return f"{self.args[0]!r}.zip({inner}{fill})"

    def __str__(self) -> str:
        raise TypeError("a zipped XComArg cannot be rendered in a template")


def _same_mapped_group_index(operator: Any, context: dict[str, Any]) -> int | None:
    """The running map index when ``operator`` and the running task are in one mapped task
    group (Airflow then pulls that index only), else None."""
    if getattr(operator, "task_group", None) is None:
        return None
    from tradewind.sdk.mapped_task_group import mapped_group_of

    group = mapped_group_of(operator)
    if group is None or mapped_group_of(context.get("task")) is not group:
        return None
    map_index = getattr(context["ti"], "map_index", -1)
    return map_index if map_index is not None and map_index >= 0 else None


def _as_list(arg: XComArg, value: Any) -> list[Any]:
    """One zip input as a list (a dict gives its items, as when mapping over it)."""
    from tradewind.errors import TaskFailure

    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise TaskFailure(f"Cannot zip {arg!r}: its value {value!r} is not a list or a dict")
    return list(value)


def _has_resolvable(value: Any) -> bool:
    from tradewind.sdk.param import DagParam

    if isinstance(value, XComArg | DagParam):
        return True
    if isinstance(value, dict):
        return any(_has_resolvable(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_has_resolvable(v) for v in value)
    return False


def resolve_xcom_args(value: Any, context: dict[str, Any]) -> Any:
    """``value`` with every XComArg (and @dag param reference) inside it replaced by its value.

    Returns the same object when there is nothing to resolve.
    """
    from tradewind.sdk.param import DagParam

    if isinstance(value, XComArg | DagParam):
        return value.resolve(context)
    if not _has_resolvable(value):
        return value
    if isinstance(value, dict):
        return {k: resolve_xcom_args(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_xcom_args(v, context) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve_xcom_args(v, context) for v in value)
    if isinstance(value, set | frozenset):
        return type(value)(resolve_xcom_args(v, context) for v in value)
    return value
