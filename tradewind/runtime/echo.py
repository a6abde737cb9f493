"""Where ``dag.test()`` and ``tradewind dags test -v`` echo the tries' log lines as they come.

While a try runs, ``sys.stdout`` and ``sys.stderr`` route its thread's writes into its log
(``tradewind.runtime.task_log``), so the echo must write to the stream they wrap, and must not
fail: ``logging`` reports a failed write on ``sys.stderr``, which is that same log, echoed again.
"""

from __future__ import annotations

import io
import sys
from typing import Any, TextIO


class _Stdout:
    """The default echo of ``run_dag_test``: this process's standard output."""

    def __repr__(self) -> str:
        return "STDOUT"


STDOUT: Any = _Stdout()


class EchoStream(io.TextIOBase):
    """``stream`` for a try's log handler; stops echoing once a write fails (a closed pipe,
    e.g. ``| head``), as the run itself goes on."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._broken = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not self._broken:
            try:
                self._stream.write(text)
            except (OSError, ValueError):
                self._broken = True
        return len(text)

    def flush(self) -> None:
        if not self._broken:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._broken = True


def echo_stream(echo: TextIO | None) -> TextIO | None:
    """What the tries' logs are echoed to for ``echo`` (:data:`STDOUT`: ``sys.stdout``); a
    stream that routes tries' prints gives the stream it wraps."""
    if echo is None:
        return None
    if echo is STDOUT:
        echo = sys.stdout
    return EchoStream(getattr(echo, "original", echo))
