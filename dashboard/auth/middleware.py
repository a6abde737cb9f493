"""Resolve the caller: a session cookie, HTTP basic auth, or a bearer API token.

The resolved user (or None) lands in ``request.state.user``; views ask for a role with
``dashboard.auth.permissions.require``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str
    #: True when authenticated by basic auth or a token (no CSRF check: no cookie involved)
    via_credentials: bool = False


class AuthMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request.state.user = await _resolve_user(request)
        return await call_next(request)


async def _resolve_user(request: Request) -> CurrentUser | None:
    from starlette.concurrency import run_in_threadpool

    header = request.headers.get("authorization", "")
    if header:
        return await run_in_threadpool(_from_header, request, header)
    session_user = request.session.get("user")
    if session_user:
        return CurrentUser(session_user["id"], session_user["username"], session_user["role"])
    return None


def _from_header(request: Request, header: str) -> CurrentUser | None:
    from tradewind.errors import AuthError
    from tradewind.metastore.users import authenticate, user_for_token

    scheme, _, value = header.partition(" ")
    with request.app.state.metastore.session() as session:
        if scheme.lower() == "basic":
            try:
                username, _, password = base64.b64decode(value).decode().partition(":")
                user = authenticate(session, username, password)
            except (AuthError, ValueError, UnicodeDecodeError):
                return None
        elif scheme.lower() == "bearer":
            user = user_for_token(session, value.strip())
            if user is None:
                return None
        else:
            return None
        return CurrentUser(user.id, user.username, user.role, via_credentials=True)
