"""Scheduler wake-ups: NOTIFY/LISTEN on Postgres, a datagram on SQLite, delivered at commit."""

from __future__ import annotations

import time

from sqlalchemy import text

from tradewind.metastore.wakeup import (
    notify_scheduler,
    notify_scheduler_now,
    open_listener,
    wait_for_wakeup,
)


def test_a_listener_times_out_when_nobody_notifies(metastore) -> None:
    listener = open_listener(metastore)
    try:
        started = time.monotonic()
        assert wait_for_wakeup(listener, 0.3) is False
        assert time.monotonic() - started >= 0.25
    finally:
        listener.close()


def test_a_notification_is_delivered_only_when_the_writer_commits(metastore) -> None:
    listener = open_listener(metastore)
    try:
        with metastore.session() as session:
            session.execute(text("SELECT 1"))
            notify_scheduler(session)
            assert wait_for_wakeup(listener, 0.3) is False
        started = time.monotonic()
        assert wait_for_wakeup(listener, 5.0) is True
        assert time.monotonic() - started < 1.0
        assert listener.drain() == 0
    finally:
        listener.close()


def test_a_rolled_back_write_wakes_nobody(metastore) -> None:
    listener = open_listener(metastore)
    try:
        try:
            with metastore.session() as session:
                notify_scheduler(session)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert wait_for_wakeup(listener, 0.3) is False
    finally:
        listener.close()


def test_notify_now_wakes_the_listener(metastore) -> None:
    listener = open_listener(metastore)
    try:
        notify_scheduler_now(metastore)
        assert wait_for_wakeup(listener, 5.0) is True
    finally:
        listener.close()
