"""Login and logout pages."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dashboard.auth.csrf import check_csrf, csrf_token
from tradewind.errors import AuthError


async def login_page(request: Request) -> Response:
    templates = request.app.state.templates
    error = None
    if request.method == "POST":
        await check_csrf(request)
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        try:
            user = await run_in_threadpool(_authenticate, request, username, password)
        except AuthError as exc:
            error = exc.message
        else:
            request.session["user"] = user
            next_url = request.query_params.get("next", "/")
            if not next_url.startswith("/") or next_url.startswith("//"):
                next_url = "/"
            return RedirectResponse(next_url, status_code=303)
    return templates.TemplateResponse(
        request,
        "login.html",
        {"error": error, "csrf_token": csrf_token(request)},
        status_code=401 if error else 200,
    )


def _authenticate(request: Request, username: str, password: str) -> dict:
    from tradewind.metastore.users import authenticate

    with request.app.state.metastore.session() as session:
        user = authenticate(session, username, password)
        return {"id": user.id, "username": user.username, "role": user.role}


async def logout(request: Request) -> Response:
    await check_csrf(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
