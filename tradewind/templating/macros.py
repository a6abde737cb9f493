"""The ``macros`` object of the template context: Airflow's built-in macros.

``{{ macros.ds_add(ds, 7) }}``, ``{{ macros.ds_format(ds, "%Y-%m-%d", "%d/%m/%Y") }}``,
``{{ macros.datetime(2024, 1, 1) }}``, ``{{ macros.timedelta(days=1) }}``, plus the modules
``time``, ``uuid``, ``json``, ``dateutil`` and the function ``random``.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta
from random import random
from typing import Any

__all__ = [
    "datetime",
    "datetime_diff_for_humans",
    "ds_add",
    "ds_format",
    "json",
    "random",
    "time",
    "timedelta",
    "uuid",
]


def ds_add(ds: str, days: int) -> str:
    """Add (or subtract, with a negative number) ``days`` to a ``YYYY-MM-DD`` date string.

    >>> ds_add("2015-01-01", 5)
    '2015-01-06'
    """
    if not days:
        return str(ds)
    moved = datetime.strptime(str(ds), "%Y-%m-%d") + timedelta(days=int(days))
    return moved.strftime("%Y-%m-%d")


def ds_format(ds: str, input_format: str, output_format: str) -> str:
    """Re-format a date string.

    >>> ds_format("2015-01-01", "%Y-%m-%d", "%m-%d-%y")
    '01-01-15'
    """
    return datetime.strptime(str(ds), input_format).strftime(output_format)


def datetime_diff_for_humans(dt: datetime, since: datetime | None = None) -> str:
    """How long before or after ``since`` ``dt`` is, in words, as Airflow's macro (pendulum's
    ``diff_for_humans``): ``"1 day ago"`` / ``"in 2 hours"`` against now, ``"1 day before"`` /
    ``"3 hours after"`` against ``since``. Naive datetimes are taken as UTC."""
    import pendulum

    other = pendulum.instance(since) if since is not None else None
    return pendulum.instance(dt).diff_for_humans(other)


def __getattr__(name: str) -> Any:
    if name == "dateutil":  # imported on first use: it is not needed by most templates
        import dateutil
        import dateutil.parser
        import dateutil.relativedelta

        return dateutil
    raise AttributeError(f"module 'tradewind.templating.macros' has no attribute {name!r}")
