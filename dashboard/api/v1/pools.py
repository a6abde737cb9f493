"""Pools: slots and how they are used (occupied = running + queued, open). Every role reads
them (Airflow's Viewer has ``can_read`` on Pools); Op creates, edits and deletes them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from dashboard.api.v1.endpoint import Call, Endpoint
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import INT32, NULLABLE_STRING, collection, obj
from dashboard.auth.permissions import EDIT_ADMIN
from dashboard.errors import ApiError
from tradewind.metastore.models import Pool, TaskInstance

_COUNTED = ("running", "queued", "scheduled")


def _usage(call: Call, names: list[str]) -> dict[tuple[str, str], int]:
    if not names:
        return {}
    rows = call.session.execute(
        select(TaskInstance.pool, TaskInstance.state, func.sum(TaskInstance.pool_slots))
        .where(TaskInstance.state.in_(_COUNTED), TaskInstance.pool.in_(names))
        .group_by(TaskInstance.pool, TaskInstance.state)
    )
    return {(pool, state): int(used or 0) for pool, state, used in rows}


def pool_json(pool: Pool, usage: dict[tuple[str, str], int]) -> dict[str, Any]:
    running = usage.get((pool.pool, "running"), 0)
    queued = usage.get((pool.pool, "queued"), 0)
    return {
        "name": pool.pool,
        "slots": pool.slots,
        "occupied_slots": running + queued,
        "running_slots": running,
        "queued_slots": queued,
        "scheduled_slots": usage.get((pool.pool, "scheduled"), 0),
        "open_slots": -1 if pool.slots == -1 else max(pool.slots - running - queued, 0),
        "description": pool.description,
    }


def _find(call: Call, name: str) -> Pool:
    pool = call.session.scalar(select(Pool).where(Pool.pool == name))
    if pool is None:
        raise ApiError(404, f"pool {name!r} not found")
    return pool


def _one(call: Call, pool: Pool) -> dict[str, Any]:
    return pool_json(pool, _usage(call, [pool.pool]))


def get_pools(call: Call) -> dict[str, Any]:
    rows, total = page(call.session, select(Pool).order_by(Pool.pool), [], call, count_from=Pool)
    pools = [r[0] for r in rows]
    usage = _usage(call, [p.pool for p in pools])
    return {"pools": [pool_json(p, usage) for p in pools], "total_entries": total}


def get_pool(call: Call) -> dict[str, Any]:
    return _one(call, _find(call, call.path["pool_name"]))


def post_pool(call: Call) -> dict[str, Any]:
    from tradewind.metastore.pools import set_pool

    body = call.body
    if call.session.scalar(select(Pool.id).where(Pool.pool == body["name"])) is not None:
        raise ApiError(409, f"pool {body['name']!r} already exists")
    return _one(call, set_pool(call.session, body["name"], body["slots"], body.get("description")))


def patch_pool(call: Call) -> dict[str, Any]:
    from tradewind.metastore.pools import set_pool

    pool = _find(call, call.path["pool_name"])
    slots = call.body.get("slots", pool.slots)
    return _one(call, set_pool(call.session, pool.pool, slots, call.body.get("description")))


def delete_pool(call: Call) -> None:
    from tradewind.metastore.pools import delete_pool as delete

    _find(call, call.path["pool_name"])
    delete(call.session, call.path["pool_name"])


_POOL = obj({"name": {"type": "string"}, "slots": INT32, "open_slots": INT32})
_PATH = "/pools/{pool_name}"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/pools",
        get_pools,
        "List pools with their slot usage",
        "Pool",
        query=PAGE_PARAMS,
        response=collection("pools", _POOL),
    ),
    Endpoint("GET", _PATH, get_pool, "Get a pool", "Pool", response=_POOL),
    Endpoint(
        "POST",
        "/pools",
        post_pool,
        "Create a pool",
        "Pool",
        role=EDIT_ADMIN,
        body=obj(
            {
                "name": {"type": "string", "minLength": 1, "maxLength": 256},
                "slots": INT32,
                "description": NULLABLE_STRING,
            },
            ["name", "slots"],
        ),
        response=_POOL,
    ),
    Endpoint(
        "PATCH",
        _PATH,
        patch_pool,
        "Change a pool's slots or description",
        "Pool",
        role=EDIT_ADMIN,
        body=obj({"slots": INT32, "description": NULLABLE_STRING}),
        response=_POOL,
    ),
    Endpoint(
        "DELETE",
        _PATH,
        delete_pool,
        "Delete a pool (not default_pool)",
        "Pool",
        role=EDIT_ADMIN,
        status=204,
    ),
)
