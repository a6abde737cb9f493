"""Variables (masked), connections (write-only passwords), pools and import errors."""

from __future__ import annotations


def test_variables_crud_masks_sensitive_values(api):
    client = api.client("Op")
    assert (
        client.post("/api/v1/variables", json={"key": "region", "value": "eu"}).status_code == 200
    )
    created = client.post("/api/v1/variables", json={"key": "db_password", "value": "hunter2"})
    assert created.json()["value"] == "***"
    listed = {v["key"]: v["value"] for v in client.get("/api/v1/variables").json()["variables"]}
    assert listed == {"db_password": "***", "region": "eu"}
    assert client.patch("/api/v1/variables/region", json={"value": "us"}).json()["value"] == "us"
    assert client.delete("/api/v1/variables/region").status_code == 204
    assert client.get("/api/v1/variables/region").status_code == 404
    from tradewind.metastore.variables import get_variable

    with api.metastore.session() as session:
        assert get_variable(session, "db_password") == "hunter2"


def test_connection_passwords_are_written_but_never_returned(api):
    client = api.client("Op")
    answer = client.post(
        "/api/v1/connections",
        json={
            "connection_id": "pg",
            "conn_type": "postgres",
            "host": "db",
            "port": 5432,
            "password": "s3cret",
            "extra": {"sslmode": "require", "api_key": "k1"},
        },
    )
    assert answer.status_code == 200, answer.text
    assert "s3cret" not in answer.text and "k1" not in answer.text
    assert answer.json()["has_password"] is True
    assert (
        client.post(
            "/api/v1/connections", json={"connection_id": "pg", "conn_type": "x"}
        ).status_code
        == 409
    )
    patched = client.patch("/api/v1/connections/pg", json={"host": "db2"})
    assert patched.json()["host"] == "db2" and "s3cret" not in patched.text
    listed = client.get("/api/v1/connections").text
    assert "s3cret" not in listed and "pg" in listed
    from tradewind.metastore.connections import get_connection

    with api.metastore.session() as session:
        assert get_connection(session, "pg").password == "s3cret"  # kept across the patch
    assert client.delete("/api/v1/connections/pg").status_code == 204
    assert client.get("/api/v1/connections/pg").status_code == 404


def test_pools_show_slots_in_use(api):
    run_id = api.trigger("api_etl")
    for step in ("scheduled", "queued", "running"):
        api.set_state("api_etl", run_id, "transform", step)
    client = api.client("Op")
    pool = client.get("/api/v1/pools/api_pool").json()
    assert (pool["slots"], pool["running_slots"], pool["open_slots"]) == (3, 1, 2)
    assert client.post("/api/v1/pools", json={"name": "big", "slots": 10}).status_code == 200
    assert client.post("/api/v1/pools", json={"name": "big", "slots": 1}).status_code == 409
    assert client.patch("/api/v1/pools/big", json={"slots": 20}).json()["slots"] == 20
    names = [p["name"] for p in client.get("/api/v1/pools").json()["pools"]]
    assert names == ["api_pool", "big", "default_pool"]
    assert client.delete("/api/v1/pools/big").status_code == 204


def test_import_errors_list_the_broken_file(api):
    client = api.client("Viewer")
    body = client.get("/api/v1/importErrors").json()
    assert body["total_entries"] == 1
    error = body["import_errors"][0]
    assert error["filename"].endswith("api_broken.py")
    assert "not_a_module_anywhere_api" in error["stack_trace"]
    one = client.get(f"/api/v1/importErrors/{error['import_error_id']}").json()
    assert one == error


def test_admin_creates_a_user_whose_token_then_works(api):
    admin = api.client("Admin")
    created = admin.post(
        "/api/v1/users", json={"username": "ci", "email": "ci@x", "role": "User"}
    ).json()
    assert created["role"] == "User" and created["generated_password"]
    assert "password_hash" not in created
    assert (
        admin.post(
            "/api/v1/users", json={"username": "ci", "email": "ci@x", "role": "User"}
        ).status_code
        == 409
    )
    token = admin.post("/api/v1/users/ci/tokens", json={"name": "ci"}).json()["token"]
    client = api.client(None)
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.post("/api/v1/dags/api_etl/dagRuns", json={}).status_code == 200
    assert client.get("/api/v1/users").status_code == 403  # a User may not manage users
    assert admin.delete("/api/v1/users/ci").status_code == 204
    assert client.get("/api/v1/dags").status_code == 401  # its tokens went with it
