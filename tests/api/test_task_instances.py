"""Task instances: list with filters and wildcards, get, mark, clear."""

from __future__ import annotations


def test_task_instances_filter_by_state_pool_and_queue(api):
    run_id = api.trigger("api_etl")
    api.set_state("api_etl", run_id, "extract", "failed")
    client = api.client("Viewer")
    base = f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances"
    failed = client.get(base + "?state=failed").json()
    assert [t["task_id"] for t in failed["task_instances"]] == ["extract"]
    assert client.get(base + "?pool=api_pool").json()["task_instances"][0]["task_id"] == (
        "transform"
    )
    assert client.get(base + "?queue=high_cpu").json()["total_entries"] == 1
    assert client.get(base + "?state=failed,none").json()["total_entries"] == 6


def test_wildcards_list_every_runs_task_instances_in_pages(api):
    api.trigger("api_etl", day=1)
    api.trigger("api_other", day=1)
    client = api.client("Viewer")
    page = client.get("/api/v1/dags/~/dagRuns/~/taskInstances?limit=4&offset=4").json()
    assert page["total_entries"] == 7 and len(page["task_instances"]) == 3


def test_get_a_task_instance_and_a_mapped_one(api):
    run_id = api.trigger("api_etl")
    client = api.client("Viewer")
    base = f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances"
    assert client.get(base + "/load").json()["state"] == "none"
    assert client.get(base + "/fan/2").json()["map_index"] == 2
    assert client.get(base + "/fan/7").status_code == 404
    assert client.get(base + "/nope").status_code == 404


def test_mark_a_task_instance_success(api):
    run_id = api.trigger("api_etl")
    answer = api.client("User").patch(
        f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances/extract",
        json={"new_state": "success"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["task_instances"][0]["task_id"] == "extract"
    assert api.ti_state("api_etl", run_id, "extract") == "success"


def test_mark_dry_run_changes_nothing(sqlite_api):
    run_id = sqlite_api.trigger("api_etl")
    answer = sqlite_api.client("User").patch(
        f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances/extract",
        json={"new_state": "failed", "dry_run": True},
    )
    assert len(answer.json()["task_instances"]) == 1
    assert sqlite_api.ti_state("api_etl", run_id, "extract") == "none"


def test_clear_defaults_to_a_dry_run_of_failed_tasks_as_airflow(api):
    run_id = api.trigger("api_etl")
    api.set_state("api_etl", run_id, "extract", "failed")
    client = api.client("User")
    dry = client.post("/api/v1/dags/api_etl/clearTaskInstances", json={}).json()
    assert [t["task_id"] for t in dry["task_instances"]] == ["extract"]
    assert api.ti_state("api_etl", run_id, "extract") == "failed"
    done = client.post(
        "/api/v1/dags/api_etl/clearTaskInstances",
        json={"dry_run": False, "dag_run_id": run_id, "task_ids": ["extract"]},
    )
    assert done.status_code == 200
    assert api.ti_state("api_etl", run_id, "extract") == "none"


def test_clear_with_downstream_selects_the_relatives(sqlite_api):
    run_id = sqlite_api.trigger("api_etl")
    answer = sqlite_api.client("User").post(
        "/api/v1/dags/api_etl/clearTaskInstances",
        json={"task_ids": ["load"], "only_failed": False, "include_downstream": True},
    )
    assert sorted(t["task_id"] for t in answer.json()["task_instances"]) == [
        "fan",
        "fan",
        "fan",
        "load",
    ]
    assert run_id
