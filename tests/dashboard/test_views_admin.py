"""Admin pages: connections (passwords never shown), variables (sensitive values masked),
pools (slots and use), users (Admin only); Op edits, lesser roles are refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from tradewind.metastore.connections import get_connection
from tradewind.metastore.models import Pool, User
from tradewind.metastore.variables import get_variable, set_variable

if TYPE_CHECKING:
    from tests.dashboard.conftest import Dash


def test_connections_are_saved_and_listed_without_their_password(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    client = dash.client("Op")
    form = {
        "conn_id": "warehouse",
        "conn_type": "postgres",
        "host": "db.example",
        "login": "etl",
        "password": "s3cr3t-pw",
        "port": "5432",
        "extra": '{"sslmode": "require", "api_key": "k-123"}',
    }
    assert dash.post(client, "/admin/connections", form).status_code == 303
    html = client.get("/admin/connections").text
    assert "db.example" in html and "s3cr3t-pw" not in html and "k-123" not in html
    dash.post(client, "/admin/connections", {**form, "password": "", "host": "db2"})
    with dash.session() as session:
        conn = get_connection(session, "warehouse")
        assert conn.host == "db2" and conn.password == "s3cr3t-pw"  # empty keeps the password
    bad = dash.post(client, "/admin/connections", {"conn_id": "x", "port": "abc"})
    assert "port must be a number" in client.get(bad.headers["location"]).text
    with dash.session() as session:
        assert get_connection(session, "x") is None


def test_sensitive_variables_are_masked(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    client = dash.client("Op")
    dash.post(client, "/admin/variables", {"key": "db_password", "val": "topsecret"})
    dash.post(client, "/admin/variables", {"key": "region", "val": "<b>eu</b>"})
    html = client.get("/admin/variables").text
    assert "topsecret" not in html and "***" in html
    assert "&lt;b&gt;eu&lt;/b&gt;" in html
    with dash.session() as session:
        assert get_variable(session, "db_password") == "topsecret"


def test_users_and_viewers_cannot_see_or_edit_connections_and_variables(
    sqlite_dash: Dash,
) -> None:
    dash = sqlite_dash
    with dash.session() as session:
        set_variable(session, "region", "eu")
    for role in ("User", "Viewer"):
        client = dash.client(role)
        assert client.get("/admin/variables").status_code == 403
        assert (
            dash.post(client, "/admin/variables", {"key": "region", "val": "us"}).status_code == 403
        )
        assert dash.post(client, "/admin/variables/region/delete").status_code == 403
        assert dash.post(client, "/admin/connections", {"conn_id": "c"}).status_code == 403
    with dash.session() as session:
        assert get_variable(session, "region") == "eu"
        assert get_connection(session, "c") is None


def test_pools_show_slots_and_use_and_only_op_edits_them(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    viewer = dash.client("Viewer")
    assert 'data-pool="default_pool"' in viewer.get("/admin/pools").text
    assert dash.post(viewer, "/admin/pools", {"pool": "gpu", "slots": "2"}).status_code == 403
    op = dash.client("Op")
    dash.post(op, "/admin/pools", {"pool": "gpu", "slots": "2"})
    run_id = dash.trigger("dash_simple")
    from tradewind.core.keys import TaskInstanceKey
    from tradewind.metastore import transitions

    with dash.session() as session:
        key = TaskInstanceKey("dash_simple", run_id, "only")
        transitions.set_task_state(session, key, "scheduled", expected=["none"])
        transitions.set_task_state(session, key, "queued", expected=["scheduled"])
    html = op.get("/admin/pools").text
    row = html.split('data-pool="default_pool"')[1].split("</tr>")[0]
    assert "<td>128</td><td>1</td><td>0</td><td>1</td><td>0</td><td>127</td>" in row
    with dash.session() as session:
        assert session.scalar(select(Pool.slots).where(Pool.pool == "gpu")) == 2


def test_only_an_admin_manages_users(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    op = dash.client("Op")
    assert op.get("/admin/users").status_code == 403
    assert dash.post(op, "/admin/users", {"username": "eve", "email": "e@x"}).status_code == 403
    assert dash.post(op, "/admin/users/viewer/delete").status_code == 403
    admin = dash.client("Admin")
    dash.post(admin, "/admin/users", {"username": "eve", "email": "e@x", "role": "User"})
    page = admin.get("/admin/users").text
    assert 'data-username="eve"' in page and "Password of eve" in page
    dash.post(admin, "/admin/users/viewer/delete")
    with dash.session() as session:
        names = set(session.scalars(select(User.username)))
    assert "eve" in names and "viewer" not in names and "admin" in names
