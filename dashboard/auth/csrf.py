"""CSRF tokens: one per session, checked on every state-changing request made with a cookie."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from dashboard.auth.permissions import current_user
from dashboard.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse a cookie-authenticated state change without the session's token (header or form)."""
    if request.method in SAFE_METHODS:
        return
    user = current_user(request)
    if user is not None and user.via_credentials:
        return
    expected = request.session.get("csrf", "")
    sent = request.headers.get("x-csrf-token", "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        sent = str(form.get("csrf_token", ""))
    if not expected or not hmac.compare_digest(expected, sent):
        raise ApiError(403, "missing or invalid CSRF token")
