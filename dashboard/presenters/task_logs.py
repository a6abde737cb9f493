"""A try's log, from byte ``offset`` on: the local file when this machine has it, else the log
server of the worker that ran the try (``broker_config.log_client``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.config import Settings
from tradewind.core.keys import TryKey
from tradewind.errors import TradewindError
from tradewind.metastore.models import Worker
from tradewind.runtime.task_log import try_log_path, try_log_relpath

#: the most one request returns, so a huge log streams in pieces
MAX_CHUNK = 512 * 1024


@dataclass(frozen=True)
class LogRead:
    text: str
    next_offset: int
    #: where it came from ("local file", "worker w1") or why nothing came
    source: str
    found: bool


def read_try_log(
    settings: Settings,
    session: Session,
    key: TryKey,
    *,
    worker_name: str | None,
    offset: int = 0,
) -> LogRead:
    path = try_log_path(settings.logging.base_log_folder, key)
    if path.is_file():
        return _read_local(path, offset)
    if worker_name:
        url = session.scalar(select(Worker.log_server_url).where(Worker.name == worker_name))
        if url:
            return _read_remote(settings, url, key, offset, worker_name)
    return LogRead("", offset, "no log yet", False)


def _read_local(path: Path, offset: int) -> LogRead:
    with open(path, "rb") as handle:
        handle.seek(offset)
        data = handle.read(MAX_CHUNK)
    data = _whole_characters(data)
    return LogRead(data.decode("utf-8", errors="replace"), offset + len(data), "local file", True)


def _read_remote(
    settings: Settings, url: str, key: TryKey, offset: int, worker_name: str
) -> LogRead:
    from broker_config.log_client import fetch_log

    try:
        chunk = fetch_log(url, try_log_relpath(key), settings.core.secret_key, offset=offset)
    except TradewindError as exc:
        return LogRead("", offset, f"worker {worker_name}: {exc.message}", False)
    return LogRead(chunk.text, chunk.next_offset, f"worker {worker_name}", True)


def _whole_characters(data: bytes) -> bytes:
    """Drop a UTF-8 sequence cut at the end of a chunk (the next read starts with it)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start]
    return data
