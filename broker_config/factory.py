"""``build_broker(url)``: a dramatiq broker from one URL, built by the caller, never at import.

- ``amqp://`` -> :class:`TradewindRabbitmqBroker` (dramatiq's RabbitMQ broker, pika);
- ``redis://`` -> :class:`TradewindRedisBroker` (dramatiq's Redis broker);
- ``memory://`` -> :class:`MemoryBroker` (dramatiq's StubBroker, in-process).

The broker gets only the middleware the caller passes: none of dramatiq's defaults, because
retries, time limits and message age are Tradewind's own (``retries``/``execution_timeout`` on the
task, zombie detection in the scheduler), and dramatiq's ``Retries`` would re-run a try behind
the scheduler's back. With ``check=True`` (the default) the server is contacted once, so that a
bad or unreachable URL fails here, with one line naming the URL (password masked) and what was
tried, instead of deep inside a consumer thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from broker_config.urls import BrokerUrl, parse_broker_url
from tradewind.errors import BrokerError

if TYPE_CHECKING:
    from dramatiq import Broker, Middleware

CONNECT_TIMEOUT = 5.0
HINT = "check TRADEWIND__BROKER__URL, and that the broker is running and reachable from here"


def build_broker(
    url: str,
    *,
    middleware: Sequence[Middleware] = (),
    namespace: str = "dramatiq",
    consumer_timeout_ms: int = 0,
    check: bool = True,
) -> Broker:
    """A new dramatiq broker for ``url``; raises :class:`BrokerError` for a bad or dead URL.

    ``namespace`` prefixes Redis keys (dramatiq's namespace); ``consumer_timeout_ms`` is
    RabbitMQ's per-queue ``x-consumer-timeout`` (0: the server's default).
    """
    parsed = parse_broker_url(url)
    if parsed.kind == "rabbitmq":
        return _rabbitmq(parsed, list(middleware), consumer_timeout_ms, check)
    if parsed.kind == "redis":
        return _redis(parsed, list(middleware), namespace, check)
    from broker_config.brokers.memory import MemoryBroker

    return MemoryBroker(middleware=list(middleware))


def _rabbitmq(parsed: BrokerUrl, middleware: list[Any], timeout_ms: int, check: bool) -> Broker:
    import pika
    import pika.exceptions

    from broker_config.brokers.rabbitmq import TradewindRabbitmqBroker

    try:
        params = pika.URLParameters(parsed.url)
    except Exception as exc:  # pika validates query arguments here
        raise BrokerError(f"broker URL {parsed.masked} is malformed: {exc}", hint=HINT) from None
    if check:
        probe = pika.URLParameters(parsed.url)
        probe.connection_attempts = 1
        probe.retry_delay = 0
        probe.socket_timeout = CONNECT_TIMEOUT
        probe.blocked_connection_timeout = CONNECT_TIMEOUT
        tried = (
            f"tried one AMQP connection to {parsed.host}:{params.port}, "
            f"{CONNECT_TIMEOUT:g} s timeout"
        )
        try:
            with _quiet("pika"):
                connection = pika.BlockingConnection(probe)
        except pika.exceptions.ProbableAuthenticationError:
            raise BrokerError(
                f"RabbitMQ at {parsed.masked} refused the login ({tried})", hint=HINT
            ) from None
        except pika.exceptions.ProbableAccessDeniedError:
            raise BrokerError(
                f"RabbitMQ at {parsed.masked} denied access to virtual host "
                f"{params.virtual_host!r} ({tried})",
                hint=HINT,
            ) from None
        except Exception as exc:
            reason = _reason(exc)
            raise BrokerError(
                f"cannot reach RabbitMQ at {parsed.masked} ({tried}): {reason}", hint=HINT
            ) from None
        try:
            connection.close()
        except Exception:
            pass
    return TradewindRabbitmqBroker(
        url=parsed.url, middleware=middleware, consumer_timeout_ms=timeout_ms
    )


def _redis(parsed: BrokerUrl, middleware: list[Any], namespace: str, check: bool) -> Broker:
    import redis

    from broker_config.brokers.redis import TradewindRedisBroker

    try:
        pool = redis.ConnectionPool.from_url(
            parsed.url, socket_connect_timeout=CONNECT_TIMEOUT, health_check_interval=30
        )
    except ValueError as exc:
        raise BrokerError(f"broker URL {parsed.masked} is malformed: {exc}", hint=HINT) from None
    client = redis.Redis(connection_pool=pool)
    if check:
        tried = (
            f"tried PING to {parsed.host or 'the socket'}:{parsed.port}, "
            f"{CONNECT_TIMEOUT:g} s timeout"
        )
        try:
            client.ping()
        except redis.AuthenticationError:
            raise BrokerError(f"Redis at {parsed.masked} refused the login ({tried})", hint=HINT)
        except redis.RedisError as exc:
            raise BrokerError(
                f"cannot reach Redis at {parsed.masked} ({tried}): {_reason(exc)}", hint=HINT
            ) from None
    return TradewindRedisBroker(middleware=middleware, namespace=namespace, client=client)


def _reason(exc: BaseException) -> str:
    """The most telling line of a (possibly nested) connection error."""
    seen: list[BaseException] = []
    stack: list[object] = [exc]
    while stack:
        item = stack.pop()
        if isinstance(item, BaseException) and item not in seen:
            seen.append(item)
            stack.extend(item.args)
            stack.extend(getattr(item, "exceptions", None) or [])
            stack.append(getattr(item, "exception", None))
    for item in seen:
        if isinstance(item, OSError) and str(item):
            return _first_line(item)
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """pika logs connection failures with tracebacks; the BrokerError says it in one line."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)
