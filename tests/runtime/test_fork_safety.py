"""A try process is forked from a worker whose other threads may be logging, rendering or
registering secrets at that moment: the module locks those use are never inherited held."""

from __future__ import annotations

import os
import threading
import time

import pytest

from tradewind.runtime import secrets_masker, task_log
from tradewind.templating import environment


@pytest.mark.parametrize(
    "lock",
    [task_log._install_lock, secrets_masker._lock, environment._cache_lock],
    ids=["task_log", "secrets_masker", "template_environments"],
)
def test_a_lock_held_by_another_thread_at_fork_is_free_in_the_child(lock) -> None:
    held = threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            time.sleep(0.3)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    pid = os.fork()  # while the other thread holds the lock
    if pid == 0:
        os._exit(0 if lock.acquire(timeout=3) else 1)
    _, status = os.waitpid(pid, 0)
    holder.join(5)
    assert os.waitstatus_to_exitcode(status) == 0, "the child inherited the lock held"
