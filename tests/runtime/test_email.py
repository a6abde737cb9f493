"""E-mail alerts over a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import email
import socket
from email import policy
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller

from tradewind.config import load_settings
from tradewind.errors import TaskFailure
from tradewind.operators.email import EmailOperator
from tradewind.runtime.email import (
    get_email_address_list,
    send_email,
    send_task_failure_email,
    send_task_retry_email,
    task_log_url,
)
from tradewind.runtime.secrets_masker import mask_secret, reset_secrets


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(tw_home, monkeypatch):
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("TRADEWIND__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("TRADEWIND__SMTP__PORT", str(port))
    monkeypatch.setenv("TRADEWIND__SMTP__MAIL_FROM", "alerts@tradewind.test")
    monkeypatch.setenv("TRADEWIND__WEBSERVER__BASE_URL", "http://tw.example:8080/")
    yield inbox
    controller.stop()


def _ti(**overrides):
    fields = dict(
        dag_id="etl",
        run_id="manual__2024-01-01T00:00:00+00:00",
        task_id="load",
        map_index=-1,
        try_number=2,
        max_tries=3,
        hostname="worker-1",
    )
    fields.update(overrides)
    return SimpleNamespace(**fields)


def test_send_email_delivers_html_with_a_plain_text_part(smtp):
    assert send_email(load_settings(), "a@x.test; b@x.test", "Hello", "<p>Hi <b>there</b></p>")
    rcpts, msg = smtp.messages[-1]
    assert rcpts == ["a@x.test", "b@x.test"]
    assert msg["From"] == "alerts@tradewind.test" and msg["Subject"] == "Hello"
    assert "<b>there</b>" in msg.get_body(("html",)).get_content()
    assert "Hi there" in msg.get_body(("plain",)).get_content()


def test_a_failure_alert_names_task_run_try_error_and_links_to_the_log(smtp):
    task = SimpleNamespace(email=["ops@x.test"])
    error = RuntimeError("disk full")
    assert send_task_failure_email(load_settings(), task=task, ti=_ti(), exception=error)
    _, msg = smtp.messages[-1]
    body = msg.get_body(("html",)).get_content()
    assert "etl.load" in msg["Subject"] and "failed" in msg["Subject"]
    assert "manual__2024-01-01T00:00:00+00:00" in body
    assert "Try 2 out of 4" in body
    assert "RuntimeError: disk full" in body
    assert (
        "http://tw.example:8080/dags/etl/runs/manual__2024-01-01T00%3A00%3A00%2B00%3A00"
        "/tasks/load?try=2" in body
    )


def test_a_retry_alert_says_up_for_retry(smtp):
    task = SimpleNamespace(email="ops@x.test")
    assert send_task_retry_email(load_settings(), task=task, ti=_ti(), exception="boom")
    assert "up for retry" in smtp.messages[-1][1]["Subject"]


def test_secrets_in_the_error_are_masked_in_the_mail(smtp):
    reset_secrets()
    mask_secret("hunter2-password")
    try:
        send_task_failure_email(
            load_settings(),
            task=SimpleNamespace(email="ops@x.test"),
            ti=_ti(),
            exception=ValueError("login failed with hunter2-password"),
        )
    finally:
        reset_secrets()
    body = smtp.messages[-1][1].get_body(("html",)).get_content()
    assert "hunter2-password" not in body and "***" in body


def test_an_unreachable_server_is_logged_and_raises_nothing(tw_home, monkeypatch, caplog):
    monkeypatch.setenv("TRADEWIND__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("TRADEWIND__SMTP__PORT", str(_free_port()))
    task = SimpleNamespace(email="ops@x.test")
    assert send_task_failure_email(load_settings(), task=task, ti=_ti(), exception=None) is False
    assert "Could not send e-mail" in caplog.text


def test_no_recipients_sends_nothing(smtp):
    assert (
        send_task_failure_email(load_settings(), task=SimpleNamespace(email=None), ti=_ti())
        is False
    )
    assert smtp.messages == []


def test_the_log_link_carries_the_map_index_of_a_mapped_try(tw_home):
    url = task_log_url(load_settings(), _ti(map_index=3))
    assert url.endswith("/tasks/load?try=2&map_index=3")


def test_address_lists_split_like_airflow():
    assert get_email_address_list("a@x, b@x;c@x") == ["a@x", "b@x", "c@x"]
    assert get_email_address_list(["a@x", "b@x, c@x"]) == ["a@x", "b@x", "c@x"]


def test_email_operator_sends_and_fails_when_it_cannot(smtp, monkeypatch):
    EmailOperator(
        task_id="mail", to="team@x.test", subject="Done", html_content="<p>ok</p>"
    ).execute({})
    assert smtp.messages[-1][1]["Subject"] == "Done"
    monkeypatch.setenv("TRADEWIND__SMTP__PORT", str(_free_port()))
    with pytest.raises(TaskFailure, match="could not send the e-mail"):
        EmailOperator(task_id="mail", to="t@x.test", subject="S", html_content="x").execute({})


def test_a_failing_task_mails_on_retry_and_on_failure_through_the_runtime(smtp, sqlite_metastore):
    from datetime import UTC, datetime

    from tradewind import DAG
    from tradewind.operators.python import PythonOperator
    from tradewind.runtime.dag_test import run_dag_test

    def boom():
        raise ValueError("bad input row 7")

    day = datetime(2024, 1, 1, tzinfo=UTC)
    with DAG("mail_dag", start_date=day, schedule=None) as dag:
        PythonOperator(
            task_id="fragile",
            python_callable=boom,
            email=["oncall@x.test"],
            retries=1,
            retry_delay=0.1,
        )
    result = run_dag_test(dag, logical_date=day, metastore=sqlite_metastore)
    assert result.get_task_instance("fragile").state == "failed"
    subjects = [msg["Subject"] for _, msg in smtp.messages]
    assert len(subjects) == 2
    assert "up for retry" in subjects[0] and "try 1" in subjects[0]
    assert "failed" in subjects[1] and "try 2" in subjects[1]
    body = smtp.messages[-1][1].get_body(("html",)).get_content()
    assert "bad input row 7" in body and "/dags/mail_dag/runs/" in body


def test_an_smtp_outage_changes_no_task_state(tw_home, sqlite_metastore, monkeypatch):
    from datetime import UTC, datetime

    from tradewind import DAG
    from tradewind.operators.python import PythonOperator
    from tradewind.runtime.dag_test import run_dag_test

    monkeypatch.setenv("TRADEWIND__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("TRADEWIND__SMTP__PORT", str(_free_port()))
    day = datetime(2024, 1, 1, tzinfo=UTC)
    with DAG("mail_outage", start_date=day, schedule=None) as dag:
        PythonOperator(task_id="t", python_callable=lambda: 1 / 0, email="a@x.test")
        PythonOperator(task_id="ok", python_callable=lambda: "fine", email="a@x.test")
    result = run_dag_test(dag, logical_date=day, metastore=sqlite_metastore)
    assert result.get_task_instance("t").state == "failed"
    assert result.get_task_instance("ok").state == "success"
