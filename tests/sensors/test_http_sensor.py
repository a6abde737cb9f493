"""HttpSensor against a real HTTP server on 127.0.0.1: 404 keeps poking, like Airflow."""

from __future__ import annotations

import pytest

from tradewind.hooks.http import HttpResponseError
from tradewind.sensors import HttpSensor


@pytest.fixture
def api(http_server, tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND_CONN_USER_API", f"http://127.0.0.1:{http_server.port}")
    return http_server


def test_a_404_means_not_yet_and_a_200_means_done(api):
    sensor = HttpSensor(task_id="is_api_available", http_conn_id="user_api", endpoint="api/")
    assert sensor.poke({}) is False
    api.routes["/api/"] = (200, {"results": []})
    assert sensor.poke({}) is True
    assert api.requests[-1]["method"] == "GET"


def test_other_error_statuses_fail_the_poke(api):
    api.routes["/api/"] = (500, "down")
    with pytest.raises(HttpResponseError, match="^500"):
        HttpSensor(task_id="s", http_conn_id="user_api", endpoint="api/").poke({})


def test_response_check_decides_and_may_use_context(api):
    api.routes["/status"] = (200, {"state": "running"})
    sensor = HttpSensor(
        task_id="s",
        http_conn_id="user_api",
        endpoint="status",
        request_params={"job": "{{ ds }}"},
        response_check=lambda response, ds: response.json()["state"] == "done" and ds,
    )
    assert sensor.poke({"ds": "2024-01-01"}) is False
    api.routes["/status"] = (200, {"state": "done"})
    assert sensor.poke({"ds": "2024-01-01"}) is True
    assert "job=" in api.requests[-1]["path"]


def test_the_sensor_waits_in_poke_mode_until_the_api_is_up(api):
    sensor = HttpSensor(
        task_id="s", http_conn_id="user_api", endpoint="later", poke_interval=0.05, timeout=10
    )
    original = api.routes
    calls = []

    class Routes(dict):
        def get(self, key, default=None):
            calls.append(key)
            return (200, "ok") if len(calls) >= 3 else default

    api.routes = Routes(original)
    sensor.execute({})
    assert len(calls) == 3
