"""Pages of a list: ``limit`` (default 100, at most 1000, as Airflow's ``maximum_page_limit``)
and ``offset``, with the total counted by one ``COUNT`` under the same filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dashboard.api.v1.endpoint import Call, Param

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: offsets beyond this would overflow a 32-bit integer on some databases
MAX_OFFSET = 2**31 - 1

PAGE_PARAMS: tuple[Param, ...] = (
    Param(
        "limit",
        "integer",
        f"Items per page (default {DEFAULT_LIMIT}; larger values are cut to {MAX_LIMIT}).",
        default=DEFAULT_LIMIT,
        minimum=1,
        clamp=MAX_LIMIT,
    ),
    Param("offset", "integer", "Items to skip.", default=0, minimum=0, maximum=MAX_OFFSET),
)


def page(
    session: Session, rows: Select[Any], where: Sequence[Any], call: Call, *, count_from: Any
) -> tuple[list[Any], int]:
    """One page of ``rows`` (already ordered) and the number of rows matching ``where``.

    ``count_from`` is the table (or entity) counted; the count reads only what the filters
    need, never the page's columns.
    """
    limit, offset = call.query["limit"], call.query["offset"]
    items = list(session.execute(rows.where(*where).limit(limit).offset(offset)))
    if offset == 0 and len(items) < limit:
        return items, len(items)
    total = session.scalar(select(func.count()).select_from(count_from).where(*where)) or 0
    return items, int(total)


def page_by_keys(
    session: Session, entity: Any, keys: Sequence[Any], where: Sequence[Any], call: Call
) -> tuple[list[Any], int]:
    """Like :func:`page`, ordered by ``keys`` (the primary key), with a deferred join
    (:func:`dashboard.presenters.pagination.deferred_page`): deep offsets stay cheap."""
    from dashboard.presenters.pagination import deferred_page

    limit, offset = call.query["limit"], call.query["offset"]
    return deferred_page(session, entity, keys, where, limit=limit, offset=offset)
