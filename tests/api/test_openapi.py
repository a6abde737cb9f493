"""The OpenAPI document matches the routes: every /api/v1 route is in it and vice versa."""

from __future__ import annotations

import re


def _app_operations(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/v1"):
            plain = re.sub(r"{([^}:]+):[^}]+}", r"{\1}", path)[len("/api/v1") :]
            for method in route.methods - {"HEAD"}:
                found.add((method.lower(), plain))
    return found


def test_every_api_route_is_documented_and_every_documented_path_is_routed(sqlite_api):
    doc = sqlite_api.client(None).get("/api/v1/openapi.json").json()
    documented = {(method, path) for path, item in doc["paths"].items() for method in item}
    routed = _app_operations(sqlite_api.app)
    assert routed, "no /api/v1 routes found"
    assert routed == documented


def test_the_document_is_openapi_3_with_unique_operation_ids_and_path_parameters(sqlite_api):
    doc = sqlite_api.client(None).get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for path, item in doc["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for op in item.values():
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == names, path


def test_documented_body_schemas_are_the_ones_enforced(sqlite_api):
    doc = sqlite_api.client(None).get("/api/v1/openapi.json").json()
    trigger = doc["paths"]["/dags/{dag_id}/dagRuns"]["post"]
    schema = trigger["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["conf"]["type"] == ["object", "null"]
    limit = next(p for p in doc["paths"]["/dags"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1 and limit["schema"]["default"] == 100
    assert doc["paths"]["/health"]["get"]["security"] == []
