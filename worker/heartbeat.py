"""Heartbeats of the tries this worker runs: one bulk UPDATE of ``last_heartbeat`` per interval.

The scheduler's zombie detection retries or fails a running try whose heartbeat is older than
``scheduler.zombie_threshold``; a worker that is killed stops heartbeating (and its try
processes die with it), so its tries are found. Only ``last_heartbeat`` is written here, and only
while the row is ``running`` at that try number: never a state.

A try whose row the UPDATE missed was changed from outside while it ran (marked success or
failed, cleared, skipped by ``dagrun_timeout``), as Airflow's ``LocalTaskJob`` finds in its
heartbeat: :func:`heartbeat_tries` returns those, and the worker terminates their processes. The
new state is already written by whoever changed it. A try that recorded its own end (its history
row says how it ended) is not among them: its process may still be running its callbacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tradewind.core.keys import TryKey
from tradewind.metastore.heartbeats import stamp_heartbeats

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def heartbeat_tries(session: Session, keys: Sequence[TryKey]) -> dict[TryKey, str]:
    """Stamp ``last_heartbeat`` on the running rows of ``keys``; returns the tries whose state
    was set from outside (not ``running`` at that try number any more), with that state."""
    return {key: changed.state for key, changed in stamp_heartbeats(session, keys).items()}
