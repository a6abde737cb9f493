"""Length-prefixed pickle frames between the worker and its try processes (a pipe each way)."""

from __future__ import annotations

import os
import pickle
import select
import struct
import time
from typing import Any

_LENGTH = struct.Struct("!I")
#: bytes asked of the pipe per read (a whole frame, mostly)
READ_SIZE = 65536
#: how often a reader checks that the process at the other end is alive while it waits
ALIVE_CHECK_SECONDS = 0.5


class Deadline(Exception):
    """The other end sent nothing before the reader's deadline."""


def send(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def receive(fd: int, pid: int | None, deadline: float | None = None) -> Any:
    """The next frame on ``fd``: None at end of file or when process ``pid`` exited.

    Raises :class:`Deadline` when ``deadline`` (a ``time.monotonic()`` value) passes first.
    """
    try:
        head = _read_exact(fd, _LENGTH.size, pid, deadline)
        if head is None:
            return None
        size = _LENGTH.unpack(head[: _LENGTH.size])[0]
        body = head[_LENGTH.size :]
        if len(body) < size:
            rest = _read_exact(fd, size - len(body), pid, None)
            if rest is None:
                return None
            body += rest
        return pickle.loads(body)
    except (OSError, ChildProcessError, EOFError, pickle.UnpicklingError):
        return None


def _read_exact(fd: int, size: int, pid: int | None, deadline: float | None) -> bytes | None:
    """At least ``size`` bytes, and whatever else the pipe holds of the same frame (a frame
    usually arrives whole: one read instead of two). Only one frame is ever in flight on a
    pipe (each side waits for the other's answer), so nothing of the next one is read."""
    chunks: list[bytes] = []
    while size > 0:
        if pid is not None:  # a grandchild may hold the pipe open: watch the process itself
            wait = ALIVE_CHECK_SECONDS
            if deadline is not None:
                wait = max(0.0, min(wait, deadline - time.monotonic()))
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                if exited(pid):
                    ready, _, _ = select.select([fd], [], [], 0)  # take what it wrote
                    if not ready:
                        return None
                elif deadline is not None and time.monotonic() >= deadline:
                    raise Deadline()
                else:
                    continue
        chunk = os.read(fd, max(size, READ_SIZE))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def exited(pid: int) -> bool:
    """Whether child process ``pid`` has exited (it stays waitable for its reaper)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True
