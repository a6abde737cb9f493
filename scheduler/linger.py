"""How long the scheduler lingers after a wake-up, so that one pass handles the ends of several
tries: briefly while others are in flight, longer behind a backlog of queued tries."""

from __future__ import annotations

#: how long a wake-up lingers for more tries ending while others are in flight
BATCH_WINDOW = 0.015
#: ... and while at least BACKLOG_TRIES tries wait in their queues: a try queued now would
#: wait behind them anyway, and a pass over a big run costs more than the wait. The window
#: grows with the backlog (BACKLOG_WINDOW per BACKLOG_TRIES waiting), up to BACKLOG_WINDOW_MAX:
#: a thousand waiting tries take longer to drain than a hundred.
BACKLOG_WINDOW = 0.1
BACKLOG_WINDOW_MAX = 0.25
BACKLOG_TRIES = 64


def linger_window(backlog: int) -> float:
    """How long a wake-up lingers for more tries ending, behind ``backlog`` waiting tries."""
    if backlog < BACKLOG_TRIES:
        return BATCH_WINDOW
    return min(BACKLOG_WINDOW_MAX, BACKLOG_WINDOW * backlog / BACKLOG_TRIES)
