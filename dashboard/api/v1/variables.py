"""Variables: CRUD for the Op role; values of sensitive keys are masked on every read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dashboard.api.v1.endpoint import Call, Endpoint
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import ID, NULLABLE_STRING, collection, obj
from dashboard.auth.permissions import EDIT_ADMIN
from tradewind.errors import VariableNotFound
from tradewind.metastore.models import Variable

MASK = "***"


def _masked(call: Call, key: str, value: str) -> str:
    from tradewind.runtime.secrets_masker import add_sensitive_words, should_mask_key

    add_sensitive_words(call.settings.core.sensitive_var_conn_names)
    return MASK if should_mask_key(key) else value


def variable_json(call: Call, row: Variable) -> dict[str, Any]:
    from tradewind.metastore.secrets import decrypt

    value = decrypt(row.val, what=f"variable {row.key}") if row.is_encrypted else row.val
    return {
        "key": row.key,
        "value": _masked(call, row.key, value),
        "description": row.description,
        "is_encrypted": row.is_encrypted,
    }


def _find(call: Call, key: str) -> Variable:
    row = call.session.scalar(select(Variable).where(Variable.key == key))
    if row is None:
        raise VariableNotFound(f"variable {key!r} not found")
    return row


def get_variables(call: Call) -> dict[str, Any]:
    rows, total = page(
        call.session, select(Variable).order_by(Variable.key), [], call, count_from=Variable
    )
    return {"variables": [variable_json(call, r[0]) for r in rows], "total_entries": total}


def get_variable(call: Call) -> dict[str, Any]:
    return variable_json(call, _find(call, call.path["variable_key"]))


def post_variable(call: Call) -> dict[str, Any]:
    from tradewind.metastore.variables import set_variable

    body = call.body
    set_variable(call.session, body["key"], body["value"], body.get("description"))
    return variable_json(call, _find(call, body["key"]))


def patch_variable(call: Call) -> dict[str, Any]:
    from tradewind.metastore.variables import set_variable

    key = call.path["variable_key"]
    row = _find(call, key)
    if "value" in call.body:
        set_variable(call.session, key, call.body["value"], call.body.get("description"))
    elif "description" in call.body:
        row.description = call.body["description"]
        call.session.flush()
    return variable_json(call, _find(call, key))


def delete_variable(call: Call) -> None:
    from tradewind.metastore.variables import delete_variable as delete

    _find(call, call.path["variable_key"])
    delete(call.session, call.path["variable_key"])


_VAR = obj({"key": {"type": "string"}, "value": {"type": "string"}})
_VALUE = {"type": "string", "maxLength": 1_000_000}
_PATH = "/variables/{variable_key}"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/variables",
        get_variables,
        "List variables (sensitive values masked)",
        "Variable",
        role=EDIT_ADMIN,
        query=PAGE_PARAMS,
        response=collection("variables", _VAR),
    ),
    Endpoint(
        "GET", _PATH, get_variable, "Get a variable", "Variable", role=EDIT_ADMIN, response=_VAR
    ),
    Endpoint(
        "POST",
        "/variables",
        post_variable,
        "Create or replace a variable",
        "Variable",
        role=EDIT_ADMIN,
        body=obj({"key": ID, "value": _VALUE, "description": NULLABLE_STRING}, ["key", "value"]),
        response=_VAR,
    ),
    Endpoint(
        "PATCH",
        _PATH,
        patch_variable,
        "Change a variable's value or description",
        "Variable",
        role=EDIT_ADMIN,
        body=obj({"value": _VALUE, "description": NULLABLE_STRING}),
        response=_VAR,
    ),
    Endpoint(
        "DELETE",
        _PATH,
        delete_variable,
        "Delete a variable",
        "Variable",
        role=EDIT_ADMIN,
        status=204,
    ),
)
