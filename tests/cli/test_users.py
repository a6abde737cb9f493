"""`tradewind users ...`: create/list/delete/reset-password with bcrypt-hashed passwords."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.metastore.models import User


@pytest.fixture
def run(metastore, capsys):
    def _run(*args: str) -> tuple[int, str, str]:
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def _hash(metastore, username: str) -> str:
    with metastore.session() as session:
        return session.scalar(select(User.password_hash).where(User.username == username))


def test_create_stores_a_bcrypt_hash_and_the_user_can_log_in(run, metastore):
    from tradewind.metastore.users import authenticate

    code, out, _ = run(
        "users", "create", "--role", "op", "--username", "ann", "--email", "a@x", "-p", "pw-1"
    )
    assert code == 0 and 'role "Op"' in out
    stored = _hash(metastore, "ann")
    assert stored.startswith("$2b$12$") and "pw-1" not in stored
    with metastore.session() as session:
        assert authenticate(session, "ann", "pw-1").role == "Op"


def test_list_reset_password_and_delete(run, metastore):
    from tradewind.errors import TradewindError
    from tradewind.metastore.users import authenticate

    run("users", "create", "-r", "Viewer", "-u", "bob", "-e", "b@x", "-p", "old")
    code, out, _ = run("users", "list", "-o", "json")
    assert code == 0 and [(u["username"], u["role"]) for u in json.loads(out)] == [
        ("bob", "Viewer")
    ]
    code, out, _ = run("users", "reset-password", "-u", "bob")
    generated = out.split("Password: ")[1].strip()
    with metastore.session() as session:
        assert authenticate(session, "bob", generated).username == "bob"
        with pytest.raises(TradewindError):
            authenticate(session, "bob", "old")
    assert run("users", "delete", "-u", "bob")[0] == 0
    assert _hash(metastore, "bob") is None


def test_an_unknown_role_or_user_is_one_line_without_a_traceback(run):
    code, _, err = run("users", "create", "-r", "Boss", "-u", "c", "-e", "c@x", "-p", "x")
    assert code != 0 and "Traceback" not in err
    code, _, err = run("users", "delete", "-u", "nobody")
    assert code == 1 and "no user named 'nobody'" in err and "Traceback" not in err
