"""``HttpHook`` on httpx, as ``airflow.providers.http.hooks.http.HttpHook``.

The base URL comes from the connection: ``schema`` (http/https, default http) + ``host`` +
``port`` (a host holding ``https://...`` is used as is); ``login``/``password`` give basic auth;
the extra JSON's keys become request headers. Responses get requests' ``ok`` and ``reason``
too, so ``response_check`` callables written for Airflow keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import httpx

from tradewind.errors import TradewindError
from tradewind.hooks.base import BaseHook

# Extra keys that configure the client, not headers (as Airflow's).
_CLIENT_EXTRAS = (
    "timeout",
    "allow_redirects",
    "proxy",
    "proxies",
    "stream",
    "verify",
    "cert",
    "max_redirects",
    "trust_env",
)


class HttpResponseError(TradewindError):
    """The server answered with a status >= 400; the message is ``"<status>:<reason>"``."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.status_code}:{response.reason_phrase}")
        self.response = response
        self.status_code = response.status_code


class HttpConnectionError(TradewindError):
    """The server could not be reached."""


class HttpResponse(httpx.Response):
    """An ``httpx.Response`` with the ``requests`` names Airflow DAGs use."""

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    @property
    def reason(self) -> str:
        return self.reason_phrase


class HttpHook(BaseHook):
    """Call an HTTP API: ``HttpHook(method="POST", http_conn_id="http_default")``."""

    conn_name_attr = "http_conn_id"
    default_conn_name = "http_default"
    conn_type = "http"
    hook_name = "HTTP"

    def __init__(
        self,
        method: str = "POST",
        http_conn_id: str = default_conn_name,
        auth_type: Callable[..., Any] | None = None,
        tcp_keep_alive: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.http_conn_id = http_conn_id
        self.method = method.upper()
        self.base_url = ""
        self.auth_type = auth_type
        self.tcp_keep_alive = tcp_keep_alive

    def _set_base_url(self, host: str | None, schema: str | None, port: int | None) -> None:
        host = host or ""
        schema = schema or "http"
        if "://" in host:
            self.base_url = host
        else:
            self.base_url = f"{schema}://{host}" if host else f"{schema}://"
        if port:
            self.base_url = f"{self.base_url}:{port}"
        if not urlparse(self.base_url).scheme:
            raise TradewindError(f"cannot build a base URL from connection {self.http_conn_id}")

    def get_conn(
        self, headers: dict[str, Any] | None = None, extra_options: dict[str, Any] | None = None
    ) -> httpx.Client:
        """An httpx client set up from the connection (base URL, auth, headers)."""
        extra_options = extra_options or {}
        conn = self.get_connection(self.http_conn_id) if self.http_conn_id else None
        client_headers: dict[str, str] = {}
        auth: Any = None
        options: dict[str, Any] = {}
        if conn is not None:
            self._set_base_url(conn.host, conn.schema, conn.port)
            if conn.login:
                auth_type = self.auth_type or httpx.BasicAuth
                auth = auth_type(conn.login, conn.password or "")
            extra = dict(conn.extra_dejson)
            options = {k: extra.pop(k) for k in _CLIENT_EXTRAS if k in extra}
            client_headers.update({k: str(v) for k, v in extra.items()})
        if headers:
            client_headers.update({k: str(v) for k, v in headers.items()})
        options.update({k: v for k, v in extra_options.items() if k in _CLIENT_EXTRAS})
        proxies = options.get("proxies") or {}
        proxy = options.get("proxy") or proxies.get("https") or proxies.get("http")
        return httpx.Client(
            headers=client_headers,
            auth=auth,
            timeout=options.get("timeout"),
            follow_redirects=bool(options.get("allow_redirects", True)),
            max_redirects=int(options.get("max_redirects", 30)),
            verify=options.get("verify", True),
            cert=options.get("cert"),
            proxy=proxy,
            trust_env=bool(options.get("trust_env", True)),
        )

    def url_from_endpoint(self, endpoint: str | None) -> str:
        """The base URL joined with ``endpoint`` by exactly one ``/``."""
        base = self.base_url
        if base and not base.endswith("/") and endpoint and not endpoint.startswith("/"):
            return base + "/" + endpoint
        return (self.base_url or "") + (endpoint or "")

    def run(
        self,
        endpoint: str | None = None,
        data: dict[str, Any] | str | bytes | None = None,
        headers: dict[str, Any] | None = None,
        extra_options: dict[str, Any] | None = None,
        **request_kwargs: Any,
    ) -> HttpResponse:
        """Send one request. ``data`` is the query string of a GET, the body otherwise.
        Raises :class:`HttpResponseError` for a status >= 400 unless
        ``extra_options={"check_response": False}``."""
        extra_options = extra_options or {}
        with self.get_conn(headers, extra_options) as client:
            url = self.url_from_endpoint(endpoint)
            kwargs: dict[str, Any] = dict(request_kwargs)
            if self.method == "GET":
                if data:
                    kwargs["params"] = data
            elif self.method != "HEAD" and data is not None:
                if isinstance(data, str | bytes):
                    kwargs["content"] = data
                else:
                    kwargs["data"] = data
            self.log.debug("Sending '%s' to url: %s", self.method, url)
            try:
                response = client.request(self.method, url, **kwargs)
            except httpx.TransportError as exc:
                raise HttpConnectionError(
                    f"cannot reach {url} for connection {self.http_conn_id}: {exc}",
                    hint="check that the server is up and the connection's host and port",
                ) from None
        response.__class__ = HttpResponse
        if extra_options.get("check_response", True):
            self.check_response(response)
        return response  # type: ignore[return-value]

    def check_response(self, response: httpx.Response) -> None:
        """Raise :class:`HttpResponseError` ("<status>:<reason>") for a status >= 400."""
        if response.status_code >= 400:
            self.log.error("HTTP error: %s", response.reason_phrase)
            self.log.error(response.text)
            raise HttpResponseError(response)

    def test_connection(self) -> tuple[bool, str]:
        try:
            self.run()
            return True, "Connection successfully tested"
        except TradewindError as exc:
            return False, str(exc)
