"""Transport middleware: the worker end of the task-message schema.

:class:`TaskMessageValidation` checks every ``run_task_try`` message before anything else sees it.
A message that does not match the schema (another version, a missing or extra field) is
rejected, so the broker dead-letters it (``<queue>.XQ``) where it can be inspected; it is never
silently dropped and never reaches the claim.
"""

from __future__ import annotations

import logging
from typing import Any

from dramatiq.middleware import Middleware, SkipMessage

from broker_config.messages import ACTOR_NAME, InvalidTaskMessage, decode_task_message

log = logging.getLogger(__name__)
TRY_KEY_OPTION = "tradewind_try_key"


class TaskMessageValidation(Middleware):
    def before_process_message(self, broker: Any, message: Any) -> None:
        if message.actor_name != ACTOR_NAME:
            return
        try:
            if message.args:
                raise InvalidTaskMessage("task message has positional arguments")
            try_key = decode_task_message(message.kwargs)
        except InvalidTaskMessage as exc:
            log.error(
                "dead-lettering message %s on %s: %s", message.message_id, message.queue_name, exc
            )
            message.fail()
            raise SkipMessage(str(exc)) from None
        message.options[TRY_KEY_OPTION] = try_key
