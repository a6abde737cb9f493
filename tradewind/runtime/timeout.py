"""``execution_timeout``: stop a try that runs too long.

In the main thread a ``SIGALRM`` timer raises :class:`TaskTimeout` inside the task. Worker
threads cannot receive signals: there a timer thread calls the ``on_timeout`` hook (which kills
the task's subprocesses) and raises the timeout asynchronously in the running thread.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from tradewind.errors import TaskTimeout


def timeout_message(timeout: timedelta) -> str:
    return f"Task exceeded its execution_timeout of {timeout}"


class _AsyncTimeout(BaseException):
    """Raised asynchronously in a worker thread; becomes TaskTimeout in execution_timeout."""


@contextmanager
def execution_timeout(
    timeout: timedelta | float | None, *, on_timeout: Callable[[], None] | None = None
) -> Iterator[None]:
    """Run the block with a time limit; raise :class:`TaskTimeout` when it is exceeded.

    ``on_timeout`` runs when the limit passes (before the exception reaches the task in the
    main thread, from the timer thread otherwise); the caller calls ``task.on_kill()`` too.
    """
    if timeout is None:
        yield
        return
    if not isinstance(timeout, timedelta):
        timeout = timedelta(seconds=float(timeout))
    seconds = timeout.total_seconds()
    if seconds <= 0:
        raise TaskTimeout(timeout_message(timeout))
    if threading.current_thread() is threading.main_thread():
        with _alarm(seconds, timeout):
            yield
    else:
        with _thread_timer(seconds, timeout, on_timeout):
            yield


@contextmanager
def _alarm(seconds: float, timeout: timedelta) -> Iterator[None]:
    def _handler(signum: int, frame: object) -> None:
        raise TaskTimeout(timeout_message(timeout))

    previous = signal.signal(signal.SIGALRM, _handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _thread_timer(
    seconds: float, timeout: timedelta, on_timeout: Callable[[], None] | None
) -> Iterator[None]:
    target = threading.get_ident()
    state = {"done": False, "fired": False}
    lock = threading.Lock()

    def _fire() -> None:
        with lock:
            if state["done"]:
                return
            state["fired"] = True
        if on_timeout is not None:
            try:
                on_timeout()
            except Exception:  # the kill is best effort; the exception below still stops it
                pass
        with lock:
            if not state["done"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(target), ctypes.py_object(_AsyncTimeout)
                )

    timer = threading.Timer(seconds, _fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except _AsyncTimeout:
        raise TaskTimeout(timeout_message(timeout)) from None
    finally:
        with lock:
            state["done"] = True
        timer.cancel()
    if state["fired"]:  # the task returned after its subprocess was killed: still a timeout
        raise TaskTimeout(timeout_message(timeout))
