"""JSON-schema building blocks shared by the request bodies and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: the longest id the metastore stores (dag_id, run_id, task_id, keys)
ID_MAX = 250

STRING: dict[str, Any] = {"type": "string"}
ID: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": ID_MAX}
NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
DATE_TIME: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}
INT32: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}

ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
    "required": ["status", "message"],
}


def obj(properties: dict[str, Any], required: Iterable[str] = ()) -> dict[str, Any]:
    """An object schema; unknown fields are allowed and ignored."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    needed = list(required)
    if needed:
        schema["required"] = needed
    return schema


def enum(values: Iterable[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def collection(key: str, item: dict[str, Any] | None = None) -> dict[str, Any]:
    """Airflow's collection shape: ``{key: [...], "total_entries": N}``."""
    return obj(
        {key: {"type": "array", "items": item or {"type": "object"}}, "total_entries": INT32},
        [key, "total_entries"],
    )
