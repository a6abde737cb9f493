"""Reading a try's log in chunks, and XCom entries."""

from __future__ import annotations

from pathlib import Path


def _ran_once(api, run_id: str, task_id: str, state: str = "running") -> None:
    from tradewind.metastore.models import TaskInstance

    steps = ["scheduled", "queued", "running"] if state == "running" else [state]
    for step in steps:
        api.set_state("api_etl", run_id, task_id, step)
    with api.metastore.session() as session:
        session.get(TaskInstance, ("api_etl", run_id, task_id, -1)).try_number = 1


def _write_log(api, run_id: str, task_id: str, text: str) -> Path:
    from tradewind.core.keys import TryKey
    from tradewind.runtime.task_log import try_log_path

    path = try_log_path(
        api.settings.logging.base_log_folder, TryKey("api_etl", run_id, task_id, -1, 1)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_log_is_read_in_chunks_from_an_offset(api):
    run_id = api.trigger("api_etl")
    _ran_once(api, run_id, "extract")
    path = _write_log(api, run_id, "extract", "line one\n")
    client = api.client("Viewer")
    url = f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances/extract/logs/1"
    first = client.get(url).json()
    assert first["content"] == "line one\n" and first["found"] is True
    assert first["end_of_log"] is False  # the try still runs
    with path.open("a") as handle:
        handle.write("line two\n")
    more = client.get(url, params={"token": first["continuation_token"]}).json()
    assert more["content"] == "line two\n"
    assert more["next_offset"] == len("line one\nline two\n")


def test_log_of_a_try_that_has_not_run_is_404(sqlite_api):
    run_id = sqlite_api.trigger("api_etl")
    url = f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances/extract/logs/1"
    answer = sqlite_api.client("Viewer").get(url)
    assert answer.status_code == 404 and "has no try 1" in answer.json()["message"]


def test_log_not_written_yet_says_so(sqlite_api):
    run_id = sqlite_api.trigger("api_etl")
    _ran_once(sqlite_api, run_id, "extract", "success")
    url = f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances/extract/logs/1"
    body = sqlite_api.client("Viewer").get(url).json()
    assert body["found"] is False and body["content"] == "" and body["end_of_log"] is True


def test_xcom_entries_list_and_get_with_secrets_redacted(api):
    from tradewind.core.keys import TaskInstanceKey
    from tradewind.metastore.xcoms import push_xcom
    from tradewind.runtime.secrets_masker import mask_secret, reset_secrets

    run_id = api.trigger("api_etl")
    key = TaskInstanceKey("api_etl", run_id, "extract")
    with api.metastore.session() as session:
        push_xcom(session, key, "return_value", {"rows": 3, "pw": "hunter2"}, max_size=10_000)
        push_xcom(session, key, "other", [1, 2], max_size=10_000)
    client = api.client("Viewer")
    base = f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances/extract/xcomEntries"
    listed = client.get(base).json()
    assert listed["total_entries"] == 2 and "value" not in listed["xcom_entries"][0]
    assert (
        client.get("/api/v1/dags/~/dagRuns/~/taskInstances/~/xcomEntries").json()["total_entries"]
        == 2
    )
    mask_secret("hunter2")
    try:
        value = client.get(base + "/return_value").json()["value"]
    finally:
        reset_secrets()
    assert value == {"rows": 3, "pw": "***"}
    assert client.get(base + "/missing").status_code == 404


def test_log_of_a_try_on_another_machine_comes_from_its_workers_log_server(sqlite_api, tmp_path):
    from tradewind.core.keys import TryKey
    from tradewind.metastore.models import TaskInstance, Worker
    from tradewind.runtime.task_log import try_log_path
    from worker.log_server import LogServer

    run_id = sqlite_api.trigger("api_etl")
    _ran_once(sqlite_api, run_id, "extract")
    elsewhere = tmp_path / "worker_logs"
    path = try_log_path(elsewhere, TryKey("api_etl", run_id, "extract", -1, 1))
    path.parent.mkdir(parents=True)
    path.write_text("from the worker\n")
    server = LogServer(
        base_log_folder=str(elsewhere),
        secret_key=sqlite_api.settings.core.secret_key,
        host="127.0.0.1",
        port=0,
    )
    server.start()
    try:
        with sqlite_api.metastore.session() as session:
            session.add(Worker(name="w9", log_server_url=f"http://127.0.0.1:{server.port}"))
            session.get(TaskInstance, ("api_etl", run_id, "extract", -1)).worker_name = "w9"
        url = f"/api/v1/dags/api_etl/dagRuns/{run_id}/taskInstances/extract/logs/1"
        body = sqlite_api.client("Viewer").get(url).json()
    finally:
        server.stop()
    assert body["content"] == "from the worker\n" and body["source"] == "worker w9"
