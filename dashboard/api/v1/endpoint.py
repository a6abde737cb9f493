"""One API endpoint, declared as data: path, method, role, query parameters and body schema.

The same declarations build the Starlette routes (:func:`route_for`) and the OpenAPI document
(:mod:`dashboard.api.v1.openapi`), so the two cannot drift apart. Every call goes through
:func:`_dispatch`: the role (401/403), the CSRF token for cookie-authenticated changes, the query
and body checked against their declarations (400 naming the bad field), then the handler in a
worker thread with one metastore session that commits when it returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dashboard.auth.csrf import SAFE_METHODS, check_csrf
from dashboard.auth.middleware import CurrentUser
from dashboard.auth.permissions import READ, current_user, require
from dashboard.errors import ApiError

PREFIX = "/api/v1"
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
#: the largest integer a path or query value may carry (a 32-bit column's range)
_MAX_INT = 2**31 - 1


@dataclass(frozen=True)
class Param:
    """A query parameter. ``type``: string, integer, boolean or date-time."""

    name: str
    type: str = "string"
    description: str = ""
    default: Any = None
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    #: larger values are silently cut to this (Airflow's page limit)
    clamp: int | None = None
    #: may repeat (``?state=a&state=b``) or hold a comma-separated list
    many: bool = False


@dataclass
class Call:
    """What a handler gets: the request's parts, checked, and an open session."""

    request: Request
    session: Session
    user: CurrentUser | None
    path: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any]

    @property
    def settings(self) -> Any:
        return self.request.app.state.settings

    @property
    def metastore(self) -> Any:
        return self.request.app.state.metastore


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Endpoint:
    method: str
    #: under /api/v1, in Starlette's syntax (``{map_index:int}``)
    path: str
    handler: Handler
    summary: str
    tag: str
    #: the weakest role allowed; None: no login needed
    role: str | None = READ
    query: tuple[Param, ...] = ()
    #: JSON schema of the request body (an object), or None when there is no body
    body: Mapping[str, Any] | None = None
    #: 200 with a JSON body, or 204 with none
    status: int = 200
    #: the response's JSON schema, for the OpenAPI document
    response: Mapping[str, Any] | None = None
    #: the OpenAPI operationId when the handler's name would repeat another's
    op_id: str | None = None

    @property
    def full_path(self) -> str:
        return PREFIX + self.path

    @property
    def operation_id(self) -> str:
        if self.op_id:
            return self.op_id
        head, *rest = self.handler.__name__.split("_")
        return head + "".join(part.title() for part in rest)


def route_for(endpoint: Endpoint) -> Route:
    async def view(request: Request) -> Response:
        return await _dispatch(endpoint, request)

    view.__name__ = endpoint.handler.__name__
    return Route(endpoint.full_path, view, methods=[endpoint.method], name=endpoint.operation_id)


async def _dispatch(endpoint: Endpoint, request: Request) -> Response:
    user = require(request, endpoint.role) if endpoint.role else current_user(request)
    if request.method not in SAFE_METHODS:
        await check_csrf(request)
    path = {key: _check_value(value, key) for key, value in request.path_params.items()}
    query = parse_query(request, endpoint.query)
    body = await _read_body(request, endpoint.body) if endpoint.body is not None else {}
    result = await run_in_threadpool(_run, endpoint, request, user, path, query, body)
    if endpoint.status == 204:
        return Response(status_code=204)
    return JSONResponse(result, status_code=endpoint.status)


def _run(
    endpoint: Endpoint,
    request: Request,
    user: CurrentUser | None,
    path: dict[str, Any],
    query: dict[str, Any],
    body: dict[str, Any],
) -> Any:
    from sqlalchemy.exc import DataError, IntegrityError

    try:
        with request.app.state.metastore.session() as session:
            return endpoint.handler(Call(request, session, user, path, query, body))
    except DataError as exc:  # a value the database refuses (too long, out of range)
        raise ApiError(400, f"the database refused a value: {_first_line(exc.orig)}") from None
    except IntegrityError as exc:
        raise ApiError(409, f"conflicts with a stored row: {_first_line(exc.orig)}") from None


def _first_line(exc: object) -> str:
    return (str(exc).strip().splitlines() or ["?"])[0]


# -- query parameters ----------------------------------------------------------------------


def parse_query(request: Request, params: tuple[Param, ...]) -> dict[str, Any]:
    """Each declared parameter, converted and checked; its default when absent."""
    values: dict[str, Any] = {}
    for param in params:
        raw = request.query_params.getlist(param.name)
        if param.many:
            items = [item for text in raw for item in text.split(",") if item.strip()]
            values[param.name] = [_convert(param, item) for item in items] or param.default
        elif raw and raw[-1] != "":
            values[param.name] = _convert(param, raw[-1])
        else:
            values[param.name] = param.default
    return values


def _convert(param: Param, text: str) -> Any:
    text = _check_value(text, param.name).strip()
    what = f"query parameter {param.name!r}"
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,20}", text):
            raise ApiError(400, f"{what} must be a whole number, not {text!r}")
        value: Any = int(text)
        if param.minimum is not None and value < param.minimum:
            raise ApiError(400, f"{what} must be at least {param.minimum}, not {value}")
        if param.maximum is not None and value > param.maximum:
            raise ApiError(400, f"{what} must be at most {param.maximum}, not {value}")
        if param.clamp is not None:
            value = min(value, param.clamp)
        return _check_value(value, param.name)
    if param.type == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ApiError(400, f"{what} must be true or false, not {text!r}")
    if param.type == "date-time":
        from dashboard.api.v1.convert import parse_datetime

        return parse_datetime(text, what)
    if param.enum is not None and text not in param.enum:
        raise ApiError(400, f"{what} must be one of {', '.join(param.enum)}, not {text!r}")
    return text


def _check_value(value: Any, name: str) -> Any:
    """Refuse NUL characters (PostgreSQL cannot store them) and absurd integers."""
    if isinstance(value, str) and "\x00" in value:
        raise ApiError(400, f"{name!r} contains a NUL character")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_INT:
        raise ApiError(400, f"{name!r} is out of range: {value}")
    return value


# -- request bodies ------------------------------------------------------------------------


async def _read_body(request: Request, schema: Mapping[str, Any]) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        body: Any = {}
    else:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    _validate(body, schema)
    return body


def _validate(body: dict[str, Any], schema: Mapping[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    _reject_nul(body, "body")
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        error = errors[0]
        where = ".".join(str(part) for part in error.absolute_path)
        field = f"field {where!r}: " if where else ""
        raise ApiError(400, f"invalid request body: {field}{error.message}")


def _reject_nul(value: Any, where: str) -> None:
    if isinstance(value, str):
        _check_value(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, where)
            _reject_nul(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_nul(item, f"{where}[{index}]")
