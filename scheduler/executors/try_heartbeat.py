"""Heartbeats of running tries: what tells the zombie detector a live try from a lost one.

A try whose row is no longer ``running`` at its try number was changed from outside while it ran
(marked success or failed, cleared, skipped by ``dagrun_timeout``): as Airflow's heartbeat does,
its process is terminated (SIGTERM, then SIGKILL after ``EXTERNAL_KILL_GRACE`` seconds). Nothing
else is written: the new state is already there. A try whose history row says how it ended
recorded that itself, and its process may still be running callbacks: it is left alone.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from tradewind.core.keys import TryKey
from tradewind.metastore.heartbeats import stamp_heartbeats
from tradewind.runtime.process_groups import EXTERNAL_KILL_GRACE, terminate_group

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


def heartbeat_try(settings: Settings, store_holder: list[Metastore], key: TryKey) -> None:
    """Stamp ``last_heartbeat`` of the try if it is still running (never touches its state);
    terminate its process when its state was set from outside."""
    try:
        if not store_holder:
            from tradewind.metastore.engine import Metastore

            store_holder.append(Metastore(settings.database.url, pool_size=1))
        with store_holder[0].session() as session:
            changed = stamp_heartbeats(session, [key]).get(key)
        if changed is not None and changed.pid and _is_own_running_child(changed.pid):
            log.warning(
                "State of this instance has been externally set to %s. Terminating instance. (%s)",
                changed.state,
                key,
            )
            _terminate(changed.pid)
    except Exception:
        log.warning("could not heartbeat %s", key, exc_info=True)


def _is_own_running_child(pid: int) -> bool:
    """``pid`` is a child of this process that leads its own process group and has not exited
    (the try's process: the pid in the history row is never another host's or a reused one)."""
    try:
        if os.getpgid(pid) != pid:
            return False
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except (ChildProcessError, ProcessLookupError, PermissionError):
        return False


def _terminate(pid: int) -> None:
    """Stop the try's process group (its leader stays unreaped: its waiter collects its exit
    status, so the pid cannot be reused meanwhile)."""
    terminate_group(pid, EXTERNAL_KILL_GRACE, running=lambda: _is_own_running_child(pid))
