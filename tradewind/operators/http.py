"""``HttpOperator`` (and its old name ``SimpleHttpOperator``): call an HTTP endpoint, as
``airflow.providers.http.operators.http.HttpOperator``.

The response's text goes to XCom, or what ``response_filter(response)`` returns;
``response_check(response)`` returning False fails the task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from tradewind.errors import TaskFailure
from tradewind.sdk.baseoperator import BaseOperator
from tradewind.sdk.python_callable import determine_kwargs

if TYPE_CHECKING:
    from tradewind.hooks.http import HttpHook


class HttpOperator(BaseOperator):
    """Send ``method`` to ``endpoint`` of the ``http_conn_id`` connection.

    ``data`` is the query string of a GET and the body otherwise; ``response_check`` and
    ``response_filter`` receive the response (and any context keys they name);
    ``log_response`` logs the body; ``extra_options`` tune the request (``timeout``,
    ``verify``, ``check_response``...).
    """

    template_fields: ClassVar[Sequence[str]] = ("endpoint", "data", "headers")
    template_fields_renderers: ClassVar[dict[str, str]] = {"headers": "json", "data": "py"}
    template_ext: ClassVar[Sequence[str]] = ()
    ui_color = "#f4a460"

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        method: str = "POST",
        data: Any = None,
        headers: dict[str, str] | None = None,
        response_check: Callable[..., bool] | None = None,
        response_filter: Callable[..., Any] | None = None,
        extra_options: dict[str, Any] | None = None,
        request_kwargs: dict[str, Any] | None = None,
        http_conn_id: str = "http_default",
        log_response: bool = False,
        auth_type: Any = None,
        tcp_keep_alive: bool = True,
        deferrable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.deferrable = deferrable  # accepted for Airflow DAGs; the call runs in the task
        self.http_conn_id = http_conn_id
        self.method = method
        self.endpoint = endpoint
        self.headers = headers or {}
        self.data = data or {}
        self.response_check = response_check
        self.response_filter = response_filter
        self.extra_options = extra_options or {}
        self.request_kwargs = request_kwargs or {}
        self.log_response = log_response
        self.auth_type = auth_type
        self.tcp_keep_alive = tcp_keep_alive

    @property
    def hook(self) -> HttpHook:
        from tradewind.hooks.http import HttpHook

        return HttpHook(
            self.method,
            http_conn_id=self.http_conn_id,
            auth_type=self.auth_type,
            tcp_keep_alive=self.tcp_keep_alive,
        )

    def execute(self, context: dict[str, Any]) -> Any:
        self.log.info("Calling HTTP method")
        response = self.hook.run(
            self.endpoint, self.data, self.headers, self.extra_options, **self.request_kwargs
        )
        return self.process_response(context=context, response=response)

    def process_response(self, context: dict[str, Any], response: Any) -> Any:
        if self.log_response:
            self.log.info(response.text)
        if self.response_check is not None:
            kwargs = determine_kwargs(self.response_check, [response], context)
            if not self.response_check(response, **kwargs):
                raise TaskFailure("Response check returned False.")
        if self.response_filter is not None:
            kwargs = determine_kwargs(self.response_filter, [response], context)
            return self.response_filter(response, **kwargs)
        return response.text


class SimpleHttpOperator(HttpOperator):
    """Airflow 2's name of :class:`HttpOperator`."""
