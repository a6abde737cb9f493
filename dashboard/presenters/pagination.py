"""Offset pagination: which slice a page shows and the links to its neighbours."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass


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
