"""Jinja filters shared by every page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tradewind.core.states import STATE_COLORS


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def state_color(state: str | None) -> str:
    return STATE_COLORS.get(state or "none", "#d3d3d3")


def quote_segment(value: object) -> str:
    """One URL path segment (run ids hold ':' and '+')."""
    from urllib.parse import quote

    return quote(str(value), safe="")


def register_filters(env: Any) -> None:
    env.filters["dt"] = format_datetime
    env.filters["duration"] = format_duration
    env.filters["state_color"] = state_color
    env.filters["q"] = quote_segment
    env.globals["STATE_COLORS"] = STATE_COLORS
