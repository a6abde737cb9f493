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
import signal
import time
from typing import TYPE_CHECKING

from sqlalchemy import and_, select, update

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.metastore.models import TaskInstance, TaskTry, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)
#: seconds between SIGTERM and SIGKILL for a try whose state was changed from outside
EXTERNAL_KILL_GRACE = 3.0


def heartbeat_try(settings: Settings, store_holder: list[Metastore], key: TryKey) -> None:
    """Stamp ``last_heartbeat`` of the try if it is still running (never touches its state);
    terminate its process when its state was set from outside."""
    try:
        if not store_holder:
            from tradewind.metastore.engine import Metastore

            store_holder.append(Metastore(settings.database.url, pool_size=1))
        with store_holder[0].session() as session:
            stamped = session.execute(
                update(TaskInstance)
                .where(
                    TaskInstance.dag_id == key.dag_id,
                    TaskInstance.run_id == key.run_id,
                    TaskInstance.task_id == key.task_id,
                    TaskInstance.map_index == key.map_index,
                    TaskInstance.try_number == key.try_number,
                    TaskInstance.state == TaskState.RUNNING.value,
                )
                .values(last_heartbeat=utcnow())
                .execution_options(synchronize_session=False)
            )
            changed = None if stamped.rowcount else _changed_from_outside(session, key)
        if changed is not None:
            state, pid = changed
            log.warning(
                "State of this instance has been externally set to %s. Terminating instance. (%s)",
                state,
                key,
            )
            _terminate(pid)
    except Exception:
        log.warning("could not heartbeat %s", key, exc_info=True)


def _changed_from_outside(session: Session, key: TryKey) -> tuple[str, int] | None:
    """The task instance's state and the try's process when the state was set from outside
    and that process is this worker's child; else None."""
    ti, tt = TaskInstance, TaskTry
    row = session.execute(
        select(tt.state, tt.pid, ti.state.label("ti_state"))
        .outerjoin(
            ti,
            and_(
                ti.dag_id == tt.dag_id,
                ti.run_id == tt.run_id,
                ti.task_id == tt.task_id,
                ti.map_index == tt.map_index,
            ),
        )
        .where(
            tt.dag_id == key.dag_id,
            tt.run_id == key.run_id,
            tt.task_id == key.task_id,
            tt.map_index == key.map_index,
            tt.try_number == key.try_number,
        )
    ).first()
    if row is None or row.state != TaskState.RUNNING.value or not row.pid:
        return None  # not claimed yet, or the try recorded its own end
    if not _is_own_running_child(row.pid):
        return None
    return row.ti_state or "removed", row.pid


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
    """SIGTERM the try's process group, SIGKILL it after the grace (the process stays
    unreaped: its waiter collects its exit status)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + EXTERNAL_KILL_GRACE
    while time.monotonic() < deadline and _is_own_running_child(pid):
        time.sleep(0.05)
    try:
        os.killpg(pid, signal.SIGKILL)  # the leader or anything it left in its group
    except ProcessLookupError:
        pass
