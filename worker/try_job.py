"""What a dramatiq worker thread hands the worker's dispatcher (``worker.dispatch``), what it
gets back, and how the end of a try's process is told in its failure reason."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass, field
from typing import Any

from tradewind.core.keys import TryKey

#: a job's results
RAN, DROPPED, LOAD, ALONE = "ran", "dropped", "load", "alone"


@dataclass(eq=False)
class TryJob:
    """One try, handed from a worker thread to the dispatcher and back."""

    try_key: TryKey
    #: the dramatiq message, acknowledged at the claim (None: the try was claimed already)
    message: Any = None
    #: the ``TryStart`` read with the claim (set by the dispatcher, or by a caller that claimed)
    start: Any = None
    fileloc: str = ""
    #: the task, once loaded from the worker's DAG cache
    task: Any = None
    #: RAN, DROPPED (not claimable), LOAD (the thread imports the DAG file, then hands the job
    #: back), ALONE (claimed, but its start was not read: the try reads it itself)
    result: str = ""
    #: the scheduler was woken with the try's outcome already
    notified: bool = False
    #: an error the thread raises (the claim failed)
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def finish(self, result: str) -> None:
        self.result = result
        self.done.set()


def describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"the try's process was killed by signal {signal.Signals(sig).name}"
    return f"the try's process exited with code {os.WEXITSTATUS(status)} without a final state"
