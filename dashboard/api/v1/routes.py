"""REST API routes under /api/v1: the endpoint table every route and the OpenAPI document come
from, plus ``/metrics``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from dashboard.api.v1.endpoint import Endpoint, route_for


def endpoints() -> tuple[Endpoint, ...]:
    """Every /api/v1 endpoint, in the order the routes are matched."""
    from dashboard.api.v1 import (
        connections,
        dags,
        health,
        import_errors,
        logs,
        openapi,
        pools,
        queues,
        runs,
        task_instances,
        users,
        variables,
        workers,
        xcoms,
    )

    return (
        *dags.ENDPOINTS,
        *runs.ENDPOINTS,
        *task_instances.ENDPOINTS,
        *logs.ENDPOINTS,
        *xcoms.ENDPOINTS,
        *variables.ENDPOINTS,
        *connections.ENDPOINTS,
        *pools.ENDPOINTS,
        *import_errors.ENDPOINTS,
        *workers.ENDPOINTS,
        *queues.ENDPOINTS,
        *users.ENDPOINTS,
        *health.ENDPOINTS,
        *openapi.ENDPOINTS,
    )


def api_routes() -> list[BaseRoute]:
    from dashboard.metrics import metrics

    return [
        *(route_for(endpoint) for endpoint in endpoints()),
        Route("/metrics", metrics, methods=["GET"], name="metrics"),
    ]
