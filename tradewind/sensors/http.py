"""``HttpSensor``: poke an HTTP endpoint, as ``airflow.providers.http.sensors.http.HttpSensor``.

A 404 means "not yet" (``response_error_codes_allowlist``); other error statuses fail the poke.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from tradewind.errors import TradewindError
from tradewind.sdk.python_callable import determine_kwargs
from tradewind.sensors.base import BaseSensorOperator


class HttpSensor(BaseSensorOperator):
    """Done when ``endpoint`` answers below 400 and ``response_check(response)`` (if any) is
    true; ``response_check`` may also name context keys."""

    template_fields: ClassVar[Sequence[str]] = ("endpoint", "request_params", "headers")

    def __init__(
        self,
        *,
        endpoint: str,
        http_conn_id: str = "http_default",
        method: str = "GET",
        request_params: dict[str, Any] | None = None,
        request_kwargs: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        response_error_codes_allowlist: list[str] | None = None,
        response_check: Callable[..., bool] | None = None,
        extra_options: dict[str, Any] | None = None,
        tcp_keep_alive: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.endpoint = endpoint
        self.http_conn_id = http_conn_id
        self.method = method
        self.request_params = request_params or {}
        self.request_kwargs = request_kwargs or {}
        self.headers = headers or {}
        self.response_error_codes_allowlist = (
            ("404",)
            if response_error_codes_allowlist is None
            else tuple(response_error_codes_allowlist)
        )
        self.response_check = response_check
        self.extra_options = extra_options or {}
        self.tcp_keep_alive = tcp_keep_alive

    def poke(self, context: dict[str, Any]) -> bool:
        from tradewind.hooks.http import HttpHook

        hook = HttpHook(
            method=self.method, http_conn_id=self.http_conn_id, tcp_keep_alive=self.tcp_keep_alive
        )
        self.log.info("Poking: %s", self.endpoint)
        try:
            response = hook.run(
                self.endpoint,
                data=self.request_params,
                headers=self.headers,
                extra_options=self.extra_options,
                **self.request_kwargs,
            )
            if self.response_check is not None:
                kwargs = determine_kwargs(self.response_check, [response], context)
                return bool(self.response_check(response, **kwargs))
        except TradewindError as exc:
            if str(exc).startswith(self.response_error_codes_allowlist):
                return False
            raise
        return True
