"""Who may call what: 401 without credentials, 403 for a weaker role (nothing changes), basic
auth and API tokens without CSRF, session cookies only with the CSRF header."""

from __future__ import annotations

import pytest

TRIGGER = "/api/v1/dags/api_etl/dagRuns"


def _runs(api) -> int:
    return api.client("Viewer").get(TRIGGER).json()["total_entries"]


def test_no_credentials_is_401_but_health_and_openapi_answer(api):
    client = api.client(None)
    answer = client.get("/api/v1/dags")
    assert answer.status_code == 401 and answer.json()["message"] == "authentication required"
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_wrong_password_is_401(sqlite_api):
    client = sqlite_api.client(None)
    client.headers["Authorization"] = "Basic dmlld2VyOndyb25n"  # viewer:wrong
    assert client.get("/api/v1/dags").status_code == 401


def test_viewer_is_refused_a_trigger_and_no_run_appears(api):
    answer = api.client("Viewer").post(TRIGGER, json={})
    assert answer.status_code == 403 and "Viewer" in answer.json()["message"]
    assert _runs(api) == 0


def test_viewer_is_refused_a_pause_and_the_dag_stays_paused(api):
    assert (
        api.client("Viewer").patch("/api/v1/dags/api_etl", json={"is_paused": False}).status_code
        == 403
    )
    assert api.client("Viewer").get("/api/v1/dags/api_etl").json()["is_paused"] is True


@pytest.mark.parametrize(
    ("role", "method", "url", "body", "allowed"),
    [
        ("Viewer", "post", "/api/v1/dags/api_etl/clearTaskInstances", {}, False),
        ("User", "post", "/api/v1/dags/api_etl/clearTaskInstances", {}, True),
        ("User", "post", "/api/v1/variables", {"key": "k", "value": "v"}, False),
        ("Op", "post", "/api/v1/variables", {"key": "k", "value": "v"}, True),
        ("Viewer", "get", "/api/v1/variables", None, False),
        ("User", "get", "/api/v1/connections", None, False),
        ("Op", "get", "/api/v1/connections", None, True),
        ("Viewer", "get", "/api/v1/pools", None, True),
        ("User", "post", "/api/v1/pools", {"name": "p", "slots": 1}, False),
        ("Op", "post", "/api/v1/pools", {"name": "p", "slots": 1}, True),
        ("User", "delete", "/api/v1/dags/api_other", None, False),
    ],
)
def test_role_matrix(sqlite_api, role, method, url, body, allowed):
    client = sqlite_api.client(role)
    kwargs = {"json": body} if body is not None else {}
    answer = client.request(method.upper(), url, **kwargs)
    assert (answer.status_code < 400) is allowed, answer.text
    if not allowed:
        assert answer.status_code == 403


def test_an_api_token_authenticates_without_csrf(api):
    from tradewind.metastore.users import create_api_token

    with api.metastore.session() as session:
        token = create_api_token(session, "user", "ci")
    client = api.client(None)
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.post(TRIGGER, json={"dag_run_id": "by_token"}).status_code == 200
    client.headers["Authorization"] = "Bearer not-a-token"
    assert client.get("/api/v1/dags").status_code == 401


def test_a_cookie_session_needs_the_csrf_header_to_change_anything(api):
    client, token = api.cookie_client("User")
    assert client.get("/api/v1/dags").status_code == 200
    refused = client.post(TRIGGER, json={"dag_run_id": "no_csrf"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    assert _runs(api) == 0
    wrong = client.post(TRIGGER, json={}, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    done = client.post(TRIGGER, json={"dag_run_id": "csrf"}, headers={"X-CSRF-Token": token})
    assert done.status_code == 200 and _runs(api) == 1
