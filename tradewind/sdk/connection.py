"""``Connection``: where and how to reach an external system, as Airflow's ``Connection``.

Connections are looked up by id: first the environment variable ``TRADEWIND_CONN_<CONN_ID>``
(a URI such as ``postgresql://user:pass@host:5432/db?sslmode=disable``, or a JSON object),
then the metastore, where the password and extra are Fernet-encrypted.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from tradewind.errors import ConnectionNotFound, TradewindError
from tradewind.runtime.secrets_masker import mask_secret, redact_value

ENV_PREFIX = "TRADEWIND_CONN_"
#: Airflow's prefix, read after Tradewind's (a ported deployment's environment keeps working)
AIRFLOW_ENV_PREFIX = "AIRFLOW_CONN_"
EXTRA_KEY = "__extra__"
_FIELDS = ("conn_type", "host", "schema", "login", "password", "port", "extra", "description")


def _normalize_conn_type(conn_type: str) -> str:
    if conn_type == "postgresql":
        return "postgres"
    return conn_type.replace("-", "_")


def _hostname(parts: Any) -> str:
    hostname = unquote(parts.hostname or "")
    if "/" in hostname:  # an escaped path used as host, as in Airflow
        hostname = parts.netloc
        if "@" in hostname:
            hostname = hostname.rsplit("@", 1)[1]
        if ":" in hostname:
            hostname = hostname.split(":", 1)[0]
        hostname = unquote(hostname)
    return hostname


class Connection:
    """A connection to an external system (``conn_id`` names it for hooks and operators)."""

    def __init__(
        self,
        conn_id: str | None = None,
        conn_type: str | None = None,
        description: str | None = "",
        host: str | None = None,
        login: str | None = None,
        password: str | None = None,
        schema: str | None = None,
        port: int | None = None,
        extra: str | dict[str, Any] | None = None,
        uri: str | None = None,
    ) -> None:
        self.conn_id = conn_id
        self.description = description
        if extra is not None and not isinstance(extra, str):
            extra = json.dumps(extra)
        if uri and (conn_type or host or login or password or schema or port or extra):
            raise TradewindError(
                "a Connection takes either uri or the separate fields, not both",
                hint="pass uri=... alone, or conn_type/host/login/... without uri",
            )
        self.conn_type: str | None = conn_type
        self.host = host
        self.login = login
        self.password = password
        self.schema = schema
        self.port = int(port) if port not in (None, "") else None
        self.extra = extra
        if uri:
            self._parse_from_uri(uri)
        if self.password:
            mask_secret(self.password)

    # -- URIs ---------------------------------------------------------------------------------
    def _parse_from_uri(self, uri: str) -> None:
        try:
            self._parse_uri_parts(uri)
        except ValueError as exc:  # urllib's own complaints (an unclosed "[", a bad port)
            raise TradewindError(
                f"invalid connection URI {redact_value(uri)!r}: {exc}",
                hint="write it as type://login:password@host:port/schema?extra_key=value",
            ) from None

    def _parse_uri_parts(self, uri: str) -> None:
        schemes = uri.count("://")
        if schemes == 0 or schemes > 2:
            raise TradewindError(
                f"invalid connection URI {redact_value(uri)!r}",
                hint="write it as type://login:password@host:port/schema?extra_key=value",
            )
        host_with_protocol = schemes == 2
        conn_type = urlsplit(uri).scheme
        self.conn_type = _normalize_conn_type(conn_type)
        rest = uri.replace(f"{conn_type}://", "" if host_with_protocol else "//", 1)
        if host_with_protocol:
            first = rest.split("://", 1)[0]
            if "@" in first or ":" in first:
                raise TradewindError(f"invalid connection URI {uri!r}")
        parts = urlsplit(rest)
        protocol = parts.scheme if host_with_protocol else None
        host = _hostname(parts)
        self.host = f"{protocol}://{host}" if protocol else (host or None)
        quoted_schema = parts.path[1:]
        self.schema = unquote(quoted_schema) if quoted_schema else None
        self.login = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        try:
            self.port = parts.port
        except ValueError:
            raise TradewindError("the port in the connection URI is not a number") from None
        if parts.query:
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            self.extra = query[EXTRA_KEY] if EXTRA_KEY in query else json.dumps(query)

    def get_uri(self) -> str:
        """The connection as a URI, the inverse of ``Connection(uri=...)``."""
        uri = f"{self.conn_type.lower().replace('_', '-')}://" if self.conn_type else "//"
        if self.host and "://" in self.host:
            protocol, host = self.host.split("://", 1)
            uri += f"{protocol}://"
        else:
            host = self.host
        authority = ""
        if self.login is not None:
            authority += quote(self.login, safe="")
        if self.password is not None:
            authority += ":" + quote(self.password, safe="")
        if authority:
            uri += authority + "@"
        host_block = quote(host, safe="") if host else ""
        if self.port:
            host_block += f"@:{self.port}" if not host_block and not authority else f":{self.port}"
        if self.schema:
            host_block += f"/{quote(self.schema, safe='')}"
        uri += host_block
        if self.extra:
            sep = "?" if self.schema else "/?"
            try:
                query = urlencode(self.extra_dejson)
            except TypeError:
                query = ""
            if query and self.extra_dejson == dict(parse_qsl(query, keep_blank_values=True)):
                uri += sep + query
            else:
                uri += sep + urlencode({EXTRA_KEY: self.extra})
        return uri

    # -- extras -------------------------------------------------------------------------------
    @property
    def extra_dejson(self) -> dict[str, Any]:
        """The extra JSON as a dict ({} when empty or not JSON)."""
        if not self.extra:
            return {}
        try:
            value = json.loads(self.extra)
        except json.JSONDecodeError:
            return {}
        if isinstance(value, dict):
            mask_secret({k: v for k, v in value.items() if _sensitive(k)})
            return value
        return {}

    def get_extra(self) -> str | None:
        return self.extra

    def get_password(self) -> str | None:
        return self.password

    def to_dict(self) -> dict[str, Any]:
        """Airflow's JSON form (the one ``TRADEWIND_CONN_X`` may hold)."""
        out: dict[str, Any] = {"conn_id": self.conn_id}
        for name in _FIELDS:
            value = getattr(self, name)
            if name == "extra" and value:
                value = self.extra_dejson or value
            if value not in (None, ""):
                out[name] = value
        return out

    @classmethod
    def from_json(cls, value: str, conn_id: str | None = None) -> Connection:
        """A connection from Airflow's JSON form (``extra`` may be an object)."""
        try:
            data = json.loads(value)
        except json.JSONDecodeError as exc:
            raise TradewindError(f"connection {conn_id} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise TradewindError(f"connection {conn_id} must be a JSON object")
        data.pop("conn_id", None)
        unknown = set(data) - set(_FIELDS)
        if unknown:
            raise TradewindError(
                f"connection {conn_id} has unknown fields: {', '.join(sorted(unknown))}"
            )
        return cls(conn_id=conn_id, **data)

    # -- lookup -------------------------------------------------------------------------------
    @classmethod
    def get_connection_from_secrets(cls, conn_id: str) -> Connection:
        """The connection ``conn_id`` from the environment, else from the metastore."""
        conn = _from_environment(conn_id)
        if conn is not None:
            return conn
        from tradewind.metastore.connections import get_connection
        from tradewind.sdk.metastore_access import metastore_session

        with metastore_session(
            f"read Connection {conn_id}", hint=f"or set {ENV_PREFIX}{conn_id.upper()}"
        ) as session:
            conn = get_connection(session, conn_id)
        if conn is None:
            raise ConnectionNotFound(
                f"The conn_id `{conn_id}` isn't defined",
                hint=f"add it with `tradewind connections add {conn_id} --conn-uri ...` or set "
                f"{ENV_PREFIX}{conn_id.upper()}",
            )
        return conn

    def __repr__(self) -> str:
        return f"Connection(conn_id={self.conn_id!r}, conn_type={self.conn_type!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Connection):
            return NotImplemented
        return self.conn_id == other.conn_id and all(
            getattr(self, f) == getattr(other, f) for f in _FIELDS
        )

    __hash__ = None  # type: ignore[assignment]


def _sensitive(key: str) -> bool:
    from tradewind.runtime.secrets_masker import should_mask_key

    return should_mask_key(key)


def _from_environment(conn_id: str) -> Connection | None:
    value = os.environ.get(f"{ENV_PREFIX}{conn_id.upper()}") or os.environ.get(
        f"{AIRFLOW_ENV_PREFIX}{conn_id.upper()}"
    )
    if not value:
        return None
    if value.lstrip().startswith("{"):
        return Connection.from_json(value, conn_id=conn_id)
    return Connection(conn_id=conn_id, uri=value)
