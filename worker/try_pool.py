"""Warm try processes: forked from the worker, each runs the tries of one worker thread.

Forking a process per try cost more CPU than a short try itself: copying the page tables, the
copy-on-write faults in both processes afterwards, the exit. A :class:`TryProcess` is forked
once (imports warm, the DAG already imported, its own process group, dying with the worker by
``PR_SET_PDEATHSIG``) and then runs the tries its worker thread sends it, one at a time, until:

- a try did not end cleanly (failed, timed out, crashed, was killed): nothing a task left behind
  (threads, signal handlers, half-closed files) reaches the next try;
- it ran ``worker.max_tries_per_process`` tries (a slowly leaking task is bounded);
- the worker re-imported the next try's DAG file after the process was forked (a fresh fork
  inherits the new DAG instead of importing it again);
- it waited :data:`IDLE_EXIT_SECONDS` without a try (an idle worker keeps no stale processes).

Protocol, one pickle frame at a time (``worker.frames``): the worker (its dispatcher,
``worker.dispatch``) sends ``(try_key, fileloc, start)``; the process answers
``("plan", FinishPlan)``, which the worker writes and answers with the state written (or None),
then ``("done", retire)`` after the callbacks; a try with no callback to run after its write
sends only ``("final", FinishPlan, retire)`` at its end, and the worker writes it. ``None``
from the worker asks the process to exit. A process that exits idle does so with
:data:`IDLE_EXIT_CODE`: a try sent to it just then was never started, and the worker sends it
to another process.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import select
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tradewind.core.states import TaskState
from worker.frames import exited, receive, send

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tradewind.config import Settings
    from tradewind.metastore.engine import Metastore
    from worker.dag_cache import DagCache

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
#: a try process with nothing to do for this long exits; the worker forks a new one when needed
IDLE_EXIT_SECONDS = 60.0
#: the exit status of a process that exited idle (it read no try after its last one)
IDLE_EXIT_CODE = 75
#: the worker stops using a process idle for this long (before it could exit by itself)
IDLE_RETIRE_SECONDS = 45.0
#: outcomes after which the process runs the next try; after any other it exits
CLEAN_STATES = frozenset({TaskState.SUCCESS, TaskState.SKIPPED, TaskState.UP_FOR_RESCHEDULE})


@dataclass
class TryContext:
    """What a try process needs from its worker (inherited by the fork, never pickled)."""

    metastore: Metastore
    settings: Settings
    hostname: str
    dag_cache: DagCache


@dataclass(eq=False)
class TryProcess:
    """The worker's end of one warm try process."""

    pid: int
    requests: int
    replies: int
    #: ``DagCache.generation`` when it was forked: it holds every DAG imported up to then
    generation: int
    tries: int = 0
    last_used: float = field(default_factory=time.monotonic)

    @classmethod
    def fork(
        cls, context: TryContext, others: Iterable[TryProcess], close: Iterable[int] = ()
    ) -> TryProcess:
        """Fork a try process; ``others`` (the worker's other processes) and the descriptors
        ``close`` are closed in the child."""
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        parent = os.getpid()
        generation = context.dag_cache.generation
        pid = os.fork()
        if pid == 0:  # the child
            os.close(requests_w)
            os.close(replies_r)
            for other in others:  # so that each process sees the end of its own pipe only
                other.close_fds()
            for fd in close:
                os.close(fd)
            _serve(context, parent, requests_r, replies_w)
        os.close(requests_r)
        os.close(replies_w)
        return cls(pid, requests_w, replies_r, generation)

    def stale(self, generation: int) -> bool:
        return (
            self.generation < generation
            or time.monotonic() - self.last_used > IDLE_RETIRE_SECONDS
            or exited(self.pid)
        )

    def close_fds(self) -> None:
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass

    def stop(self, *, kill: bool = False) -> int:
        """End the process (asked to exit, or its process group killed); its exit status."""
        if kill:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
        else:
            try:
                send(self.requests, None)
            except OSError:
                pass
        self.close_fds()
        return wait_for(self.pid)


def wait_for(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:  # not Linux: the heartbeat-based zombie detection still covers it
        pass


def prepare_child(context: TryContext, parent: int) -> None:
    """Make a freshly forked process a try process of its own (also for a one-try fork)."""
    gc.freeze()  # the inherited heap is never collected here: no copy-on-write for it
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(1)
    os.setpgid(0, 0)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    context.dag_cache.after_fork()
    context.metastore.engine.dispose(close=False)
    from tradewind.metastore.engine import set_default_metastore

    set_default_metastore(context.metastore)
    from tradewind.runtime.task_log import keep_installed

    keep_installed()


def _serve(context: TryContext, parent: int, requests: int, replies: int) -> None:
    code = 0
    try:
        prepare_child(context, parent)
        initial = (os.getcwd(), _environment())  # what each try starts from
        while True:
            ready, _, _ = select.select([requests], [], [], IDLE_EXIT_SECONDS)
            if not ready:
                code = IDLE_EXIT_CODE
                break
            request = receive(requests, None)
            if request is None:  # asked to exit, or the worker is gone
                break
            pending: list[Any] = []
            clean = _run_one(context, request, requests, replies, pending, initial)
            _flush()
            if pending:  # the outcome nobody waited for, and the end of the try, in one frame
                send(replies, ("final", pending[0], not clean))
            else:
                send(replies, ("done", not clean))
            if not clean:
                break
    except BaseException:
        log.exception("a try process failed")
        code = 1
    finally:
        _flush()
        os._exit(code)


def _run_one(
    context: TryContext,
    request: Any,
    requests: int,
    replies: int,
    pending: list[Any],
    initial: tuple[str, dict[Any, Any]],
) -> bool:
    """Run one try; True when it ended cleanly (the process may run the next one).

    An outcome whose write nothing here depends on (no callback, no e-mail) is put in
    ``pending``, for the worker to write after the try; any other is sent at once, and the
    process waits for the state written."""
    from tradewind.runtime.run_try import run_started_try

    try_key, fileloc, start = request

    def record(plan: Any, answer: bool) -> TaskState | None:
        if not answer:
            pending.append(plan)
            return plan.state
        send(replies, ("plan", plan))
        value = receive(requests, None)
        return TaskState(value) if value is not None else None

    try:
        task = context.dag_cache.imported_task(fileloc, try_key.dag_id, try_key.task_id)
        state = run_started_try(
            context.metastore,
            task,
            try_key,
            start,
            record=record,
            settings=context.settings,
            hostname=context.hostname,
        )
    except BaseException:
        log.exception("try %s crashed in its process", try_key)
        return False
    _restore(*initial)
    return state in CLEAN_STATES


def _environment() -> dict[Any, Any]:
    """A copy of the process's environment, as ``os.environ`` stores it: its private, encoded
    mapping is copied and compared at C speed (a hundredth of going through ``os.environ``,
    which encodes and decodes every entry), with the public mapping as the fallback."""
    return dict(getattr(os.environ, "_data", os.environb))


def _restore(cwd: str, environ: dict[Any, Any]) -> None:
    """Undo what a try changed of the process's working directory and environment, so that
    the next try starts as a fresh process would."""
    if _environment() != environ:
        os.environb.clear()
        os.environb.update({_as_bytes(k): _as_bytes(v) for k, v in environ.items()})
    try:
        if os.getcwd() != cwd:
            os.chdir(cwd)
    except OSError:
        os.chdir(cwd)


def _as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else os.fsencode(value)


def _flush() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
