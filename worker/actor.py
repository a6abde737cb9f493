"""The one dramatiq actor, ``run_task_try``.

Every task message names it; only the message's queue differs (routing sets it per message).
``max_retries=0``: retries are Tradewind's (``retries`` on the task, decided by the runtime and
the scheduler), never dramatiq's. By the time the actor runs, the validation and claim middleware
have checked the message and recorded the try as running here; the actor hands it to the
worker's dispatcher, which claims it and runs it in a try process (``worker.process``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from broker_config.messages import ACTOR_NAME, decode_task_message
from worker.intake import current_try

if TYPE_CHECKING:
    from dramatiq import Actor, Broker

    from worker.process import TryProcessRunner


def declare_actor(broker: Broker, runner: TryProcessRunner, queue_name: str) -> Actor:
    """Register ``run_task_try`` on ``broker`` (no global broker is touched)."""
    import dramatiq

    def run_task_try(**payload: Any) -> None:
        try_key = decode_task_message(payload)
        incoming = current_try()
        if incoming is None or incoming.try_key != try_key:
            return  # not taken by this thread: nothing to run
        incoming.notified = runner.run_message(try_key, incoming.message)

    return dramatiq.actor(
        run_task_try,
        actor_name=ACTOR_NAME,
        queue_name=queue_name,
        max_retries=0,
        broker=broker,
    )
