"""Errors become a 4xx JSON body under /api and a short page elsewhere; never a traceback."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from tradewind.errors import (
    AuthError,
    ConnectionNotFound,
    DagNotFound,
    DagRunAlreadyExists,
    DagRunNotFound,
    TaskNotFound,
    TradewindError,
    VariableNotFound,
)

NOT_FOUND = (DagNotFound, DagRunNotFound, TaskNotFound, ConnectionNotFound, VariableNotFound)


class ApiError(HTTPException):
    """An error with a status and a message, raised by views and API handlers."""


def _status_for(exc: TradewindError) -> int:
    if isinstance(exc, NOT_FOUND):
        return 404
    if isinstance(exc, DagRunAlreadyExists):
        return 409
    if isinstance(exc, AuthError):
        return 403
    return 400


def _respond(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    ):
        return JSONResponse({"status": status, "message": message}, status_code=status)
    return _error_page(request, status, message)


_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 409: "Conflict"}


def _error_page(request: Request, status: int, message: str) -> Response:
    """The message on a page with the site's header, and a link back where it came from."""
    templates = getattr(request.app.state, "templates", None)
    if templates is None:
        return PlainTextResponse(message, status_code=status)
    from dashboard.auth.csrf import csrf_token

    referer = request.headers.get("referer", "")
    host = f"{request.url.scheme}://{request.url.netloc}/"
    back = "/" + referer[len(host) :] if referer.startswith(host) else "/"
    token = csrf_token(request) if "session" in request.scope else None
    context = {
        "title": f"{status} {_TITLES.get(status, 'Error')}",
        "message": message,
        "back": back,
        "csrf_token": token,
        "flashes": [],
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


async def _tradewind_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TradewindError)
    return _respond(request, _status_for(exc), str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _respond(request, exc.status_code, str(exc.detail))


def exception_handlers() -> dict[Any, Any]:
    return {TradewindError: _tradewind_error, HTTPException: _http_error}
