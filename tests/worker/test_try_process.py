"""The worker's try process: the warm parent does the metastore work, the forked child runs the
task and opens no connection of its own."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select

from tradewind.metastore.models import TaskTry, XCom
from tradewind.runtime.claim import claim_try
from tradewind.runtime.try_start import TryStart, load_start_in
from worker.dag_cache import DagCache
from worker.process import TryProcessRunner
from worker.tracker import RunningTries, WorkerIdentity


def _runner(harness, identity: WorkerIdentity) -> TryProcessRunner:
    return TryProcessRunner(
        metastore=harness.metastore,
        settings=harness.settings,
        identity=identity,
        dag_cache=DagCache(dags_folder=str(harness.dag_file.parent), import_timeout=30),
        tracker=RunningTries(),
    )


def _claim_and_start(harness, key, identity: WorkerIdentity) -> TryStart:
    with harness.metastore.session() as session:
        assert claim_try(session, key, hostname=identity.hostname, pid=identity.pid)
        start = load_start_in(session, key)  # as the claim middleware reads it
    assert isinstance(start, TryStart)
    return start


def test_a_forked_try_is_recorded_by_its_parent_and_its_process_opens_no_connection(
    harness, tmp_path: Path
) -> None:
    parent = os.getpid()
    markers = tmp_path / "connections"
    markers.mkdir()

    @event.listens_for(harness.metastore.engine, "connect")
    def _mark(*_args: object) -> None:
        if os.getpid() != parent:  # a try's process connected
            (markers / str(os.getpid())).touch()

    identity = WorkerIdentity("w1", "host-1", parent, "0", ("default",), 1)
    key = harness.queue(harness.new_run(), "quick")
    start = _claim_and_start(harness, key, identity)
    assert start.fileloc == str(harness.dag_file)

    notified = _runner(harness, identity).run(key, start.fileloc, start=start)

    assert notified
    assert harness.state(key) == "success"
    assert list(markers.iterdir()) == []
    with harness.metastore.session() as session:
        row = session.execute(select(TaskTry).where(TaskTry.task_id == "quick")).scalar_one()
        value = session.execute(select(XCom.value).where(XCom.task_id == "quick")).scalar_one()
    assert (row.state, row.hostname) == ("success", "host-1")
    assert value == "0"  # the return value, written by the parent from the child's plan


def test_a_try_process_that_dies_before_its_outcome_is_failed_or_retried_by_its_parent(
    harness,
) -> None:
    identity = WorkerIdentity("w1", "host-1", os.getpid(), "0", ("default",), 1)
    key = harness.queue(harness.new_run(), "crash")  # os._exit(3), retries=1
    start = _claim_and_start(harness, key, identity)

    notified = _runner(harness, identity).run(key, start.fileloc, start=start)

    assert not notified
    assert harness.state(key) == "up_for_retry"
    with harness.metastore.session() as session:
        row = session.execute(select(TaskTry).where(TaskTry.task_id == "crash")).scalar_one()
    assert row.state == "failed"
    assert "exited with code 3" in (row.error or "")


@pytest.fixture
def run_try(harness) -> Iterator[Callable[..., None]]:
    """Claim and run a try through one worker thread's runner (its try processes stop after)."""
    identity = WorkerIdentity("w1", "host-1", os.getpid(), "0", ("default",), 1)
    runner = _runner(harness, identity)

    def run(key) -> None:
        start = _claim_and_start(harness, key, identity)
        runner.run(key, start.fileloc, start=start)

    yield run
    runner.close()


def _returned_pid(harness, key) -> int:
    with harness.metastore.session() as session:
        value = session.execute(
            select(XCom.value).where(XCom.run_id == key.run_id, XCom.task_id == key.task_id)
        ).scalar_one()
    return int(value)


def test_a_worker_thread_reuses_its_warm_try_process_until_a_try_fails(harness, run_try) -> None:
    run_id = harness.new_run()
    first, second = harness.queue(run_id, "pid_a"), harness.queue(run_id, "pid_b")
    run_try(first)
    run_try(second)
    failing = harness.queue(run_id, "fail")
    run_try(failing)
    third = harness.queue(run_id, "pid_c")
    run_try(third)

    assert [harness.state(k) for k in (first, second, failing, third)] == [
        "success",
        "success",
        "failed",
        "success",
    ]
    reused = _returned_pid(harness, first)
    assert reused != os.getpid()  # not in the worker itself
    assert _returned_pid(harness, second) == reused  # no fork for the second try
    assert _returned_pid(harness, third) != reused  # a fresh process after the failure


def test_a_try_deaf_to_its_own_timeout_is_killed_by_the_worker(
    harness, run_try, monkeypatch
) -> None:
    import worker.dispatch

    monkeypatch.setattr(worker.dispatch, "HARD_TIMEOUT_GRACE", 1.0)
    key = harness.queue(harness.new_run(), "deaf")  # blocks SIGALRM, sleeps 30 s, timeout 1 s
    run_try(key)

    assert harness.state(key) == "failed"
    with harness.metastore.session() as session:
        row = session.execute(select(TaskTry).where(TaskTry.task_id == "deaf")).scalar_one()
    assert "execution_timeout" in (row.error or "")


def test_the_next_try_in_a_reused_process_starts_with_the_original_cwd_and_environment(
    harness, run_try
) -> None:
    import json

    run_id = harness.new_run()
    leak = harness.queue(run_id, "leak")  # sets TW_LEAK and changes to /
    run_try(leak)
    look = harness.queue(run_id, "look")
    run_try(look)

    with harness.metastore.session() as session:
        value = session.execute(select(XCom.value).where(XCom.task_id == "look")).scalar_one()
    pid, leaked, cwd = json.loads(value)
    assert pid == _returned_pid(harness, leak)  # the same process ran both
    assert (leaked, cwd) == (None, os.getcwd())


def test_one_try_per_process_when_max_tries_per_process_is_one(harness, run_try) -> None:
    harness.settings.worker.max_tries_per_process = 1
    run_id = harness.new_run()
    first, second = harness.queue(run_id, "pid_a"), harness.queue(run_id, "pid_b")
    run_try(first)
    run_try(second)

    assert harness.state(first) == harness.state(second) == "success"
    assert _returned_pid(harness, first) != _returned_pid(harness, second)


def test_a_try_sent_to_a_process_that_exited_idle_meanwhile_runs_in_another(harness) -> None:
    """The race the idle exit allows: the worker sends a try as the process gives up waiting.
    The process exits with IDLE_EXIT_CODE without reading it; the try goes to a new process
    instead of being failed."""
    import time

    from worker.try_pool import IDLE_EXIT_CODE, TryProcess

    identity = WorkerIdentity("w1", "host-1", os.getpid(), "0", ("default",), 1)
    runner = _runner(harness, identity)
    requests_r, requests_w = os.pipe()
    replies_r, replies_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # an idle try process about to exit: it never reads what it is sent
        os.close(requests_w)
        os.close(replies_r)
        time.sleep(0.5)
        os._exit(IDLE_EXIT_CODE)
    os.close(requests_r)
    os.close(replies_w)
    runner.dispatcher._idle.append(TryProcess(pid, requests_w, replies_r, generation=10**9))
    key = harness.queue(harness.new_run(), "pid_a")
    start = _claim_and_start(harness, key, identity)
    try:
        runner.run(key, start.fileloc, start=start)
    finally:
        runner.close()

    assert harness.state(key) == "success"
    assert _returned_pid(harness, key) not in (pid, os.getpid())
    with harness.metastore.session() as session:
        row = session.execute(select(TaskTry).where(TaskTry.task_id == "pid_a")).scalar_one()
    assert (row.state, row.error) == ("success", None)


def test_a_try_whose_process_cannot_be_forked_is_failed_not_left_running(
    harness, monkeypatch
) -> None:
    from worker.try_pool import TryProcess

    def no_fork(*_args: object, **_kwargs: object) -> TryProcess:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(TryProcess, "fork", classmethod(no_fork))
    identity = WorkerIdentity("w1", "host-1", os.getpid(), "0", ("default",), 1)
    runner = _runner(harness, identity)
    key = harness.queue(harness.new_run(), "pid_a")
    start = _claim_and_start(harness, key, identity)
    try:
        assert runner.run(key, start.fileloc, start=start) is False  # it returns: no hang
    finally:
        runner.close()

    assert harness.state(key) == "failed"
    with harness.metastore.session() as session:
        row = session.execute(select(TaskTry).where(TaskTry.task_id == "pid_a")).scalar_one()
    assert "could not be started" in (row.error or "")


def test_a_claimed_try_without_its_start_runs_in_a_one_try_process_that_reads_it(
    harness,
) -> None:
    """The fallback when the worker holds no start for a claimed try: a one-try fork reads the
    start and writes the outcome itself."""
    identity = WorkerIdentity("w1", "host-1", os.getpid(), "0", ("default",), 1)
    key = harness.queue(harness.new_run(), "quick")
    start = _claim_and_start(harness, key, identity)
    runner = _runner(harness, identity)
    try:
        assert runner.run(key, start.fileloc, start=None) is False  # it woke nobody itself
    finally:
        runner.close()

    assert harness.state(key) == "success"
    with harness.metastore.session() as session:
        value = session.execute(select(XCom.value).where(XCom.task_id == "quick")).scalar_one()
    assert value == "0"
