"""Dynamic task mapping: ``Op.partial(...).expand(...)`` / ``.expand_kwargs(...)``.

A :class:`MappedOperator` is one node of the DAG; at run time each map index becomes a real
operator through :meth:`MappedOperator.unmap_for_index` (a cartesian product over several
expanded arguments, the last one varying fastest, as in Airflow).
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from tradewind.errors import DagDefinitionError, TaskFailure
from tradewind.sdk.abstractoperator import AbstractOperator
from tradewind.sdk.baseoperator import BaseOperator
from tradewind.sdk.xcom_arg import MapXComArg, XComArg, ZipXComArg

Resolver = Callable[[XComArg], Any]


def _init_arg_names(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        sig = inspect.signature(init)
        names.update(n for n, p in sig.parameters.items() if p.kind not in (p.VAR_KEYWORD,))
        if not any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
            break
    names.discard("self")
    return names


_BASE_ARGS = _init_arg_names(BaseOperator)


class OperatorPartial:
    """``Op.partial(**kwargs)``: the fixed arguments of a mapped task, waiting for ``expand``."""

    def __init__(self, operator_class: type[BaseOperator], kwargs: dict[str, Any]) -> None:
        if "task_id" not in kwargs:
            raise DagDefinitionError(f"{operator_class.__name__}.partial() needs a task_id")
        self.operator_class = operator_class
        self.kwargs = kwargs

    def expand(self, **mapped_kwargs: Any) -> MappedOperator:
        """Map over lists (or upstream XComArgs): one task instance per combination."""
        if not mapped_kwargs:
            raise DagDefinitionError(f"Task {self.kwargs['task_id']!r}: expand() needs arguments")
        _check_expand_names(self.operator_class, self.kwargs, mapped_kwargs)
        return MappedOperator(self.operator_class, self.kwargs, mapped_kwargs, "dict")

    def expand_kwargs(self, kwargs: Sequence[dict[str, Any]] | XComArg) -> MappedOperator:
        """Map over a list of keyword-argument dicts (or an XComArg that returns one)."""
        if not isinstance(kwargs, XComArg | list | tuple):
            raise DagDefinitionError(
                f"Task {self.kwargs['task_id']!r}: expand_kwargs() takes a list of dicts "
                f"or an XComArg, got {type(kwargs).__name__}"
            )
        return MappedOperator(self.operator_class, self.kwargs, kwargs, "list")


def _check_expand_names(cls: type, partial: dict[str, Any], mapped: dict[str, Any]) -> None:
    task_id = partial.get("task_id")
    accepted = _init_arg_names(cls)
    for name, value in mapped.items():
        if name not in accepted:
            raise DagDefinitionError(
                f"Task {task_id!r}: {cls.__name__}.expand() got an unexpected keyword "
                f"argument {name!r}"
            )
        if name in partial:
            raise DagDefinitionError(
                f"Task {task_id!r}: argument {name!r} is given to both partial() and expand()"
            )
        _check_mappable(task_id, name, value)


def _check_mappable(task_id: Any, name: str, value: Any) -> None:
    if not isinstance(value, XComArg | list | tuple | dict):
        raise DagDefinitionError(
            f"Task {task_id!r}: expand() argument {name!r} must be a list, a dict or an "
            f"XComArg, not {type(value).__name__}"
        )


class MappedOperator(AbstractOperator):
    """A task mapped over its ``expand_input``; attributes not set here come from the base args."""

    is_mapped = True

    def __init__(
        self,
        operator_class: type[BaseOperator],
        partial_kwargs: dict[str, Any],
        expand_input: Any,
        expand_kind: str,
        *,
        expand_into: str | None = None,
    ) -> None:
        self._init_node()
        self.operator_class = operator_class
        self.partial_kwargs = dict(partial_kwargs)
        self.expand_input = expand_input
        self.expand_kind = expand_kind
        self.expand_into = expand_into
        self._raw_task_id = partial_kwargs["task_id"]
        base_kwargs = {k: v for k, v in partial_kwargs.items() if k in _BASE_ARGS}
        base_kwargs["_tw_from_mapped"] = True
        self._base = BaseOperator(**base_kwargs)
        self.task_id = self._base.task_id
        dag, group = self._base.dag, self._base.task_group
        self.task_group = group
        self._dag = None
        if group is not None:
            group.add(self)
        if dag is not None:
            dag.add_task(self)
        for arg in XComArg.iter_xcom_args([self.partial_kwargs, self._expand_values()]):
            arg.operator.set_downstream(self)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in {"_base", "operator_class"}:
            raise AttributeError(name)
        base = self.__dict__.get("_base")
        if base is None:
            raise AttributeError(name)
        return getattr(base, name)

    # -- description --------------------------------------------------------------------
    @property
    def template_fields(self) -> Sequence[str]:
        return tuple(self.operator_class.template_fields)

    @property
    def operator_name(self) -> str:
        return getattr(self.operator_class, "custom_operator_name", self.operator_class.__name__)

    @property
    def task_type(self) -> str:
        return self.operator_class.__name__

    @property
    def is_sensor(self) -> bool:
        return bool(getattr(self.operator_class, "is_sensor", False))

    def _expand_values(self) -> list[Any]:
        if self.expand_kind == "dict":
            return list(self.expand_input.values())
        return [self.expand_input]

    def map_info(self) -> tuple[str, int | None, tuple[str, ...]]:
        """("literal", length, ()) or ("upstream", length of literal parts or None, task ids)."""
        values = self._expand_values()
        upstream = [v for v in values if isinstance(v, XComArg)]
        literal = [v for v in values if not isinstance(v, XComArg)]
        literal_length = math.prod(len(v) for v in literal) if literal else None
        if not upstream:
            return "literal", literal_length or 0, ()
        ids = tuple(dict.fromkeys(p.operator.task_id for v in upstream for p in v.plain_args()))
        return "upstream", literal_length, ids

    def map_zip(self) -> tuple[Any, ...]:
        """How the lengths of the upstream results give the number of instances, when some
        mapped argument zips: one factor per upstream argument (the lengths multiply), each a
        task id or ("zip" | "zip_longest", factor, ...). Empty when nothing zips."""
        upstream = [v for v in self._expand_values() if isinstance(v, XComArg)]
        if not any(isinstance(_unwrap(v), ZipXComArg) for v in upstream):
            return ()
        return tuple(_length_factor(v) for v in upstream)

    # -- run time -----------------------------------------------------------------------
    def iter_map_kwargs(self, resolve: Resolver) -> Iterator[dict[str, Any]]:
        """The per-index keyword arguments, in map_index order."""
        return iter_expand_input(self.task_id, self.expand_input, self.expand_kind, resolve)

    def get_map_length(self, resolve: Resolver) -> int:
        if self.expand_kind == "list":
            return len(_as_sequence(self.expand_input, resolve))
        return math.prod(len(_as_sequence(v, resolve)) for v in self.expand_input.values())

    def unmap_for_index(self, map_index: int, resolve: Resolver) -> BaseOperator:
        """A real operator for ``map_index``, its mapped arguments resolved with ``resolve``."""
        chosen = values_for_index(
            self.task_id, self.expand_input, self.expand_kind, map_index, resolve
        )
        kwargs = dict(self.partial_kwargs)
        if self.expand_into:
            kwargs[self.expand_into] = {**(kwargs.get(self.expand_into) or {}), **chosen}
        else:
            kwargs.update(chosen)
        kwargs.update(
            task_id=self._raw_task_id,
            dag=self._base.dag,
            task_group=self.task_group,
            _tw_from_mapped=True,
        )
        operator = self.operator_class(**kwargs)
        operator.task_id = self.task_id
        operator.upstream_task_ids = set(self.upstream_task_ids)
        operator.downstream_task_ids = set(self.downstream_task_ids)
        operator.map_index = map_index  # type: ignore[attr-defined]
        return operator

    def __repr__(self) -> str:
        return f"<Mapped({self.operator_name}): {self.task_id}>"


def iter_expand_input(
    task_id: str, expand_input: Any, kind: str, resolve: Resolver
) -> Iterator[dict[str, Any]]:
    """The keyword arguments of each map index of ``expand_input``, in map_index order (a
    cartesian product for ``expand``, the last argument varying fastest; the dicts of
    ``expand_kwargs``)."""
    if kind == "list":
        for item in _as_sequence(expand_input, resolve):
            if not isinstance(item, dict):
                raise TaskFailure(
                    f"Task {task_id!r}: expand_kwargs() needs a list of dicts, got an item {item!r}"
                )
            yield {k: _resolve_nested(v, resolve) for k, v in item.items()}
        return
    keys = list(expand_input)
    lists = [_as_sequence(expand_input[k], resolve) for k in keys]
    for combo in itertools.product(*lists):
        yield {k: _resolve_nested(v, resolve) for k, v in zip(keys, combo, strict=True)}


def values_for_index(
    task_id: str, expand_input: Any, kind: str, map_index: int, resolve: Resolver
) -> dict[str, Any]:
    """The keyword arguments of one map index of ``expand_input``."""
    if kind == "list":
        items = list(iter_expand_input(task_id, expand_input, kind, resolve))
        if not 0 <= map_index < len(items):
            raise TaskFailure(f"Task {task_id!r}: map_index {map_index} out of 0..{len(items)}")
        return items[map_index]
    keys = list(expand_input)
    lists = [_as_sequence(expand_input[k], resolve) for k in keys]
    total = math.prod(len(v) for v in lists)
    if not 0 <= map_index < total:
        raise TaskFailure(f"Task {task_id!r}: map_index {map_index} out of 0..{total}")
    chosen: dict[str, Any] = {}
    index = map_index
    for key, values in reversed(list(zip(keys, lists, strict=True))):
        chosen[key] = _resolve_nested(values[index % len(values)], resolve)
        index //= len(values)
    return {k: chosen[k] for k in keys}


def _unwrap(arg: XComArg) -> XComArg:
    """``arg`` without its ``.map()`` calls: a map keeps the length of what it maps."""
    while isinstance(arg, MapXComArg):
        arg = arg.source
    return arg


def _length_factor(arg: XComArg) -> Any:
    arg = _unwrap(arg)
    if isinstance(arg, ZipXComArg):
        kind = "zip_longest" if arg.longest else "zip"
        return (kind, *(_length_factor(a) for a in arg.args))
    return arg.operator.task_id


def _as_sequence(value: Any, resolve: Resolver) -> list[Any]:
    if isinstance(value, XComArg):
        value = resolve(value)
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise TaskFailure(f"Cannot map over {value!r}: it is not a list or a dict")
    return list(value)


def _resolve_nested(value: Any, resolve: Resolver) -> Any:
    if isinstance(value, XComArg):
        return resolve(value)
    if isinstance(value, dict):
        return {k: _resolve_nested(v, resolve) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_nested(v, resolve) for v in value]
    return value
