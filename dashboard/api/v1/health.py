"""Health (no login needed): the metastore, the latest scheduler heartbeat, the broker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text

from dashboard.api.v1.convert import iso
from dashboard.api.v1.endpoint import Call, Endpoint
from dashboard.api.v1.schemas import obj
from tradewind.metastore.models import SchedulerJob, utcnow

#: a scheduler whose heartbeat is older than this is unhealthy (Airflow's default is 30 s)
SCHEDULER_HEALTH_THRESHOLD = timedelta(seconds=30)


def get_health(call: Call) -> dict[str, Any]:
    try:
        call.session.execute(text("SELECT 1"))
        latest = call.session.scalar(select(func.max(SchedulerJob.last_heartbeat)))
    except Exception as exc:  # the metastore is down: say so, do not fail
        call.session.rollback()
        return {
            "metadatabase": {"status": "unhealthy", "error": type(exc).__name__},
            "scheduler": {"status": "unknown", "latest_scheduler_heartbeat": None},
            "broker": _broker(call),
        }
    healthy = latest is not None and utcnow() - latest <= SCHEDULER_HEALTH_THRESHOLD
    return {
        "metadatabase": {"status": "healthy"},
        "scheduler": {
            "status": "healthy" if healthy else "unhealthy",
            "latest_scheduler_heartbeat": iso(latest),
        },
        "broker": _broker(call),
    }


def _broker(call: Call) -> dict[str, Any]:
    from broker_config.urls import parse_broker_url
    from dashboard.fleet_stats import broker_stats_for

    url = call.settings.broker.url or "memory://"
    try:
        masked = parse_broker_url(url).masked
    except Exception:
        masked = "?"
    broker = broker_stats_for(call.request.app.state, call.settings)
    if broker is None:
        return {"status": "healthy", "url": masked, "kind": "memory"}
    stats = broker.stats(call.settings, [call.settings.broker.default_queue])
    status = "healthy" if stats is not None else "unhealthy"
    return {"status": status, "url": masked, "error": broker.last_error}


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/health",
        get_health,
        "Health of the metastore, scheduler and broker (no login needed)",
        "Monitoring",
        role=None,
        response=obj({"metadatabase": {"type": "object"}, "scheduler": {"type": "object"}}),
    ),
)
