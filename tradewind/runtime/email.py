"""E-mail over SMTP: task failure and retry alerts (``email_on_failure``/``email_on_retry``).

Configured by ``[smtp]`` (``TRADEWIND__SMTP__HOST/PORT/USER/PASSWORD/STARTTLS/SSL/MAIL_FROM``).
A mail that cannot be sent is logged and raises nothing: it never changes a task's state.
"""

from __future__ import annotations

import html
import logging
import re
import smtplib
import traceback
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import quote

from tradewind.runtime.secrets_masker import redact

log = logging.getLogger(__name__)


def get_email_address_list(addresses: str | Iterable[str] | None) -> list[str]:
    """``"a@x, b@y; c@z"`` or a list -> a list of addresses (as Airflow splits them)."""
    if not addresses:
        return []
    items = [addresses] if isinstance(addresses, str) else list(addresses)
    out: list[str] = []
    for item in items:
        out.extend(a.strip() for a in re.split(r"[,;]", str(item)) if a.strip())
    return out


def send_email(
    settings: Any,
    to: str | Iterable[str],
    subject: str,
    html_content: str,
    *,
    cc: str | Iterable[str] | None = None,
    bcc: str | Iterable[str] | None = None,
    mime_charset: str = "utf-8",
) -> bool:
    """Send one HTML mail; True when the SMTP server accepted it. Never raises."""
    smtp = settings.smtp
    recipients = get_email_address_list(to)
    cc_list, bcc_list = get_email_address_list(cc), get_email_address_list(bcc)
    if not recipients:
        log.warning("Not sending e-mail %r: no recipients", subject)
        return False
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.mail_from
    message["To"] = ", ".join(recipients)
    if cc_list:
        message["Cc"] = ", ".join(cc_list)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="tradewind")
    message.set_content(_plain_text(html_content), charset=mime_charset)
    message.add_alternative(html_content, subtype="html", charset=mime_charset)
    try:
        client_cls = smtplib.SMTP_SSL if smtp.ssl else smtplib.SMTP
        with client_cls(smtp.host, int(smtp.port), timeout=float(smtp.timeout)) as client:
            if smtp.starttls and not smtp.ssl:
                client.starttls()
            if smtp.user and smtp.password:
                client.login(smtp.user, smtp.password)
            client.send_message(message, to_addrs=recipients + cc_list + bcc_list)
    except (OSError, smtplib.SMTPException) as exc:
        log.error(
            "Could not send e-mail %r to %s via %s:%s: %s",
            subject,
            ", ".join(recipients),
            smtp.host,
            smtp.port,
            exc,
        )
        return False
    log.info("Sent an e-mail %r to %s", subject, ", ".join(recipients))
    return True


def task_log_url(settings: Any, ti: Any) -> str:
    """The dashboard page of this try's log."""
    base = settings.webserver.base_url.rstrip("/")
    url = (
        f"{base}/dags/{quote(str(ti.dag_id), safe='')}/runs/{quote(str(ti.run_id), safe='')}"
        f"/tasks/{quote(str(ti.task_id), safe='')}?try={ti.try_number}"
    )
    map_index = getattr(ti, "map_index", -1)
    if map_index is not None and map_index >= 0:
        url += f"&map_index={map_index}"
    return url


def _describe(exception: BaseException | str | None) -> str:
    if exception is None:
        return "(no exception)"
    if isinstance(exception, BaseException):
        text = "".join(traceback.format_exception_only(type(exception), exception)).strip()
    else:
        text = str(exception)
    return redact(text)


def task_alert(settings: Any, *, ti: Any, exception: Any, is_retry: bool) -> tuple[str, str]:
    """The subject and HTML body of a failure or retry alert."""
    what = "up for retry" if is_retry else "failed"
    max_tries = getattr(ti, "max_tries", 0) or 0
    map_part = f" [{ti.map_index}]" if getattr(ti, "map_index", -1) >= 0 else ""
    subject = (
        f"Tradewind alert: task {ti.dag_id}.{ti.task_id}{map_part} {what} "
        f"(run {ti.run_id}, try {ti.try_number})"
    )
    link = task_log_url(settings, ti)
    e = html.escape
    body = (
        f"<p>Task <b>{e(str(ti.task_id))}</b>{e(map_part)} of DAG <b>{e(str(ti.dag_id))}</b> "
        f"{what}.</p>\n"
        f"<p>Run: {e(str(ti.run_id))}<br>\n"
        f"Try {ti.try_number} out of {max_tries + 1}<br>\n"
        f"Host: {e(str(getattr(ti, 'hostname', '') or ''))}</p>\n"
        f"<p>Exception:<br><pre>{e(_describe(exception))}</pre></p>\n"
        f'<p>Log: <a href="{e(link)}">{e(link)}</a></p>\n'
    )
    return subject, body


def send_task_failure_email(
    settings: Any,
    *,
    task: Any = None,
    ti: Any,
    exception: Any = None,
    is_retry: bool = False,
) -> bool:
    """Mail ``task.email`` about a failed (or, with ``is_retry``, retrying) try. Never raises."""
    try:
        to = getattr(task, "email", None) if task is not None else None
        if not to:
            return False
        subject, body = task_alert(settings, ti=ti, exception=exception, is_retry=is_retry)
        return send_email(settings, to, subject, body)
    except Exception as exc:  # an alert must never change the try's outcome
        log.error("Could not build the e-mail about %s: %s", ti, exc)
        return False


def send_task_retry_email(
    settings: Any, *, task: Any = None, ti: Any, exception: Any = None
) -> bool:
    """Mail ``task.email`` about a try that will be retried. Never raises."""
    return send_task_failure_email(settings, task=task, ti=ti, exception=exception, is_retry=True)


def _plain_text(html_content: str) -> str:
    text = re.sub(r"<br\s*/?>|</p>", "\n", html_content)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip() + "\n"
