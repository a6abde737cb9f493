"""Heartbeats of running tries: what tells the zombie detector a live try from a lost one."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import update

from tradewind.core.keys import TryKey
from tradewind.core.states import TaskState
from tradewind.metastore.models import TaskInstance, utcnow

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)


def heartbeat_try(settings: Settings, store_holder: list[Metastore], key: TryKey) -> None:
    """Stamp ``last_heartbeat`` of the try if it is still running (never touches its state)."""
    try:
        if not store_holder:
            from tradewind.metastore.engine import Metastore

            store_holder.append(Metastore(settings.database.url, pool_size=1))
        with store_holder[0].session() as session:
            session.execute(
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
    except Exception:
        log.warning("could not heartbeat %s", key, exc_info=True)
