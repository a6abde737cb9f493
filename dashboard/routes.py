"""The route table: every page and API endpoint, in one place."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from dashboard.auth import views as auth_views


def build_routes() -> list[BaseRoute]:
    from dashboard.api.v1.routes import api_routes
    from dashboard.views.routes import page_routes

    return [
        Route("/login", auth_views.login_page, methods=["GET", "POST"], name="login"),
        Route("/logout", auth_views.logout, methods=["POST"], name="logout"),
        *page_routes(),
        *api_routes(),
    ]
