"""Offset pagination: which slice a page shows and the links to its neighbours."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pager:
    offset: int
    limit: int
    total: int
    path: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def first_shown(self) -> int:
        return 0 if self.total == 0 else self.offset + 1

    @property
    def last_shown(self) -> int:
        return min(self.offset + self.limit, self.total)

    @property
    def prev_url(self) -> str | None:
        if self.offset <= 0:
            return None
        return self._url(max(0, self.offset - self.limit))

    @property
    def next_url(self) -> str | None:
        if self.offset + self.limit >= self.total:
            return None
        return self._url(self.offset + self.limit)

    def _url(self, offset: int) -> str:
        params = [(k, v) for k, v in self.params if k != "offset"]
        params.append(("offset", str(offset)))
        return self.path + "?" + urllib.parse.urlencode(params)


def pager(path: str, params: Mapping[str, str], *, offset: int, limit: int, total: int) -> Pager:
    kept = tuple((k, v) for k, v in params.items() if v not in ("", None))
    return Pager(offset=offset, limit=limit, total=total, path=path, params=kept)


def deferred_page(
    session: Any, entity: Any, keys: Sequence[Any], where: Sequence[Any], *, limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of ``entity`` ordered by ``keys`` (its primary key) and the count of rows
    matching ``where``, with a deferred join: the offset is walked over the key index alone
    (an index-only scan) and only the page's rows are read from the table, so deep offsets into
    a million rows stay cheap."""
    from sqlalchemy import and_, func, select

    chosen = select(*keys).where(*where).order_by(*keys).limit(limit).offset(offset).subquery()
    joined = and_(*(key == chosen.c[key.key] for key in keys))
    rows = list(session.execute(select(entity).join(chosen, joined).order_by(*keys)).scalars())
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)
    total = session.scalar(select(func.count()).select_from(entity).where(*where)) or 0
    return rows, int(total)
