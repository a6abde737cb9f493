"""Broker URLs: parse, validate and mask them before anything connects.

Three schemes are understood:

- ``amqp://user:password@host:5672/vhost`` (and ``amqps://``): RabbitMQ, through pika;
- ``redis://[:password@]host:6379/0`` (and ``rediss://``, ``unix://``): Redis;
- ``memory://``: an in-process broker for tests and the embedded default.

A URL that cannot work raises :class:`tradewind.errors.BrokerError` with one line naming the URL
(password masked) and what is wrong, before any connection is tried.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from tradewind.config.masking import mask_url
from tradewind.errors import BrokerError

KINDS: dict[str, str] = {
    "amqp": "rabbitmq",
    "amqps": "rabbitmq",
    "redis": "redis",
    "rediss": "redis",
    "unix": "redis",
    "memory": "memory",
}
DEFAULT_PORTS: dict[str, int] = {"amqp": 5672, "amqps": 5671, "redis": 6379, "rediss": 6379}
HINT = "set TRADEWIND__BROKER__URL to amqp://user:password@host:5672/, redis://host:6379/0 or memory://"


@dataclass(frozen=True)
class BrokerUrl:
    """A parsed broker URL. ``masked`` is safe to print."""

    url: str
    scheme: str
    kind: str
    host: str
    port: int | None

    @property
    def masked(self) -> str:
        return mask_broker_url(self.url)


def mask_broker_url(url: str) -> str:
    """``amqp://guest:guest@host/`` -> ``amqp://guest:***@host/``; also ``redis://:pw@host``."""
    return mask_url(url)


def parse_broker_url(url: str) -> BrokerUrl:
    """Validate ``url`` and say which kind of broker it names; raises BrokerError."""
    text = (url or "").strip()
    if not text:
        raise BrokerError("the broker URL is empty", hint=HINT)
    if "://" not in text:
        raise BrokerError(f"broker URL {mask_broker_url(text)!r} has no scheme", hint=HINT)
    try:
        parts: SplitResult = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise BrokerError(f"broker URL {mask_broker_url(text)} is malformed: {exc}", hint=HINT)
    scheme = parts.scheme.lower()
    kind = KINDS.get(scheme)
    if kind is None:
        known = ", ".join(f"{s}://" for s in KINDS)
        raise BrokerError(
            f"broker URL {mask_broker_url(text)} has an unknown scheme {scheme!r} (known: {known})",
            hint=HINT,
        )
    host = parts.hostname or ""
    if kind == "rabbitmq" and not host:
        raise BrokerError(f"broker URL {mask_broker_url(text)} names no host", hint=HINT)
    if scheme in ("redis", "rediss") and not host:
        raise BrokerError(f"broker URL {mask_broker_url(text)} names no host", hint=HINT)
    if scheme in ("redis", "rediss"):
        db = parts.path.strip("/")
        if db and not db.isdigit():
            raise BrokerError(
                f"broker URL {mask_broker_url(text)}: the Redis database {db!r} is not a number",
                hint=HINT,
            )
    return BrokerUrl(
        url=text,
        scheme=scheme,
        kind=kind,
        host=host,
        port=port if port is not None else DEFAULT_PORTS.get(scheme),
    )
