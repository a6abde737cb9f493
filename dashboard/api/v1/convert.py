"""Values in and out of the API: ISO dates both ways, and any stored value made JSON-safe."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from dashboard.errors import ApiError


def iso(value: datetime | None) -> str | None:
    """An ISO-8601 string with offset, or None."""
    return value.isoformat() if value is not None else None


def parse_datetime(text: str, what: str) -> datetime:
    """An ISO-8601 date or date-time; naive values are taken as UTC (as Airflow's API does)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except (ValueError, TypeError):
        raise ApiError(
            400, f"{what}: {text!r} is not an ISO-8601 date (e.g. 2024-01-01T00:00:00+00:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (dates and other objects become strings)."""
    return json.loads(json.dumps(value, default=str))
