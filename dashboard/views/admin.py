"""Admin pages: connections (passwords never shown), variables (sensitive values masked), pools
(slots and their use), users. Op edits the first three, Admin manages users (Airflow's roles);
viewing connections and variables needs Op too, as in Airflow."""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from dashboard.auth.permissions import EDIT_ADMIN, MANAGE_USERS, READ, require
from dashboard.views.page import db, flash, guard_action, login_required, redirect, render
from tradewind.errors import TradewindError
from tradewind.runtime.secrets_masker import redact_value, should_mask_key

MASK = "***"


async def _act(request: Request, role: str, work: Any, back: str) -> Response:
    """Run a form's write in a thread; a TradewindError becomes a red message, nothing stored."""
    form = await guard_action(request, role)
    try:
        message = await run_in_threadpool(work, form)
    except TradewindError as exc:
        flash(request, str(exc), "error")
    else:
        flash(request, message)
    return redirect(back)


# -- connections ---------------------------------------------------------------------------


def _extra_shown(extra: str | None) -> str:
    if not extra:
        return ""
    try:
        return json.dumps(redact_value(json.loads(extra)), sort_keys=True)
    except (ValueError, TypeError):
        return MASK


@login_required
def connections(request: Request) -> Response:
    require(request, EDIT_ADMIN)
    from tradewind.metastore.connections import list_connections

    with db(request) as session:
        rows = [
            {
                "conn_id": c.conn_id,
                "conn_type": c.conn_type or "",
                "host": c.host or "",
                "schema": c.schema or "",
                "login": c.login or "",
                "port": c.port or "",
                "has_password": bool(c.password),
                "extra": _extra_shown(c.extra),
                "description": c.description or "",
            }
            for c in list_connections(session)
        ]
    return render(request, "admin_connections.html", {"rows": rows})


async def connection_save(request: Request) -> Response:
    def work(form: dict[str, str]) -> str:
        from tradewind.metastore.connections import add_connection, get_connection
        from tradewind.sdk.connection import Connection

        conn_id = form.get("conn_id", "").strip()
        port = form.get("port", "").strip()
        if port and not port.isdigit():
            raise TradewindError(f"port must be a number, not {port!r}")
        extra = form.get("extra", "").strip() or None
        if extra:
            try:
                json.loads(extra)
            except ValueError:
                raise TradewindError("extra must be valid JSON") from None
        with db(request) as session:
            existing = get_connection(session, conn_id) if conn_id else None
            password = form.get("password") or (existing.password if existing else None)
            add_connection(
                session,
                Connection(
                    conn_id=conn_id,
                    conn_type=form.get("conn_type", "").strip() or None,
                    description=form.get("description") or None,
                    host=form.get("host") or None,
                    login=form.get("login") or None,
                    password=password,
                    schema=form.get("schema") or None,
                    port=int(port) if port else None,
                    extra=extra,
                ),
                replace=True,
            )
        return f"Saved connection {conn_id}"

    return await _act(request, EDIT_ADMIN, work, "/admin/connections")


async def connection_delete(request: Request) -> Response:
    conn_id = request.path_params["conn_id"]

    def work(_form: dict[str, str]) -> str:
        from tradewind.metastore.connections import delete_connection

        with db(request) as session:
            gone = delete_connection(session, conn_id)
        return f"Deleted connection {conn_id}" if gone else f"No connection {conn_id}"

    return await _act(request, EDIT_ADMIN, work, "/admin/connections")


# -- variables -----------------------------------------------------------------------------


@login_required
def variables(request: Request) -> Response:
    require(request, EDIT_ADMIN)
    from tradewind.metastore.variables import list_variables

    with db(request) as session:
        rows = [
            {
                "key": v.key,
                "val": MASK if should_mask_key(v.key) else v.val,
                "masked": should_mask_key(v.key),
                "description": v.description or "",
                "is_encrypted": v.is_encrypted,
            }
            for v in list_variables(session)
        ]
    return render(request, "admin_variables.html", {"rows": rows})


async def variable_save(request: Request) -> Response:
    def work(form: dict[str, str]) -> str:
        from tradewind.metastore.variables import set_variable

        key = form.get("key", "").strip()
        if not key:
            raise TradewindError("a variable needs a key")
        with db(request) as session:
            set_variable(session, key, form.get("val", ""), form.get("description") or None)
        return f"Saved variable {key}"

    return await _act(request, EDIT_ADMIN, work, "/admin/variables")


async def variable_delete(request: Request) -> Response:
    key = request.path_params["key"]

    def work(_form: dict[str, str]) -> str:
        from tradewind.metastore.variables import delete_variable

        with db(request) as session:
            delete_variable(session, key)
        return f"Deleted variable {key}"

    return await _act(request, EDIT_ADMIN, work, "/admin/variables")


# -- pools ---------------------------------------------------------------------------------


@login_required
def pools(request: Request) -> Response:
    require(request, READ)
    from tradewind.metastore.pools import pool_stats

    with db(request) as session:
        rows = list(pool_stats(session).values())
    return render(request, "admin_pools.html", {"rows": rows})


async def pool_save(request: Request) -> Response:
    def work(form: dict[str, str]) -> str:
        from tradewind.metastore.pools import set_pool

        name = form.get("pool", "").strip()
        raw = form.get("slots", "").strip()
        try:
            slots = int(raw)
        except ValueError:
            raise TradewindError(f"slots must be a whole number, not {raw!r}") from None
        with db(request) as session:
            set_pool(session, name, slots, form.get("description") or None)
        return f"Saved pool {name}"

    return await _act(request, EDIT_ADMIN, work, "/admin/pools")


async def pool_delete(request: Request) -> Response:
    name = request.path_params["name"]

    def work(_form: dict[str, str]) -> str:
        from tradewind.metastore.pools import delete_pool

        with db(request) as session:
            delete_pool(session, name)
        return f"Deleted pool {name}"

    return await _act(request, EDIT_ADMIN, work, "/admin/pools")


# -- users ---------------------------------------------------------------------------------


@login_required
def users(request: Request) -> Response:
    require(request, MANAGE_USERS)
    from tradewind.metastore.users import ROLES, list_users

    with db(request) as session:
        rows = [
            {
                "username": u.username,
                "email": u.email,
                "role": u.role,
                "active": u.active,
                "last_login": u.last_login,
            }
            for u in list_users(session)
        ]
    new_password = request.session.pop("new_password", None)
    return render(
        request, "admin_users.html", {"rows": rows, "roles": ROLES, "new_password": new_password}
    )


async def user_create(request: Request) -> Response:
    def work(form: dict[str, str]) -> str:
        from tradewind.metastore.users import create_user

        username = form.get("username", "").strip()
        with db(request) as session:
            _, generated = create_user(
                session,
                username,
                email=form.get("email", "").strip(),
                role=form.get("role", "Viewer"),
                password=form.get("password") or None,
            )
        if generated:
            request.session["new_password"] = {"username": username, "password": generated}
        return f"Created user {username}"

    return await _act(request, MANAGE_USERS, work, "/admin/users")


async def user_action(request: Request) -> Response:
    username = request.path_params["username"]
    action = request.path_params["action"]

    def work(form: dict[str, str]) -> str:
        from tradewind.metastore.users import delete_user, reset_password

        with db(request) as session:
            if action == "delete":
                if username == request.state.user.username:
                    raise TradewindError("you cannot delete your own account")
                delete_user(session, username)
                return f"Deleted user {username}"
            if action == "reset-password":
                password = reset_password(session, username, form.get("password") or None)
                if not form.get("password"):
                    request.session["new_password"] = {"username": username, "password": password}
                return f"Reset the password of {username}"
        raise TradewindError(f"unknown action {action!r}")

    return await _act(request, MANAGE_USERS, work, "/admin/users")
