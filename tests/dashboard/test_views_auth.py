"""Who may see and do what on the pages: a login for every page, Airflow's roles, CSRF."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from tradewind.metastore.models import DagModel, DagRun

if TYPE_CHECKING:
    from tests.dashboard.conftest import Dash

PAGES = [
    "/",
    "/dags/dash_pipeline",
    "/dags/dash_pipeline/graph",
    "/dags/dash_pipeline/gantt",
    "/dags/dash_pipeline/calendar",
    "/dags/dash_pipeline/duration",
    "/dags/dash_pipeline/landing",
    "/dags/dash_pipeline/code",
    "/dags/dash_pipeline/details",
    "/dags/dash_pipeline/trigger",
    "/browse/runs",
    "/browse/task-instances",
    "/browse/xcoms",
    "/browse/dataset-events",
    "/admin/pools",
    "/fleet",
]
OP_PAGES = ["/admin/connections", "/admin/variables"]
ADMIN_PAGES = ["/admin/users"]


def _runs(dash: Dash) -> int:
    with dash.session() as session:
        return session.scalar(select(func.count()).select_from(DagRun))


def test_every_page_sends_a_visitor_without_a_session_to_the_login(dash: Dash) -> None:
    client = dash.client(None)
    for page in [*PAGES, *OP_PAGES, *ADMIN_PAGES]:
        answer = client.get(page)
        assert answer.status_code == 303, page
        assert answer.headers["location"].startswith("/login?next=%2F"), page


def test_the_login_returns_to_the_page_asked_for(dash: Dash) -> None:
    client = dash.client(None)
    token = dash.csrf(client, "/login")
    answer = client.post(
        "/login?next=/dags/dash_simple",
        data={"username": "viewer", "password": "secret-pw", "csrf_token": token},
    )
    assert answer.headers["location"] == "/dags/dash_simple"


@pytest.mark.parametrize("role", ["Admin", "Op", "User", "Viewer"])
def test_every_page_renders_for_each_role_and_admin_pages_only_for_theirs(
    dash: Dash, role: str
) -> None:
    run_id = dash.trigger("dash_pipeline")
    client = dash.client(role)
    extra = [
        f"/dags/dash_pipeline/runs/{run_id}",
        f"/dags/dash_pipeline/runs/{run_id}/tasks/extract",
        f"/dags/dash_pipeline/graph?run_id={run_id}",
    ]
    for page in [*PAGES, *extra]:
        answer = client.get(page)
        assert answer.status_code == 200, (page, answer.text[:200])
        assert f"{role.lower()} ({role})" in answer.text
    for page in OP_PAGES:
        assert client.get(page).status_code == (200 if role in ("Op", "Admin") else 403)
    for page in ADMIN_PAGES:
        assert client.get(page).status_code == (200 if role == "Admin" else 403)


def test_a_viewer_is_refused_a_trigger_and_no_run_is_created(dash: Dash) -> None:
    client = dash.client("Viewer")
    answer = dash.post(
        client, "/dags/dash_simple/trigger", headers={"referer": "http://testserver/"}
    )
    assert answer.status_code == 403
    assert _runs(dash) == 0
    # a page with the site's header, the reason and a way back, not a bare text
    assert "<h1>403 Forbidden</h1>" in answer.text and 'class="topbar"' in answer.text
    assert "the Viewer role may not do this (needs User or above)" in answer.text
    assert '<a href="/">← Back</a>' in answer.text


def test_a_viewer_cannot_pause_or_delete_a_dag(dash: Dash) -> None:
    client = dash.client("Viewer")
    assert dash.post(client, "/dags/dash_simple/pause", {"is_paused": "false"}).status_code == 403
    assert dash.post(client, "/dags/dash_simple/delete").status_code == 403
    with dash.session() as session:
        dag = session.get(DagModel, "dash_simple")
        assert dag is not None and dag.is_paused


def test_a_user_may_trigger(dash: Dash) -> None:
    client = dash.client("User")
    answer = dash.post(client, "/dags/dash_simple/trigger")
    assert answer.status_code == 303
    assert _runs(dash) == 1


def test_a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(dash: Dash) -> None:
    client = dash.client("Admin")
    assert client.post("/dags/dash_simple/trigger", data={}).status_code == 403
    bad = client.post("/dags/dash_simple/pause", data={"is_paused": "false", "csrf_token": "x"})
    assert bad.status_code == 403
    assert _runs(dash) == 0
    with dash.session() as session:
        assert session.get(DagModel, "dash_simple").is_paused


def test_a_fetch_may_send_the_token_as_a_header(dash: Dash) -> None:
    client = dash.client("User")
    token = dash.csrf(client)
    answer = client.post(
        "/dags/dash_simple/pause",
        data={"is_paused": "false"},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert answer.status_code == 200 and answer.json() == {
        "dag_id": "dash_simple",
        "is_paused": False,
    }


def test_the_session_cookie_is_signed_httponly_and_samesite(dash: Dash) -> None:
    client = dash.client(None)
    token = dash.csrf(client, "/login")
    answer = client.post(
        "/login", data={"username": "viewer", "password": "secret-pw", "csrf_token": token}
    )
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("tradewind_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/").status_code == 200
    # a cookie whose signature does not match is no session at all
    value = client.cookies["tradewind_session"]
    client.cookies.set(
        "tradewind_session", value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB")
    )
    assert client.get("/").status_code == 303


def test_the_stored_password_is_a_bcrypt_hash_and_a_wrong_one_is_refused(dash: Dash) -> None:
    from tradewind.metastore.models import User

    with dash.session() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "viewer"))
    assert stored.startswith("$2b$")
    client = dash.client(None)
    token = dash.csrf(client, "/login")
    answer = client.post(
        "/login", data={"username": "viewer", "password": "wrong", "csrf_token": token}
    )
    assert answer.status_code == 401 and "set-cookie" not in answer.headers
    assert client.get("/").status_code == 303


def test_every_state_changing_page_route_refuses_a_post_without_the_csrf_token(
    sqlite_dash: Dash,
) -> None:
    from starlette.routing import Route

    from dashboard.views.routes import page_routes
    from tradewind.metastore.models import User

    dash = sqlite_dash
    run_id = dash.trigger("dash_simple")
    values = {
        "dag_id": "dash_simple",
        "run_id": run_id,
        "task_id": "t",
        "action": "success",
        "conn_id": "c",
        "key": "k",
        "name": "default_pool",
        "username": "viewer",
    }
    client = dash.client("Admin")
    posts = [r for r in page_routes() if isinstance(r, Route) and "POST" in (r.methods or ())]
    assert len(posts) >= 12
    for route in posts:
        url = re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], route.path)
        answer = client.post(url, data={"is_paused": "false", "queue": "q", "slots": "1"})
        assert answer.status_code == 403, url
    assert client.post("/logout").status_code == 403
    assert _runs(dash) == 1
    with dash.session() as session:
        assert session.get(DagModel, "dash_simple").is_paused
        assert session.scalar(select(func.count()).select_from(User)) == 4
