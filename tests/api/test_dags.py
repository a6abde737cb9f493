"""/api/v1/dags: list with filters and pages, get, pause, delete."""

from __future__ import annotations


def test_dags_list_in_airflows_shape_with_tags_and_total(api):
    body = api.client("Viewer").get("/api/v1/dags").json()
    assert body["total_entries"] == 2
    etl = next(d for d in body["dags"] if d["dag_id"] == "api_etl")
    assert etl["tags"] == [{"name": "api"}, {"name": "etl"}]
    assert etl["is_paused"] is True and etl["schedule_interval"] == "@daily"


def test_dags_filter_by_tag_pattern_and_paused(api):
    client = api.client("Viewer")
    assert [d["dag_id"] for d in client.get("/api/v1/dags?tags=reports").json()["dags"]] == [
        "api_other"
    ]
    assert client.get("/api/v1/dags?dag_id_pattern=ETL").json()["total_entries"] == 1
    assert client.get("/api/v1/dags?dag_id_pattern=%25").json()["total_entries"] == 0
    assert client.get("/api/v1/dags?paused=false").json()["total_entries"] == 0


def test_dags_paginate_with_the_total_of_all_pages(api):
    client = api.client("Viewer")
    first = client.get("/api/v1/dags?limit=1").json()
    second = client.get("/api/v1/dags?limit=1&offset=1").json()
    assert first["total_entries"] == second["total_entries"] == 2
    assert [d["dag_id"] for d in first["dags"] + second["dags"]] == ["api_etl", "api_other"]


def test_a_limit_above_the_maximum_is_cut_to_it(sqlite_api):
    answer = sqlite_api.client("Viewer").get("/api/v1/dags?limit=5000")
    assert answer.status_code == 200 and answer.json()["total_entries"] == 2


def test_get_unknown_dag_is_404_json(api):
    answer = api.client("Viewer").get("/api/v1/dags/nope")
    assert answer.status_code == 404
    body = answer.json()
    assert body["status"] == 404 and body["message"].startswith("DAG 'nope' not found")


def test_user_unpauses_a_dag(api):
    client = api.client("User")
    answer = client.patch("/api/v1/dags/api_etl", json={"is_paused": False})
    assert answer.status_code == 200 and answer.json()["is_paused"] is False
    assert client.get("/api/v1/dags/api_etl").json()["is_paused"] is False


def test_dag_details_carry_params_and_task_ids(sqlite_api):
    body = sqlite_api.client("Viewer").get("/api/v1/dags/api_etl/details").json()
    assert body["params"]["rows"]["default"] == 10
    assert body["task_ids"] == ["extract", "transform", "load", "fan"]


def test_op_deletes_a_dag_with_its_runs_but_a_user_may_not(sqlite_api):
    sqlite_api.trigger("api_etl")
    assert sqlite_api.client("User").delete("/api/v1/dags/api_etl").status_code == 403
    assert sqlite_api.client("Op").delete("/api/v1/dags/api_etl").status_code == 204
    client = sqlite_api.client("Viewer")
    assert client.get("/api/v1/dags/api_etl").status_code == 404
    assert client.get("/api/v1/dags/~/dagRuns").json()["total_entries"] == 0
