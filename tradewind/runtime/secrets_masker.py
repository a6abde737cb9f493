"""Replace known secret values by ``***`` in task logs and rendered templates.

Connection passwords and the values of variables whose key looks sensitive are registered with
:func:`mask_secret` when they are read; :func:`redact` and :class:`SecretsMaskFilter` hide them.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any

MASK = "***"
SENSITIVE_WORDS: frozenset[str] = frozenset(
    {"password", "secret", "passwd", "api_key", "apikey", "token", "access_token", "private_key"}
)

_lock = threading.Lock()
# a try process is forked from a threaded worker: no other thread may hold this lock at fork
os.register_at_fork(
    before=_lock.acquire, after_in_parent=_lock.release, after_in_child=_lock.release
)
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_extra_words: set[str] = set()


def add_sensitive_words(words: str | list[str]) -> None:
    """Extra words (config ``core.sensitive_var_conn_names``) that mark a key as secret."""
    items = words.split(",") if isinstance(words, str) else words
    _extra_words.update(w.strip().lower() for w in items if w.strip())


def should_mask_key(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in SENSITIVE_WORDS | _extra_words)


def mask_secret(value: Any) -> None:
    """Remember ``value`` (a string, or the strings inside a dict/list) as a secret."""
    global _pattern
    if value is None:
        return
    if isinstance(value, dict):
        for v in value.values():
            mask_secret(v)
        return
    if isinstance(value, list | tuple | set):
        for v in value:
            mask_secret(v)
        return
    text = str(value)
    if len(text) < 3:  # masking "a" or "" would shred every log line
        return
    with _lock:
        if text in _secrets:
            return
        _secrets.add(text)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def redact_value(value: Any, key: str | None = None) -> Any:
    """Redact strings inside nested data; mask whole values under sensitive keys."""
    if key is not None and should_mask_key(key) and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v) for v in value)
    return value


def reset_secrets() -> None:
    """Forget every secret (tests, and a worker between tries)."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None


class SecretsMaskFilter(logging.Filter):
    """A logging filter that redacts secrets from the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _pattern is None:
            return True
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
