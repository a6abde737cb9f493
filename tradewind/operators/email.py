"""``EmailOperator``: send an e-mail over the configured SMTP server, as
``airflow.operators.email.EmailOperator``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from tradewind.errors import TaskFailure
from tradewind.sdk.baseoperator import BaseOperator


class EmailOperator(BaseOperator):
    """Send ``subject`` / ``html_content`` (templated; a ``.html`` file is read as a template)
    to ``to`` (a list, or addresses separated by ``,`` or ``;``). Fails when the mail cannot
    be sent."""

    template_fields: ClassVar[Sequence[str]] = ("to", "subject", "html_content")
    template_fields_renderers: ClassVar[dict[str, str]] = {"html_content": "html"}
    template_ext: ClassVar[Sequence[str]] = (".html",)
    ui_color = "#e6faf9"

    def __init__(
        self,
        *,
        to: str | list[str],
        subject: str,
        html_content: str,
        cc: str | list[str] | None = None,
        bcc: str | list[str] | None = None,
        mime_charset: str = "utf-8",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.to = to
        self.subject = subject
        self.html_content = html_content
        self.cc = cc
        self.bcc = bcc
        self.mime_charset = mime_charset

    def execute(self, context: dict[str, Any]) -> None:
        from tradewind.config import load_settings
        from tradewind.runtime.email import send_email

        settings = load_settings()
        sent = send_email(
            settings,
            self.to,
            self.subject,
            self.html_content,
            cc=self.cc,
            bcc=self.bcc,
            mime_charset=self.mime_charset,
        )
        if not sent:
            raise TaskFailure(
                f"could not send the e-mail {self.subject!r} via "
                f"{settings.smtp.host}:{settings.smtp.port}",
                hint="check TRADEWIND__SMTP__HOST/PORT/USER/PASSWORD; the task log has the cause",
            )
