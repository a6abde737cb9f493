"""Airflow's ``airflow.utils.decorators``: ``apply_defaults``, which custom operators written for
Airflow 1.10 still put on their ``__init__``. Since Airflow 2 ``default_args`` are applied to
every operator automatically, so it returns the function unchanged, as Airflow 2's does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def apply_defaults(func: F) -> F:
    """No-op: ``BaseOperator`` subclasses get ``default_args`` applied already."""
    return func


__all__ = ["apply_defaults"]
