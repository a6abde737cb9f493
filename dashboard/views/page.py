"""What every page handler needs: the login gate, rendering with the CSRF token, the session,
query-string numbers, and the redirect after a form post."""

from __future__ import annotations

import functools
import inspect
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dashboard.auth.csrf import check_csrf, csrf_token
from dashboard.auth.permissions import current_user, require

Handler = Callable[..., Any]


def login_required(handler: Handler) -> Handler:
    """Send a caller without a session to ``/login?next=<this page>``; pages need a login."""

    def _redirect(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            "/login?" + urllib.parse.urlencode({"next": target}), status_code=303
        )

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def async_wrapper(request: Request) -> Response:
            if current_user(request) is None:
                return _redirect(request)
            return await handler(request)

        return async_wrapper

    @functools.wraps(handler)
    def wrapper(request: Request) -> Response:
        if current_user(request) is None:
            return _redirect(request)
        return handler(request)

    return wrapper


async def guard_action(request: Request, role: str) -> dict[str, str]:
    """A state-changing request: the role (403 otherwise), the CSRF token, then the form."""
    require(request, role)
    await check_csrf(request)
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A page from ``template`` with the CSRF token, the user and any flash messages."""
    templates = request.app.state.templates
    flashes = request.session.pop("flash", []) if "flash" in request.session else []
    full = {
        "csrf_token": csrf_token(request),
        "user": current_user(request),
        "flashes": flashes,
        **context,
    }
    return templates.TemplateResponse(request, template, full, status_code=status_code)


def flash(request: Request, message: str, category: str = "info") -> None:
    messages = list(request.session.get("flash", []))
    messages.append({"message": message, "category": category})
    request.session["flash"] = messages[-5:]


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None, default: str) -> str:
    """A local path to go back to (never another site)."""
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return default


@contextmanager
def db(request: Request) -> Iterator[Session]:
    with request.app.state.metastore.session() as session:
        yield session


def int_param(
    request: Request, name: str, default: int, *, minimum: int = 0, maximum: int | None = None
) -> int:
    """An integer from the query string, clamped; a malformed one gives the default."""
    raw = request.query_params.get(name)
    try:
        value = int(raw) if raw not in (None, "") else default
    except ValueError:
        value = default
    value = max(minimum, value)
    return min(value, maximum) if maximum is not None else value


def q(value: object) -> str:
    """Quote one path segment (run ids hold ':' and '+')."""
    return urllib.parse.quote(str(value), safe="")


def is_checked(form: dict[str, str], name: str) -> bool:
    return form.get(name, "").lower() in ("1", "true", "on", "yes")


def wake_scheduler(session: Session) -> None:
    """Wake the scheduler when the write commits (else it finds the work on its next poll)."""
    from tradewind.metastore.wakeup import notify_scheduler

    notify_scheduler(session)
