"""Bad input always gets a 4xx JSON answer with a message, never a 500."""

from __future__ import annotations

import pytest

RUN = "/api/v1/dags/api_etl/dagRuns"
BAD = [
    ("GET", "/api/v1/dags?limit=-1", None, 400),
    ("GET", "/api/v1/dags?limit=0", None, 400),
    ("GET", "/api/v1/dags?limit=abc", None, 400),
    ("GET", "/api/v1/dags?offset=-5", None, 400),
    ("GET", "/api/v1/dags?offset=99999999999999999999", None, 400),
    ("GET", "/api/v1/dags?paused=maybe", None, 400),
    ("GET", "/api/v1/dags?order_by=dag_id;drop", None, 400),
    ("GET", "/api/v1/dags?dag_id_pattern=%00", None, 400),
    ("GET", "/api/v1/dags/~/dagRuns?state=exploded", None, 400),
    ("GET", "/api/v1/dags/~/dagRuns?logical_date_gte=yesterday", None, 400),
    ("GET", "/api/v1/dags/~/dagRuns/~/taskInstances?state=bogus", None, 400),
    ("GET", "/api/v1/dags/nope/dagRuns", None, 404),
    ("GET", "/api/v1/dags/api_etl/dagRuns/nope/taskInstances", None, 404),
    ("GET", "/api/v1/dags/api_etl/dagRuns/r/taskInstances/t/99999999999", None, 400),
    ("GET", "/api/v1/dags/api_etl/dagRuns/r/taskInstances/extract/logs/1?map_index=x", None, 400),
    ("GET", "/api/v1/dags/api_etl/dagRuns/r/taskInstances/extract/logs/1?token=abc", None, 400),
    ("GET", "/api/v1/importErrors/12345", None, 404),
    ("GET", "/api/v1/fleet/stats?minutes=0", None, 400),
    ("GET", "/api/v1/fleet/stats?minutes=100000", None, 400),
    ("POST", RUN, b"{not json", 400),
    ("POST", RUN, b"[1, 2]", 400),
    ("POST", RUN, b"\xff\xfe", 400),
    ("POST", RUN, {"conf": "not an object"}, 400),
    ("POST", RUN, {"logical_date": "31/12/2024"}, 400),
    ("POST", RUN, {"logical_date": 12}, 400),
    ("POST", RUN, {"dag_run_id": "x" * 300}, 400),
    ("POST", RUN, {"dag_run_id": ""}, 400),
    ("POST", RUN, {"dag_run_id": "nul\u0000byte"}, 400),
    ("POST", RUN, {"conf": {"rows": "many"}}, 400),
    ("PATCH", "/api/v1/dags/api_etl", {"is_paused": "yes"}, 400),
    ("PATCH", "/api/v1/dags/api_etl", {}, 400),
    ("PATCH", "/api/v1/dags/nope", {"is_paused": True}, 404),
    ("PATCH", RUN + "/nope", {"state": "failed"}, 404),
    ("PATCH", RUN + "/r", {"state": "exploded"}, 400),
    ("POST", "/api/v1/dags/api_etl/clearTaskInstances", {"task_ids": ["("]}, 400),
    ("POST", "/api/v1/dags/api_etl/clearTaskInstances", {"start_date": "soon"}, 400),
    ("POST", "/api/v1/dags/api_etl/clearTaskInstances", {"dry_run": "no"}, 400),
    ("POST", "/api/v1/dags/nope/clearTaskInstances", {}, 404),
    ("PATCH", RUN + "/r/taskInstances/t", {"new_state": "running"}, 400),
    ("POST", "/api/v1/variables", {"key": "k"}, 400),
    ("POST", "/api/v1/variables", {"key": "k", "value": 5}, 400),
    ("GET", "/api/v1/variables/missing", None, 404),
    ("POST", "/api/v1/connections", {"connection_id": "c", "conn_type": "x", "port": 99999}, 400),
    ("POST", "/api/v1/connections", {"conn_type": "x"}, 400),
    ("PATCH", "/api/v1/connections/missing", {"host": "h"}, 404),
    ("POST", "/api/v1/pools", {"name": "p", "slots": -1}, 400),
    ("POST", "/api/v1/pools", {"name": "p", "slots": 1.5}, 400),
    ("POST", "/api/v1/pools", {"name": "p", "slots": 2**40}, 400),
    ("DELETE", "/api/v1/pools/default_pool", None, 400),
    ("DELETE", "/api/v1/pools/missing", None, 404),
    ("PUT", "/api/v1/workers/none/queues", {"queues": ["default"]}, 404),
]


@pytest.mark.parametrize(("method", "url", "body", "status"), BAD)
def test_bad_requests_get_a_4xx_json_message(sqlite_api, method, url, body, status):
    sqlite_api.trigger("api_etl", run_id="r")
    client = sqlite_api.client("Admin", raise_errors=False)
    if isinstance(body, bytes):
        kwargs = {"content": body, "headers": {"content-type": "application/json"}}
    elif body is not None:
        kwargs = {"json": body}
    else:
        kwargs = {}
    answer = client.request(method, url, **kwargs)
    assert answer.status_code == status, answer.text
    payload = answer.json()
    assert payload["status"] == status and payload["message"]


def test_bad_input_changes_nothing(sqlite_api):
    client = sqlite_api.client("Admin", raise_errors=False)
    for _method, url, body, _status in BAD:
        if url == RUN and body is not None:
            kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
            client.post(url, **kwargs)
    assert client.get(RUN).json()["total_entries"] == 0
    assert client.get("/api/v1/dags/api_etl").json()["is_paused"] is True


def test_unknown_api_paths_and_methods_are_json_errors(sqlite_api):
    client = sqlite_api.client("Admin", raise_errors=False)
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    wrong = client.put("/api/v1/dags")
    assert wrong.status_code == 405 and wrong.json()["status"] == 405
