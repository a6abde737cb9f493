"""The log of one try: a file per try, with timestamps and secrets masked.

``{base_log_folder}/dag_id=X/run_id=Y/task_id=Z/[map_index=N/]attempt=N.log``, as Airflow lays
them out. While a try runs, log records from its thread (the task's own ``logging`` calls and
Tradewind's) and whatever it prints to stdout/stderr go to that file. Several tries may run at
once in one process (worker threads): records are routed by thread.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from tradewind.core.keys import TryKey
from tradewind.runtime.secrets_masker import SecretsMaskFilter, redact

LOG_FORMAT = "[%(asctime)s] {%(filename)s:%(lineno)d} %(levelname)s - %(message)s"
#: the logger Tradewind's runtime and operators write task messages to
TASK_LOGGER = "tradewind.task"

_local = threading.local()
_install_lock = threading.Lock()
# a try process is forked from a threaded worker: no other thread may hold this lock at fork
os.register_at_fork(
    before=_install_lock.acquire,
    after_in_parent=_install_lock.release,
    after_in_child=_install_lock.release,
)
_active = 0
_router: _RouterHandler | None = None


def try_log_relpath(key: TryKey) -> str:
    """The path of a try's log, relative to the base log folder."""
    parts = [f"dag_id={key.dag_id}", f"run_id={key.run_id}", f"task_id={key.task_id}"]
    if key.map_index >= 0:
        parts.append(f"map_index={key.map_index}")
    parts.append(f"attempt={key.try_number}.log")
    return os.path.join(*parts)


def try_log_path(base_log_folder: str | os.PathLike[str], key: TryKey) -> Path:
    return Path(base_log_folder) / try_log_relpath(key)


class _IsoFormatter(logging.Formatter):
    """Airflow's timestamp style: ``2024-01-01T10:00:00.123+0000``."""

    #: the second of the last record, and its formatted date-time and UTC offset
    _second: tuple[int, str, str] = (-1, "", "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        second, stamp, offset = _IsoFormatter._second
        if int(record.created) != second:  # lines mostly share their second, across tries
            from datetime import datetime

            second = int(record.created)
            moment = datetime.fromtimestamp(second).astimezone()
            stamp, offset = moment.strftime("%Y-%m-%dT%H:%M:%S."), moment.strftime("%z")
            _IsoFormatter._second = (second, stamp, offset)
        return f"{stamp}{int(record.msecs):03d}{offset}"


class _RouterHandler(logging.Handler):
    """On the root logger: hands each record to the handler of the try running in its thread."""

    def emit(self, record: logging.LogRecord) -> None:
        handlers: list[logging.Handler] | None = getattr(_local, "handlers", None)
        if not handlers:
            return
        for handler in handlers:
            if record.levelno >= handler.level:
                handler.handle(record)


class _StreamToLog(io.TextIOBase):
    """A file-like object that turns written lines into log records (stdout / stderr)."""

    def __init__(self, logger: logging.Logger, level: int) -> None:
        self._logger = logger
        self._level = level
        self._buffer = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            self._logger.log(self._level, line.rstrip("\r"))
        return len(text)

    def flush(self) -> None:
        if self._buffer:
            line, self._buffer = self._buffer, ""
            self._logger.log(self._level, line)


class _ThreadRoutedStream(io.TextIOBase):
    """Replaces sys.stdout / sys.stderr while tries run: the writes of a thread that runs a try
    go to its log, every other thread's to the original stream."""

    def __init__(self, original: TextIO, name: str) -> None:
        self.original = original
        self._name = name

    def _target(self) -> Any:
        streams = getattr(_local, "streams", None)
        return streams[self._name] if streams else self.original

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return False if getattr(_local, "streams", None) else self.original.isatty()

    def fileno(self) -> int:
        return self.original.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.original, "encoding", "utf-8")


def _install() -> None:
    global _active, _router
    with _install_lock:
        _active += 1
        if _active > 1:
            return
        root = logging.getLogger()
        if _router is None:
            _router = _RouterHandler(level=logging.DEBUG)
        if _router not in root.handlers:
            root.addHandler(_router)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)  # tasks' logging.info(...) must reach their log
        task_logger = logging.getLogger(TASK_LOGGER)
        if task_logger.level == logging.NOTSET:
            task_logger.setLevel(logging.INFO)
        for name in ("stdout", "stderr"):
            current = getattr(sys, name)
            if not isinstance(current, _ThreadRoutedStream):
                setattr(sys, name, _ThreadRoutedStream(current, name))


def _uninstall() -> None:
    global _active
    with _install_lock:
        _active -= 1
        if _active > 0:
            return
        root = logging.getLogger()
        if _router is not None and _router in root.handlers:
            root.removeHandler(_router)
        for name in ("stdout", "stderr"):
            current = getattr(sys, name)
            if isinstance(current, _ThreadRoutedStream):
                setattr(sys, name, current.original)


class _TryFileHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler of one try's file. A thread reuses its handlers from try to try (only the
    file changes): creating and closing a ``logging`` handler per try cost more than a no-op
    task."""

    def __init__(self) -> None:
        super().__init__(None)
        self.setFormatter(_IsoFormatter(LOG_FORMAT))
        self.addFilter(SecretsMaskFilter())
        self.setLevel(logging.DEBUG)

    def open_file(self, path: str) -> None:
        self.stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close_file)

    def close_file(self) -> None:
        self.acquire()
        try:
            stream, self.stream = self.stream, None
            if stream is not None:
                stream.close()
        finally:
            self.release()


def _take_handler() -> _TryFileHandler:
    free: list[_TryFileHandler] | None = getattr(_local, "free", None)
    return free.pop() if free else _TryFileHandler()


def _give_back(handler: _TryFileHandler) -> None:
    handler.close_file()
    if not hasattr(_local, "free"):
        _local.free = []
    _local.free.append(handler)


class TryLog:
    """The open log of one try (see :func:`open_try_log`)."""

    def __init__(self, path: str, handler: logging.Handler) -> None:
        self._path = path
        self.handler = handler
        self.logger = logging.getLogger(TASK_LOGGER)

    @property
    def path(self) -> Path:
        return Path(self._path)

    @property
    def location(self) -> str:
        """The path as a string (building a ``Path`` costs a no-op try a twentieth of it)."""
        return self._path

    def add_handler(self, handler: logging.Handler) -> None:
        """Also send this try's records to ``handler`` (``tasks test`` echoes them)."""
        handler.addFilter(SecretsMaskFilter())
        _local.handlers.append(handler)

    def write_line(self, text: str) -> None:
        """Append a line as-is (masked), outside of logging."""
        self.handler.acquire()
        try:
            stream = self.handler.stream  # type: ignore[attr-defined]
            stream.write(redact(text) + "\n")
            stream.flush()
        finally:
            self.handler.release()


def keep_installed() -> None:
    """Keep the routing of records and prints installed in this process from now on (a warm try
    process: installing it around each try would cost more than a no-op task)."""
    _install()


@contextmanager
def open_try_log(base_log_folder: str | os.PathLike[str], key: TryKey) -> Iterator[TryLog]:
    """Route this thread's log records and prints into the try's log file until exit."""
    path = os.path.join(base_log_folder, try_log_relpath(key))
    _make_folder(os.path.dirname(path))
    handler = _take_handler()
    handler.open_file(path)
    previous = (getattr(_local, "handlers", None), getattr(_local, "streams", None))
    _local.handlers = [handler]
    _local.streams = {
        "stdout": _StreamToLog(_STDOUT_LOGGER, logging.INFO),
        "stderr": _StreamToLog(_STDERR_LOGGER, logging.WARNING),
    }
    _install()
    try:
        yield TryLog(path, handler)
    finally:
        for stream in _local.streams.values():
            stream.flush()
        _local.handlers, _local.streams = previous
        _uninstall()
        _give_back(handler)


def _make_folder(folder: str) -> None:
    """``os.makedirs(folder, exist_ok=True)`` in one system call when the parent exists (a
    try's folder is new, its run's folder mostly is not)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


_STDOUT_LOGGER = logging.getLogger(f"{TASK_LOGGER}.stdout")
_STDERR_LOGGER = logging.getLogger(f"{TASK_LOGGER}.stderr")
