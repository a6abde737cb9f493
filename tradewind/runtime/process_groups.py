"""Stopping a try's process group: the one way the worker and the local executor do it."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

#: seconds between SIGTERM and SIGKILL for a try whose state was changed from outside
EXTERNAL_KILL_GRACE = 3.0


def group_exists(pgid: int) -> bool:
    """Whether process group ``pgid`` still has a member."""
    try:
        os.killpg(pgid, 0)
    except OSError:
        return False
    return True


def terminate_group(pgid: int, grace: float, *, running: Callable[[], bool] | None = None) -> None:
    """SIGTERM process group ``pgid``; SIGKILL whatever is left once ``running()`` (by default:
    the group has a member) turns false or ``grace`` seconds pass."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if running is None:
        running = lambda: group_exists(pgid)  # noqa: E731
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and running():
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)  # the leader, or anything it left in its group
    except ProcessLookupError:
        pass
