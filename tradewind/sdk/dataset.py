"""Datasets (Airflow 3 calls them assets): a URI that tasks update and DAGs can be scheduled on."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tradewind.errors import DagDefinitionError


class Dataset:
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


#: Airflow 3's name for the same thing.
Asset = Dataset
