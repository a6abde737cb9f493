"""Users and API tokens (Admin role). Password hashes and tokens are never returned, except a
new token (or a generated password) once, in the answer that creates it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dashboard.api.v1.convert import iso
from dashboard.api.v1.endpoint import Call, Endpoint
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import ID, collection, enum, obj
from dashboard.auth.permissions import MANAGE_USERS
from dashboard.errors import ApiError
from tradewind.metastore.models import User

ROLES = ("Admin", "Op", "User", "Viewer")


def user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "active": user.active,
        "created_on": iso(user.created_at),
        "last_login": iso(user.last_login),
    }


def _find(call: Call) -> User:
    name = call.path["username"]
    user = call.session.scalar(select(User).where(User.username == name))
    if user is None:
        raise ApiError(404, f"user {name!r} not found")
    return user


def get_users(call: Call) -> dict[str, Any]:
    rows, total = page(
        call.session, select(User).order_by(User.username), [], call, count_from=User
    )
    return {"users": [user_json(r[0]) for r in rows], "total_entries": total}


def get_user(call: Call) -> dict[str, Any]:
    return user_json(_find(call))


def post_user(call: Call) -> dict[str, Any]:
    from tradewind.metastore.users import create_user

    body = call.body
    if call.session.scalar(select(User.id).where(User.username == body["username"])):
        raise ApiError(409, f"user {body['username']!r} already exists")
    user, generated = create_user(
        call.session,
        body["username"],
        email=body["email"],
        role=body["role"],
        password=body.get("password"),
        first_name=body.get("first_name", ""),
        last_name=body.get("last_name", ""),
    )
    data = user_json(user)
    if generated:
        data["generated_password"] = generated
    return data


def delete_user(call: Call) -> None:
    from tradewind.metastore.users import delete_user as delete

    delete(call.session, _find(call).username)


def post_user_token(call: Call) -> dict[str, Any]:
    """A new API token for the user (``Authorization: Bearer <token>``), shown this once."""
    from tradewind.metastore.users import create_api_token

    user = _find(call)
    token = create_api_token(call.session, user.username, call.body.get("name", ""))
    return {"username": user.username, "token": token}


_USER = obj({"username": {"type": "string"}, "role": enum(ROLES)})
_PATH = "/users/{username}"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/users",
        get_users,
        "List users",
        "User",
        role=MANAGE_USERS,
        query=PAGE_PARAMS,
        response=collection("users", _USER),
    ),
    Endpoint("GET", _PATH, get_user, "Get a user", "User", role=MANAGE_USERS, response=_USER),
    Endpoint(
        "POST",
        "/users",
        post_user,
        "Create a user (a password is generated when none is given)",
        "User",
        role=MANAGE_USERS,
        body=obj(
            {
                "username": ID,
                "email": {"type": "string", "maxLength": 500},
                "role": enum(ROLES),
                "password": {"type": "string", "minLength": 1, "maxLength": 200},
                "first_name": {"type": "string", "maxLength": 250},
                "last_name": {"type": "string", "maxLength": 250},
            },
            ["username", "email", "role"],
        ),
        response=_USER,
    ),
    Endpoint("DELETE", _PATH, delete_user, "Delete a user", "User", role=MANAGE_USERS, status=204),
    Endpoint(
        "POST",
        _PATH + "/tokens",
        post_user_token,
        "Create an API token for a user",
        "User",
        role=MANAGE_USERS,
        body=obj({"name": {"type": "string", "maxLength": 250}}),
        response=obj({"token": {"type": "string"}}),
    ),
)
