"""Masking of secrets in configuration output."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from tradewind.config.settings import SECTIONS, Settings

MASK = "***"
_URL_PASSWORD = re.compile(r"(?P<head>[a-z0-9+]+://[^:/@]*:)(?P<pw>[^@]*)(?P<tail>@)", re.I)


def mask_url(url: str) -> str:
    """``amqp://guest:guest@host`` -> ``amqp://guest:***@host``."""
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + m.group("tail"), url)


def settings_as_dict(settings: Settings, *, masked: bool = True) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        obj = getattr(settings, section)
        values: dict[str, Any] = {}
        for f in fields(obj):
            value = getattr(obj, f.name)
            if masked and f.metadata.get("sensitive") and value:
                value = mask_url(value) if "://" in str(value) else MASK
            values[f.name] = value
        out[section] = values
    return out
