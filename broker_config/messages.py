"""The task message: which try to run, and nothing that can go stale.

A message carries exactly ``{"v": 1, "dag_id", "run_id", "task_id", "map_index",
"try_number"}`` as the keyword arguments of the one dramatiq actor, ``run_task_try``.
Everything else (the operator, its arguments, the pool, the DAG file) is read from the
metastore when the try is claimed, so a message that waited in a queue cannot carry an outdated
copy of it. Both ends validate: the scheduler before publishing, the worker before claiming; a
message that fails validation on the worker is dead-lettered (``<queue>.XQ``), never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tradewind.core.keys import TryKey
from tradewind.errors import BrokerError

#: The schema version this code writes and accepts.
MESSAGE_VERSION = 1
#: The actor every task message is addressed to.
ACTOR_NAME = "run_task_try"
_FIELDS: dict[str, type] = {
    "dag_id": str,
    "run_id": str,
    "task_id": str,
    "map_index": int,
    "try_number": int,
}
KEYS = frozenset({"v", *_FIELDS})


class InvalidTaskMessage(BrokerError):
    """A task message does not match the schema (wrong version, missing or extra fields)."""

    hint = "the message was dead-lettered; check that scheduler and workers run the same version"


def encode_task_message(try_key: TryKey) -> dict[str, Any]:
    """The payload for one try, validated before it leaves the scheduler."""
    payload = {"v": MESSAGE_VERSION, **try_key._asdict()}
    decode_task_message(payload)
    return payload


def decode_task_message(payload: Mapping[str, Any]) -> TryKey:
    """Validate a received payload and return its try key; raises InvalidTaskMessage."""
    if not isinstance(payload, Mapping):
        raise InvalidTaskMessage(f"task message is a {type(payload).__name__}, not an object")
    version = payload.get("v")
    if version != MESSAGE_VERSION:
        raise InvalidTaskMessage(
            f"task message has schema version {version!r}; this worker reads {MESSAGE_VERSION}"
        )
    keys = set(payload)
    if keys != KEYS:
        missing = ", ".join(sorted(KEYS - keys)) or "-"
        extra = ", ".join(sorted(keys - KEYS)) or "-"
        raise InvalidTaskMessage(f"task message fields wrong (missing: {missing}; extra: {extra})")
    for name, kind in _FIELDS.items():
        value = payload[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidTaskMessage(
                f"task message field {name} = {value!r} is not a {kind.__name__}"
            )
        if kind is str and not value:
            raise InvalidTaskMessage(f"task message field {name} is empty")
    if payload["try_number"] < 1:
        raise InvalidTaskMessage(f"task message try_number {payload['try_number']} is below 1")
    if payload["map_index"] < -1:
        raise InvalidTaskMessage(f"task message map_index {payload['map_index']} is below -1")
    return TryKey(*(payload[name] for name in _FIELDS))
