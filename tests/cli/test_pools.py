"""`tradewind pools ...`: set/get/list/delete with used and open slots."""

from __future__ import annotations

import json

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.metastore.models import TaskInstance
from tradewind.metastore.pools import ensure_default_pool


@pytest.fixture
def run(metastore, capsys):
    with metastore.session() as session:
        ensure_default_pool(session, 128)

    def _run(*args: str) -> tuple[int, str, str]:
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def test_default_pool_is_listed_with_128_slots(run):
    code, out, _ = run("pools", "list", "-o", "json")
    assert code == 0
    assert {"pool": "default_pool", "slots": 128, "open_slots": 128}.items() <= json.loads(out)[
        0
    ].items()


def test_set_then_get_shows_running_queued_and_open_slots(run, metastore):
    assert run("pools", "set", "db", "5", "database slots")[0] == 0
    with metastore.session() as session:
        for i, state in enumerate(["running", "queued", "queued", "success"]):
            session.add(
                TaskInstance(
                    dag_id="d", run_id="r", task_id=f"t{i}", state=state, pool="db", pool_slots=1
                )
            )
    code, out, _ = run("pools", "get", "db", "-o", "json")
    row = json.loads(out)[0]
    assert code == 0
    assert (row["slots"], row["running"], row["queued"], row["open_slots"]) == (5, 1, 2, 2)
    assert row["description"] == "database slots"


def test_delete_removes_a_pool_but_not_the_default_one(run):
    run("pools", "set", "tmp", "1", "x")
    assert run("pools", "delete", "tmp")[0] == 0
    code, _, err = run("pools", "get", "tmp")
    assert code == 1 and "not found" in err
    code, _, err = run("pools", "delete", "default_pool")
    assert code == 1 and "cannot be deleted" in err


def test_negative_slots_are_refused_with_one_line(run):
    code, _, err = run("pools", "set", "bad", "--", "-2", "x")
    assert code == 1 and "slots" in err and "Traceback" not in err


def test_export_then_import_restores_pools(run, tmp_path):
    run("pools", "set", "p1", "3", "three")
    path = tmp_path / "pools.json"
    assert run("pools", "export", str(path))[0] == 0
    run("pools", "delete", "p1")
    code, out, _ = run("pools", "import", str(path))
    assert code == 0
    _, out, _ = run("pools", "get", "p1", "-o", "json")
    assert json.loads(out)[0]["slots"] == 3


def test_db_init_creates_default_pool_and_a_fernet_key_when_none_is_set(
    tw_home, monkeypatch, capsys
):
    import tomllib

    monkeypatch.delenv("TRADEWIND__CORE__FERNET_KEY")
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", f"sqlite:///{tw_home / 'fresh.db'}")
    assert run_with_error_boundary(cli, ["db", "init"]) == 0
    out = capsys.readouterr().out
    assert "Fernet key" in out
    assert tomllib.loads((tw_home / "tradewind.toml").read_text())["core"]["fernet_key"]
    assert run_with_error_boundary(cli, ["pools", "list", "-o", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["pool"], r["slots"]) for r in rows] == [("default_pool", 128)]
    assert run_with_error_boundary(cli, ["variables", "set", "db_password", "pw-1"]) == 0
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tw_home / 'fresh.db'}")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT val, is_encrypted FROM variable")).one()
    engine.dispose()
    assert stored[0] != "pw-1" and stored[1]
