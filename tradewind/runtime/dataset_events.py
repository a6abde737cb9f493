"""``outlet_events`` and ``inlet_events`` in a task's context.

``outlet_events[dataset].extra`` is the extra of the dataset event the task records for that
outlet when it succeeds (set directly, or by yielding ``Metadata`` from a TaskFlow generator).
``inlet_events[dataset]`` lists the events recorded so far for an inlet, oldest first, read
from the metastore on first use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore


def event_key(obj: Any) -> str:
    """The URI naming a dataset given as a Dataset (or anything with a ``uri``) or a string."""
    if isinstance(obj, str):
        return obj
    uri = getattr(obj, "uri", None)
    if isinstance(uri, str):
        return uri
    raise TypeError(f"expected a Dataset or a dataset URI, got {obj!r}")


@dataclass
class OutletEventAccessor:
    """The event-to-be of one outlet: its ``extra`` may be replaced or updated in place."""

    raw_key: Any
    extra: dict[str, Any] = field(default_factory=dict)


class OutletEventAccessors(Mapping[Any, OutletEventAccessor]):
    """``outlet_events``: an accessor per dataset, created on first use, keyed by URI."""

    def __init__(self) -> None:
        self._by_uri: dict[str, OutletEventAccessor] = {}

    def __getitem__(self, key: Any) -> OutletEventAccessor:
        uri = event_key(key)
        if uri not in self._by_uri:
            self._by_uri[uri] = OutletEventAccessor(raw_key=key)
        return self._by_uri[uri]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_uri)

    def __len__(self) -> int:
        return len(self._by_uri)

    def __repr__(self) -> str:
        return f"OutletEventAccessors({self._by_uri!r})"

    def extra_for(self, uri: str) -> dict[str, Any] | None:
        """The extra set for ``uri`` (a copy), or None when none was set."""
        accessor = self._by_uri.get(uri)
        if accessor is None or not accessor.extra:
            return None
        return dict(accessor.extra)


@dataclass(frozen=True)
class InletEvent:
    """One recorded dataset event, as ``inlet_events`` lists it."""

    id: int
    uri: str
    extra: dict[str, Any]
    timestamp: datetime
    source_dag_id: str | None
    source_task_id: str | None
    source_run_id: str | None
    source_map_index: int


class InletEventSequence(Sequence[InletEvent]):
    """The events of one dataset, oldest first, queried on first use."""

    def __init__(self, metastore: Metastore | None, uri: str) -> None:
        self._metastore = metastore
        self._uri = uri
        self._events: list[InletEvent] | None = None

    def _load(self) -> list[InletEvent]:
        if self._events is None:
            self._events = _query_events(self._metastore, self._uri)
        return self._events

    @overload
    def __getitem__(self, index: int) -> InletEvent: ...

    @overload
    def __getitem__(self, index: slice) -> list[InletEvent]: ...

    def __getitem__(self, index: int | slice) -> InletEvent | list[InletEvent]:
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"InletEventSequence({self._uri!r}, {self._load()!r})"


class InletEventsAccessors(Mapping[Any, InletEventSequence]):
    """``inlet_events``: keyed by an inlet (a Dataset, its URI, or its position in inlets)."""

    def __init__(self, inlets: Sequence[Any], metastore: Metastore | None) -> None:
        self._inlets = list(inlets)
        self._metastore = metastore
        self._uris = {uri for uri in (_uri_or_none(i) for i in self._inlets) if uri}
        self._cache: dict[str, InletEventSequence] = {}

    def __getitem__(self, key: Any) -> InletEventSequence:
        if isinstance(key, int) and not isinstance(key, bool):
            uri = _uri_or_none(self._inlets[key])
            if uri is None:
                raise IndexError(key)
        else:
            uri = event_key(key)
            if uri not in self._uris:
                raise KeyError(uri)
        if uri not in self._cache:
            self._cache[uri] = InletEventSequence(self._metastore, uri)
        return self._cache[uri]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._inlets)

    def __len__(self) -> int:
        return len(self._inlets)

    def __repr__(self) -> str:
        return f"InletEventsAccessors({self._inlets!r})"


def _uri_or_none(obj: Any) -> str | None:
    try:
        return event_key(obj)
    except TypeError:
        return None


def _query_events(metastore: Metastore | None, uri: str) -> list[InletEvent]:
    if metastore is None:
        return []
    from sqlalchemy import select

    from tradewind.metastore.models import Dataset, DatasetEvent

    with metastore.session() as session:
        rows = session.execute(
            select(DatasetEvent)
            .join(Dataset, Dataset.id == DatasetEvent.dataset_id)
            .where(Dataset.uri == uri)
            .order_by(DatasetEvent.timestamp, DatasetEvent.id)
        ).scalars()
        return [
            InletEvent(
                id=row.id,
                uri=uri,
                extra=dict(row.extra or {}),
                timestamp=row.timestamp,
                source_dag_id=row.source_dag_id,
                source_task_id=row.source_task_id,
                source_run_id=row.source_run_id,
                source_map_index=row.source_map_index,
            )
            for row in rows
        ]


def outlet_event_extras(ti: Any) -> OutletEventAccessors | None:
    """The ``outlet_events`` of the context ``ti`` ran with (None before it has one)."""
    getter = getattr(ti, "get_template_context", None)
    try:
        context = getter() if callable(getter) else None
    except RuntimeError:
        return None
    found = context.get("outlet_events") if context is not None else None
    return found if isinstance(found, OutletEventAccessors) else None


def drain_metadata(result: Any, outlet_events: Mapping[Any, OutletEventAccessor], log: Any) -> Any:
    """Run a TaskFlow generator to its end: each yielded ``Metadata`` updates its outlet's
    extra; returns what the generator returned."""
    from tradewind.sdk.dataset import Metadata

    returned: list[Any] = [None]

    def run() -> Iterator[Any]:
        returned[0] = yield from result

    for item in run():
        if isinstance(item, Metadata):
            outlet_events[item.uri].extra.update(item.extra)
        else:
            log.warning("Ignoring unknown data of %r received from task", type(item))
    return returned[0]
