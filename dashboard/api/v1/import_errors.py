"""Import errors of DAG files (file and message), newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dashboard.api.v1.convert import iso
from dashboard.api.v1.endpoint import Call, Endpoint
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import collection
from dashboard.errors import ApiError
from tradewind.metastore.models import ImportError_


def import_error_json(row: ImportError_) -> dict[str, Any]:
    return {
        "import_error_id": row.id,
        "filename": row.filename,
        "stack_trace": row.message,
        "timestamp": iso(row.timestamp),
    }


def get_import_errors(call: Call) -> dict[str, Any]:
    rows, total = page(
        call.session,
        select(ImportError_).order_by(ImportError_.id.desc()),
        [],
        call,
        count_from=ImportError_,
    )
    return {"import_errors": [import_error_json(r[0]) for r in rows], "total_entries": total}


def get_import_error(call: Call) -> dict[str, Any]:
    row = call.session.get(ImportError_, call.path["import_error_id"])
    if row is None:
        raise ApiError(404, f"import error {call.path['import_error_id']} not found")
    return import_error_json(row)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/importErrors",
        get_import_errors,
        "List import errors",
        "ImportError",
        query=PAGE_PARAMS,
        response=collection("import_errors"),
    ),
    Endpoint(
        "GET",
        "/importErrors/{import_error_id:int}",
        get_import_error,
        "Get an import error",
        "ImportError",
    ),
)
