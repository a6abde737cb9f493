"""Calling a user's function with the context keys it asks for (Airflow's ``determine_kwargs``)."""

from __future__ import annotations

import functools
import inspect
import itertools
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tradewind.errors import TaskFailure


def _signature(function: Callable[..., Any]) -> inspect.Signature:
    """``inspect.signature``, remembered per function (a worker's try process calls the same
    callables over and over; an unhashable callable is inspected each time)."""
    try:
        return _cached_signature(function)
    except TypeError:
        return inspect.signature(function)


@functools.lru_cache(maxsize=1024)
def _cached_signature(function: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(function)


def determine_kwargs(
    function: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """The keyword arguments to pass: all of ``kwargs`` if the function takes ``**kwargs``,
    else only those it names. A name taken by a positional argument may not be in ``kwargs``.
    """
    signature = _signature(function)
    for name in itertools.islice(signature.parameters, len(args)):
        param = signature.parameters[name]
        if param.kind == param.VAR_POSITIONAL:
            break
        if name in kwargs:
            raise TaskFailure(
                f"The key {name!r} in args is a part of kwargs and therefore reserved."
            )
    if any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values()):
        return dict(kwargs)
    return {key: kwargs[key] for key in signature.parameters if key in kwargs}


def call_with_context(
    function: Callable[..., Any],
    op_args: Sequence[Any],
    op_kwargs: Mapping[str, Any],
    context: Mapping[str, Any],
    templates_dict: Mapping[str, Any] | None = None,
) -> Any:
    """Call ``function(*op_args, **kw)`` where kw is the context merged with ``op_kwargs``.

    The merge is a view, not a copy: a context entry that costs a query (``prev_*_success``...)
    is computed only if the function names it (or takes ``**kwargs``).
    """
    overrides = dict(op_kwargs)
    if templates_dict is not None:
        overrides["templates_dict"] = templates_dict
    merged = ChainMap(overrides, context)
    return function(*op_args, **determine_kwargs(function, op_args, merged))
