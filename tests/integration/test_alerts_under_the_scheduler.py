"""Callbacks and e-mail alerts under the real scheduler and local executor: every callback gets
the context, an exploding callback changes no state, and retry/failure mails reach a local SMTP
server (aiosmtpd) naming the task, run, try and error with a link to the log."""

from __future__ import annotations

import email
import json
import socket
import time
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(tw_home: Path, monkeypatch: pytest.MonkeyPatch):
    box = _Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("TRADEWIND__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("TRADEWIND__SMTP__PORT", str(port))
    yield box
    controller.stop()


def _run(driver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[dict]]:
    out = tmp_path / "callbacks.jsonl"
    monkeypatch.setenv("AU_CALLBACK_FILE", str(out))
    driver.copy_dags("au_alerts.py")
    sched = driver.scheduler(parallelism=2)
    run_id = driver.trigger("au_alerts")
    recorded = lambda: [json.loads(line) for line in out.read_text().splitlines()]  # noqa: E731
    kinds = lambda: {e["kind"] for e in recorded()} if out.exists() else set()  # noqa: E731
    driver.run_until(
        sched,
        lambda: driver.run_done("au_alerts", run_id) and "dag_failure" in kinds(),
        timeout=60,
    )
    return run_id, recorded()


def test_callbacks_get_the_context_and_their_errors_change_no_state(
    inbox: _Inbox, driver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, entries = _run(driver, tmp_path, monkeypatch)
    tis = driver.tis("au_alerts", run_id)
    assert (tis[("fragile", -1)].state, tis[("fragile", -1)].try_number) == ("failed", 2)
    assert tis[("fine", -1)].state == "success"
    assert driver.runs("au_alerts")[run_id].state == "failed"
    by_kind = {e["kind"]: e for e in entries}
    assert sorted(by_kind) == ["dag_failure", "failure", "retry", "success"]
    assert all(e["run_id"] == run_id and e["dag_id"] == "au_alerts" for e in entries)
    assert by_kind["retry"]["try_number"] == 1 and by_kind["failure"]["try_number"] == 2
    assert by_kind["failure"]["exception"] == "row 7 is malformed"
    # as in Airflow, a DAG callback's context is that of a task instance of the run: the one
    # that decided its failure
    assert by_kind["dag_failure"]["task_id"] == "fragile"


def test_retry_and_failure_mails_from_default_args_reach_the_smtp_server(
    inbox: _Inbox, driver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, _ = _run(driver, tmp_path, monkeypatch)
    # a try sends its mail after its state is recorded: the run can end a moment before
    deadline = time.monotonic() + 30
    while len(inbox.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m["To"] for m in inbox.messages] == ["oncall@tradewind.test"] * 2
    retry, failure = inbox.messages
    assert "fragile" in retry["Subject"] and "up for retry" in retry["Subject"]
    assert "failed" in failure["Subject"] and "try 2" in failure["Subject"]
    body = failure.get_body(("html",)).get_content()
    assert "row 7 is malformed" in body and run_id in body
    assert "/dags/au_alerts/runs/" in body  # the link to the try's log
