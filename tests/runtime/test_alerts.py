"""E-mail alerts sent by the runtime on retry and failure, to a real local SMTP server."""

from __future__ import annotations

import email
import socket
from email import policy

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
def inbox(tw_home, monkeypatch):
    box = _Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("TRADEWIND__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("TRADEWIND__SMTP__PORT", str(port))
    yield box
    controller.stop()


def test_a_retry_and_a_final_failure_each_send_one_mail(rt, inbox, tw):
    code, result = rt.dags_test(tw, "rt_email")
    assert code == 1 and rt.states(result) == {"doomed": "failed", "quiet": "failed"}
    subjects = [m["Subject"] for m in inbox.messages]
    assert len(subjects) == 2, subjects
    assert all("doomed" in s for s in subjects)
    assert all(m["To"] == "ops@tradewind.test" for m in inbox.messages)


def test_an_unreachable_mail_server_changes_no_state(rt, tw, tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("TRADEWIND__SMTP__PORT", str(_free_port()))
    monkeypatch.setenv("TRADEWIND__SMTP__TIMEOUT", "2")
    code, result = rt.dags_test(tw, "rt_email")
    assert code == 1 and rt.states(result) == {"doomed": "failed", "quiet": "failed"}
    assert [t["try_number"] for t in result["tasks"]] == [2, 1]
