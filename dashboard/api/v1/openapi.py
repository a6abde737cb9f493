"""The OpenAPI 3 document, generated from the endpoint table (so it always matches the routes)."""

from __future__ import annotations

import re
from typing import Any

from dashboard.api.v1.endpoint import PREFIX, Call, Endpoint, Param
from dashboard.api.v1.schemas import ERROR

_PATH_PARAM = re.compile(r"{([^}:]+)(?::([^}]+))?}")
_ERRORS = {
    "400": "Bad request: a malformed body, a bad parameter",
    "401": "Not logged in",
    "403": "The role may not do this, or the CSRF token is missing",
    "404": "Not found",
    "409": "Conflicts with what is stored",
}


def openapi_path(path: str) -> str:
    """Starlette's ``{map_index:int}`` as OpenAPI's ``{map_index}``."""
    return _PATH_PARAM.sub(lambda m: "{" + m.group(1) + "}", path)


def _schema(param: Param) -> dict[str, Any]:
    if param.type == "date-time":
        schema: dict[str, Any] = {"type": "string", "format": "date-time"}
    else:
        schema = {"type": param.type}
    if param.enum is not None:
        schema["enum"] = list(param.enum)
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.default is not None:
        schema["default"] = param.default
    if param.many:
        return {"type": "array", "items": schema}
    return schema


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "name": match.group(1),
            "in": "path",
            "required": True,
            "schema": {"type": "integer" if match.group(2) == "int" else "string"},
        }
        for match in _PATH_PARAM.finditer(endpoint.path)
    ]
    for param in endpoint.query:
        entry: dict[str, Any] = {"name": param.name, "in": "query", "schema": _schema(param)}
        if param.description:
            entry["description"] = param.description
        if param.many:
            entry.update(style="form", explode=True)
        parameters.append(entry)
    if endpoint.status == 204:
        success: dict[str, Any] = {"description": "Done"}
    else:
        success = {
            "description": "OK",
            "content": {"application/json": {"schema": dict(endpoint.response or {})}},
        }
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    operation: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": parameters,
        "responses": {
            str(endpoint.status): success,
            **{code: {"description": text, **error} for code, text in _ERRORS.items()},
        },
        "x-tradewind-role": endpoint.role,
    }
    if endpoint.role is None:
        operation["security"] = []
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": bool(endpoint.body.get("required")),
            "content": {"application/json": {"schema": dict(endpoint.body)}},
        }
    return operation


def build_document(endpoints: tuple[Endpoint, ...]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        item = paths.setdefault(openapi_path(endpoint.path), {})
        item[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Tradewind REST API",
            "version": "1.0.0",
            "description": "Airflow-style stable REST API of Tradewind. Errors are JSON "
            '{"status", "message"}. State changes made with a session cookie need the '
            "X-CSRF-Token header; HTTP basic auth and bearer API tokens do not.",
        },
        "servers": [{"url": PREFIX}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic"},
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "tradewind_session"},
            },
        },
        "security": [{"basicAuth": []}, {"bearerAuth": []}, {"cookieAuth": []}],
    }


def get_openapi(call: Call) -> dict[str, Any]:
    from dashboard.api.v1.routes import endpoints

    return build_document(endpoints())


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/openapi.json",
        get_openapi,
        "This OpenAPI document",
        "Monitoring",
        role=None,
    ),
)
