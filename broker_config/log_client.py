"""Signed requests for the workers' log servers, shared by the worker (verify), the CLI and the
dashboard (sign and fetch): whoever holds ``core.secret_key`` may read a try's log, nobody else.

A request names one log file by its path relative to the log folder and carries a token,
``itsdangerous``-signed with the secret key, that binds that path and expires after
``MAX_AGE`` seconds. The worker answers 403 to a request without a valid token for that path.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from tradewind.errors import TradewindError

SALT = "tradewind.log-server"
MAX_AGE = 60
HEADER = "X-Tradewind-Token"


def _serializer(secret_key: str):  # -> URLSafeTimedSerializer
    from itsdangerous import URLSafeTimedSerializer

    if not secret_key:
        raise TradewindError(
            "core.secret_key is empty: log requests cannot be signed",
            hint="set TRADEWIND__CORE__SECRET_KEY to the same value on every component",
        )
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def sign_log_request(secret_key: str, relpath: str) -> str:
    return _serializer(secret_key).dumps({"path": relpath})


def verify_log_request(
    secret_key: str, token: str, relpath: str, *, max_age: int = MAX_AGE
) -> bool:
    from itsdangerous import BadSignature

    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (BadSignature, TradewindError):
        return False
    return isinstance(data, dict) and data.get("path") == relpath


@dataclass(frozen=True)
class LogChunk:
    text: str
    #: byte offset to ask for next time (``--follow``)
    next_offset: int


def fetch_log(
    base_url: str, relpath: str, secret_key: str, *, offset: int = 0, timeout: float = 10.0
) -> LogChunk:
    """Read a try's log from a worker's log server, from byte ``offset`` on."""
    query = urllib.parse.urlencode({"path": relpath, "offset": offset})
    request = urllib.request.Request(f"{base_url.rstrip('/')}/log?{query}")
    request.add_header(HEADER, sign_log_request(secret_key, relpath))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            next_offset = int(response.headers.get("X-Log-Next-Offset", offset + len(body)))
    except urllib.error.HTTPError as exc:
        raise TradewindError(
            f"the log server at {base_url} answered {exc.code} for {relpath}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TradewindError(f"cannot reach the log server at {base_url}: {reason}") from None
    return LogChunk(body.decode("utf-8", errors="replace"), next_offset)
