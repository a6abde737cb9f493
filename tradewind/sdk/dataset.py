"""Datasets (Airflow 3 calls them assets): a URI that tasks update and DAGs can be scheduled on.

``a | b`` (:class:`DatasetAny`) and ``a & b`` (:class:`DatasetAll`) combine datasets into a
condition a DAG can be scheduled on, nested as deep as needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from tradewind.errors import DagDefinitionError

#: The plain-data form of a condition: a URI, or ("any" | "all", item, item, ...).
ConditionData = str | tuple[Any, ...]


class BaseDataset:
    """What can be combined with ``|`` and ``&``: a dataset or a condition over datasets."""

    __slots__ = ()

    def __or__(self, other: object) -> DatasetAny:
        if not isinstance(other, BaseDataset):
            return NotImplemented
        return DatasetAny(self, other)

    def __and__(self, other: object) -> DatasetAll:
        if not isinstance(other, BaseDataset):
            return NotImplemented
        return DatasetAll(self, other)

    def iter_datasets(self) -> Iterator[Dataset]:
        """Every dataset named in this condition, each once, in the order written."""
        raise NotImplementedError

    def evaluate(self, statuses: dict[str, bool]) -> bool:
        """Whether the condition holds when ``statuses`` says which URIs were updated."""
        raise NotImplementedError

    def as_data(self) -> ConditionData:
        """The plain-data form stored in the DAG's schedule spec."""
        raise NotImplementedError


class Dataset(BaseDataset):
    """A logical data item named by ``uri``; equal datasets have equal URIs."""

    __slots__ = ("uri", "extra")

    def __init__(self, uri: str, extra: dict[str, Any] | None = None) -> None:
        if not isinstance(uri, str) or not uri.strip():
            raise DagDefinitionError(
                f"Dataset URI must be a non-empty string, got {uri!r}",
                hint="name the data, e.g. Dataset('s3://bucket/key') or Dataset('my_table')",
            )
        if uri != uri.strip() or len(uri) > 3000:
            raise DagDefinitionError(f"Dataset URI {uri!r} is not valid")
        if urlsplit(uri).scheme.lower() == "airflow":
            raise DagDefinitionError(f"Dataset URI {uri!r} uses the reserved scheme 'airflow'")
        self.uri = uri
        self.extra = dict(extra or {})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dataset) and other.uri == self.uri

    def __hash__(self) -> int:
        return hash(("Dataset", self.uri))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"

    def iter_datasets(self) -> Iterator[Dataset]:
        yield self

    def evaluate(self, statuses: dict[str, bool]) -> bool:
        return bool(statuses.get(self.uri, False))

    def as_data(self) -> ConditionData:
        return self.uri


class _DatasetBooleanCondition(BaseDataset):
    """A condition over datasets (or nested conditions), combined by ``kind``."""

    __slots__ = ("objects",)
    kind: str = ""
    agg_func: Callable[[Iterable[bool]], bool] = all

    def __init__(self, *objects: BaseDataset) -> None:
        if not objects:
            raise DagDefinitionError(f"{type(self).__name__}() needs at least one dataset")
        for item in objects:
            if not isinstance(item, BaseDataset):
                raise DagDefinitionError(
                    f"{type(self).__name__}() takes datasets or dataset conditions, got {item!r}"
                )
        self.objects: tuple[BaseDataset, ...] = objects

    def __iter__(self) -> Iterator[Dataset]:
        """The datasets named, so that code listing a DAG's datasets keeps working."""
        return self.iter_datasets()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.objects == self.objects  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.objects))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(o) for o in self.objects)})"

    def iter_datasets(self) -> Iterator[Dataset]:
        seen: set[str] = set()
        for item in self.objects:
            for dataset in item.iter_datasets():
                if dataset.uri not in seen:
                    seen.add(dataset.uri)
                    yield dataset

    def evaluate(self, statuses: dict[str, bool]) -> bool:
        return type(self).agg_func(item.evaluate(statuses) for item in self.objects)

    def as_data(self) -> ConditionData:
        return (self.kind, *(item.as_data() for item in self.objects))


class DatasetAny(_DatasetBooleanCondition):
    """Holds once any one of its datasets (or conditions) does: ``a | b``."""

    __slots__ = ()
    kind = "any"
    agg_func = any

    def __or__(self, other: object) -> DatasetAny:
        if not isinstance(other, BaseDataset):
            return NotImplemented
        return DatasetAny(*self.objects, other)


class DatasetAll(_DatasetBooleanCondition):
    """Holds once every one of its datasets (or conditions) does: ``a & b``, or a list."""

    __slots__ = ()
    kind = "all"
    agg_func = all

    def __and__(self, other: object) -> DatasetAll:
        if not isinstance(other, BaseDataset):
            return NotImplemented
        return DatasetAll(*self.objects, other)


#: Airflow 3's names for the same things.
Asset = Dataset
AssetAny = DatasetAny
AssetAll = DatasetAll


class Metadata:
    """Yielded by a TaskFlow task: the extra of the event it records for the outlet ``target``
    (Airflow's ``airflow.datasets.metadata.Metadata``)."""

    __slots__ = ("uri", "extra")

    def __init__(self, target: str | Dataset, extra: dict[str, Any]) -> None:
        self.uri: str = target if isinstance(target, str) else target.uri
        self.extra: dict[str, Any] = dict(extra)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Metadata) and (other.uri, other.extra) == (self.uri, self.extra)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Metadata({self.uri!r}, {self.extra!r})"
