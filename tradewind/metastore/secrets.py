"""Fernet encryption of the secrets stored in the metastore (connection passwords and extras,
variable values), as Airflow does it.

``core.fernet_key`` holds one or more comma-separated keys: the first encrypts, every key
decrypts, so a new key is added in front and old tokens are re-encrypted with
:func:`rotate_secrets` (``tradewind connections rotate-fernet-key``) before the old key goes.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from tradewind.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradewind.config import Settings

log = logging.getLogger(__name__)

_KEY_HINT = (
    "set TRADEWIND__CORE__FERNET_KEY (or core.fernet_key in tradewind.toml) to the key(s) the "
    "secrets were stored with; `tradewind db init` creates one when none is set"
)


class FernetKeyError(ConfigError):
    """The Fernet key is missing, malformed, or not the one a secret was encrypted with."""

    hint = _KEY_HINT


def configured_keys(settings: Settings | None = None) -> str:
    """The ``core.fernet_key`` value of ``settings`` (loaded now when not given)."""
    if settings is None:
        from tradewind.config import load_settings

        settings = load_settings()
    return (settings.core.fernet_key or "").strip()


@lru_cache(maxsize=8)
def _build_fernet(keys: str) -> MultiFernet:
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    fernets: list[Fernet] = []
    for index, key in enumerate(parts, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except (ValueError, TypeError):
            raise FernetKeyError(
                f"fernet key number {index} in core.fernet_key is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from None
    return MultiFernet(fernets)


def get_fernet(settings: Settings | None = None) -> MultiFernet:
    """A MultiFernet over the configured keys; FernetKeyError when none is set."""
    keys = configured_keys(settings)
    if not keys:
        raise FernetKeyError("no Fernet key is configured, so stored secrets cannot be read")
    return _build_fernet(keys)


def has_fernet_key(settings: Settings | None = None) -> bool:
    return bool(configured_keys(settings))


def encrypt(value: str, settings: Settings | None = None) -> str:
    """The Fernet token of ``value`` under the first configured key."""
    return get_fernet(settings).encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str, settings: Settings | None = None, *, what: str = "a secret") -> str:
    """The plaintext of ``token``; FernetKeyError naming ``what`` when no key fits."""
    fernet = get_fernet(settings)
    try:
        return fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise FernetKeyError(
            f"cannot decrypt {what}: none of the configured Fernet keys encrypted it"
        ) from None


def encrypt_if_possible(value: str | None, settings: Settings | None = None) -> tuple[Any, bool]:
    """``(stored value, is_encrypted)``: plaintext with a warning when no key is configured,
    as Airflow does without a key."""
    if value is None:
        return None, False
    if not has_fernet_key(settings):
        log.warning("no Fernet key configured: storing a secret unencrypted")
        return value, False
    return encrypt(value, settings), True


def ensure_fernet_key(settings: Settings) -> str | None:
    """Create and save a key when none is configured; returns a message for ``db init``."""
    if configured_keys(settings):
        return None
    from pathlib import Path

    from tradewind.config.loader import config_file, tradewind_home, write_config_value

    home = Path(settings.home) if settings.home else tradewind_home()
    key = Fernet.generate_key().decode("ascii")
    write_config_value(home, "core", "fernet_key", key)
    settings.core.fernet_key = key
    return (
        f"Generated a new Fernet key for secrets at rest and saved it as core.fernet_key in "
        f"{config_file(home)}. Keep it safe: stored passwords cannot be read without it."
    )


def rotate_secrets(session: Session, settings: Settings | None = None) -> int:
    """Re-encrypt every stored secret with the first key (also encrypts plaintext ones).
    Returns the number of rows rewritten. The caller commits."""
    from sqlalchemy import select

    from tradewind.metastore.models import Connection, Variable

    fernet = get_fernet(settings)

    def _rotate(token: str, what: str) -> str:
        try:
            return fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise FernetKeyError(
                f"cannot rotate {what}: none of the configured Fernet keys encrypted it"
            ) from None

    count = 0
    for conn in session.scalars(select(Connection)):
        if conn.password is not None:
            if conn.is_encrypted:
                conn.password = _rotate(conn.password, f"the password of {conn.conn_id}")
            else:
                conn.password = fernet.encrypt(conn.password.encode()).decode("ascii")
                conn.is_encrypted = True
        if conn.extra is not None:
            if conn.is_extra_encrypted:
                conn.extra = _rotate(conn.extra, f"the extra of {conn.conn_id}")
            else:
                conn.extra = fernet.encrypt(conn.extra.encode()).decode("ascii")
                conn.is_extra_encrypted = True
        count += 1
    for var in session.scalars(select(Variable)):
        if var.is_encrypted:
            var.val = _rotate(var.val, f"variable {var.key}")
        else:
            var.val = fernet.encrypt(var.val.encode()).decode("ascii")
            var.is_encrypted = True
        count += 1
    session.flush()
    return count
