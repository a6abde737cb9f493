"""Restricting a scheduler loop to some runs of one DAG (what a backfill drives)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass
class RunFilter:
    """Only these runs are advanced and queued; ``is_paused`` is ignored for them."""

    dag_id: str
    run_ids: Collection[str]
