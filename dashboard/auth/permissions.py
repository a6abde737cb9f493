"""Who may do what: Viewer reads, User also triggers/clears/marks, Op also edits connections,
variables and pools, Admin also manages users (Airflow's roles)."""

from __future__ import annotations

from starlette.requests import Request

from dashboard.auth.middleware import CurrentUser
from dashboard.errors import ApiError
from tradewind.metastore.users import role_allows

READ = "Viewer"
EDIT_RUNS = "User"
EDIT_ADMIN = "Op"
MANAGE_USERS = "Admin"


def current_user(request: Request) -> CurrentUser | None:
    return getattr(request.state, "user", None)


def require(request: Request, role: str = READ) -> CurrentUser:
    """The caller, if logged in with at least ``role``; 401 / 403 otherwise (nothing changes)."""
    user = current_user(request)
    if user is None:
        raise ApiError(401, "authentication required")
    if not role_allows(user.role, role):
        raise ApiError(403, f"the {user.role} role may not do this (needs {role} or above)")
    return user
