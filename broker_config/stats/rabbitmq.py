"""RabbitMQ queue statistics.

Depth and consumers come from a passive ``queue.declare`` (``message_count`` counts ready
messages only, ``consumer_count`` the consumers). Unacknowledged (in-flight) messages are only
known to the management API; when ``management_url`` is given (``http://user:pw@host:15672``)
it is asked, otherwise ``in_flight`` is None. A passive declare of a missing queue closes the
channel (404), so each missing queue costs a fresh channel and counts as empty.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from base64 import b64encode
from collections.abc import Sequence
from typing import Any

import pika
import pika.exceptions
from dramatiq.common import xq_name

from broker_config.stats.base import QueueStat

log = logging.getLogger(__name__)


class RabbitmqQueueStats:
    def __init__(self, broker: Any, *, management_url: str | None = None) -> None:
        self.parameters = broker.parameters
        self.management_url = management_url
        self._connection: pika.BlockingConnection | None = None
        self._channel: Any = None

    def _chan(self) -> Any:
        if self._connection is None or not self._connection.is_open:
            self._connection = pika.BlockingConnection(self.parameters)
            self._channel = None
        if self._channel is None or not self._channel.is_open:
            self._channel = self._connection.channel()
        return self._channel

    def _passive(self, name: str) -> tuple[int, int]:
        try:
            ok = self._chan().queue_declare(queue=name, passive=True)
            return ok.method.message_count, ok.method.consumer_count
        except pika.exceptions.ChannelClosedByBroker as exc:
            self._channel = None
            if exc.reply_code == 404:
                return 0, 0
            raise

    def _unacked(self) -> dict[str, int] | None:
        if not self.management_url:
            return None
        parts = urllib.parse.urlsplit(self.management_url)
        vhost = urllib.parse.quote(getattr(self.parameters, "virtual_host", "/"), safe="")
        netloc = parts.hostname or "127.0.0.1"
        if parts.port:
            netloc += f":{parts.port}"
        url = f"{parts.scheme}://{netloc}/api/queues/{vhost}?columns=name,messages_unacknowledged"
        request = urllib.request.Request(url)
        user, password = parts.username or "guest", parts.password or "guest"
        token = b64encode(f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}".encode())
        request.add_header("Authorization", "Basic " + token.decode())
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                rows = json.loads(response.read())
        except Exception:
            log.debug("RabbitMQ management API unavailable", exc_info=True)
            return None
        return {row["name"]: int(row.get("messages_unacknowledged") or 0) for row in rows}

    def stats(self, queues: Sequence[str]) -> list[QueueStat]:
        unacked = self._unacked()
        out = []
        for name in queues:
            depth, consumers = self._passive(name)
            dead, _ = self._passive(xq_name(name))
            in_flight = None if unacked is None else unacked.get(name, 0)
            out.append(QueueStat(name, depth, in_flight, consumers, dead))
        return out

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.close()
            except Exception:
                pass
        self._connection = None
