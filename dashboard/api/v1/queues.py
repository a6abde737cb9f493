"""Queues (depth, in flight, consumers, rates) and the fleet's throughput over time."""

from __future__ import annotations

from typing import Any

from dashboard.api.v1.endpoint import Call, Endpoint, Param
from dashboard.api.v1.schemas import obj
from dashboard.fleet_stats import broker_stats_for, queue_stats, throughput, worker_counts


def get_queues(call: Call) -> dict[str, Any]:
    broker = broker_stats_for(call.request.app.state, call.settings)
    rows = queue_stats(call.settings, call.session, broker)
    return {
        "queues": rows,
        "total_entries": len(rows),
        "broker_error": broker.last_error if broker is not None else None,
    }


def get_fleet_stats(call: Call) -> dict[str, Any]:
    """Per-minute buckets for the fleet monitor's charts, and the window's totals."""
    buckets = throughput(call.session, minutes=call.query["minutes"])
    success = sum(b["success"] for b in buckets)
    failed = sum(b["failed"] for b in buckets)
    done = success + failed
    return {
        "minutes": call.query["minutes"],
        "buckets": buckets,
        "throughput_per_min": round(done / len(buckets), 2),
        "failure_rate": round(100.0 * failed / done, 2) if done else 0.0,
        "workers": worker_counts(call.session),
    }


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/queues",
        get_queues,
        "List queues with depth, in flight, consumers and rates per minute",
        "Fleet",
        response=obj({"queues": {"type": "array", "items": {"type": "object"}}}),
    ),
    Endpoint(
        "GET",
        "/fleet/stats",
        get_fleet_stats,
        "Throughput and failure rate per minute",
        "Fleet",
        query=(
            Param("minutes", "integer", "Minutes of history.", default=30, minimum=1, maximum=1440),
        ),
        response=obj({"buckets": {"type": "array", "items": {"type": "object"}}}),
    ),
)
