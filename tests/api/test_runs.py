"""/api/v1/dags/{dag_id}/dagRuns: trigger, list, get, set state, delete."""

from __future__ import annotations


def test_trigger_creates_a_queued_run_with_conf_and_task_instances(api):
    client = api.client("User")
    answer = client.post(
        "/api/v1/dags/api_etl/dagRuns",
        json={"dag_run_id": "my_run", "logical_date": "2024-05-01T00:00:00Z", "conf": {"rows": 3}},
    )
    assert answer.status_code == 200, answer.text
    run = answer.json()
    assert run["dag_run_id"] == "my_run" and run["state"] == "queued"
    assert run["conf"] == {"rows": 3} and run["logical_date"] == "2024-05-01T00:00:00+00:00"
    tis = client.get("/api/v1/dags/api_etl/dagRuns/my_run/taskInstances").json()
    assert tis["total_entries"] == 6  # extract, transform, load, fan[0..2]


def test_trigger_with_a_bad_param_is_400_naming_it_and_creates_nothing(api):
    client = api.client("User")
    answer = client.post("/api/v1/dags/api_etl/dagRuns", json={"conf": {"rows": 0}})
    assert answer.status_code == 400 and "rows" in answer.json()["message"]
    assert client.get("/api/v1/dags/api_etl/dagRuns").json()["total_entries"] == 0


def test_trigger_of_an_unknown_dag_is_404(api):
    assert api.client("User").post("/api/v1/dags/nope/dagRuns", json={}).status_code == 404


def test_trigger_of_an_existing_run_id_is_409(api):
    client = api.client("User")
    assert client.post("/api/v1/dags/api_etl/dagRuns", json={"dag_run_id": "r"}).status_code == 200
    answer = client.post("/api/v1/dags/api_etl/dagRuns", json={"dag_run_id": "r"})
    assert answer.status_code == 409 and "already has a run" in answer.json()["message"]


def test_runs_list_filters_by_state_and_date_and_wildcard(api):
    first = api.trigger("api_etl", day=1)
    api.trigger("api_etl", day=2)
    api.trigger("api_other", day=1)
    client = api.client("Viewer")
    assert client.get("/api/v1/dags/~/dagRuns").json()["total_entries"] == 3
    after = client.get("/api/v1/dags/api_etl/dagRuns?logical_date_gte=2024-03-02").json()
    assert after["total_entries"] == 1
    assert client.get("/api/v1/dags/~/dagRuns?state=failed").json()["total_entries"] == 0
    newest = client.get("/api/v1/dags/api_etl/dagRuns?order_by=-logical_date&limit=1").json()
    assert newest["dag_runs"][0]["dag_run_id"] != first and newest["total_entries"] == 2


def test_mark_a_run_failed_then_delete_it(api):
    run_id = api.trigger("api_etl")
    client = api.client("User")
    answer = client.patch(f"/api/v1/dags/api_etl/dagRuns/{run_id}", json={"state": "failed"})
    assert answer.status_code == 200 and answer.json()["state"] == "failed"
    assert api.ti_state("api_etl", run_id, "extract") == "skipped"
    assert client.delete(f"/api/v1/dags/api_etl/dagRuns/{run_id}").status_code == 204
    assert client.get(f"/api/v1/dags/api_etl/dagRuns/{run_id}").status_code == 404


def test_get_unknown_run_is_404(api):
    assert api.client("Viewer").get("/api/v1/dags/api_etl/dagRuns/nope").status_code == 404
