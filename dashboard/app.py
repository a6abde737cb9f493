"""The dashboard application: ``create_app`` wires the middleware stack and the route table."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from dashboard.auth.middleware import AuthMiddleware
from dashboard.errors import exception_handlers
from tradewind.config import Settings, load_settings
from tradewind.metastore.engine import Metastore

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None, metastore: Metastore | None = None) -> Starlette:
    """Build the app. Settings and the metastore are passed in (or built here), never global."""
    from dashboard.routes import build_routes

    settings = settings or load_settings()
    metastore = metastore or Metastore.from_settings(settings)
    secret = settings.core.secret_key or _fallback_secret(settings)
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=secret,
            session_cookie="tradewind_session",
            max_age=settings.webserver.session_lifetime_minutes * 60,
            same_site="lax",
            https_only=False,
        ),
        Middleware(AuthMiddleware),
    ]
    app = Starlette(
        routes=build_routes(),
        middleware=middleware,
        exception_handlers=exception_handlers(),
    )
    app.state.settings = settings
    app.state.metastore = metastore
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.autoescape = True
    from dashboard.presenters.filters import register_filters

    register_filters(templates.env)
    return templates


def _fallback_secret(settings: Settings) -> str:
    """A per-home secret kept in TRADEWIND_HOME, so sessions survive restarts."""
    import secrets

    path = Path(settings.home) / ".dashboard_secret"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value)
    path.chmod(0o600)
    return value
