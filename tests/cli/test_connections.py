"""`tradewind connections ...` stores encrypted, and never prints a password."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli


@pytest.fixture
def run(sqlite_metastore, capsys):
    def _run(*args: str) -> tuple[int, str, str]:
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def test_add_with_a_uri_then_get_shows_the_fields_with_the_password_masked(run):
    code, out, _ = run(
        "connections", "add", "pg", "--conn-uri", "postgresql://bob:topsecret@db:5432/app"
    )
    assert code == 0 and "Successfully added `conn_id`=pg" in out
    assert "topsecret" not in out
    code, out, _ = run("connections", "get", "pg", "-o", "json")
    row = json.loads(out)[0]
    assert (row["conn_type"], row["host"], row["port"], row["login"]) == (
        "postgres",
        "db",
        5432,
        "bob",
    )
    assert row["password"] == "***"
    assert "topsecret" not in out


def test_add_with_fields_and_list_masks_passwords(run):
    code, _, _ = run(
        "connections",
        "add",
        "api",
        "--conn-type",
        "http",
        "--conn-host",
        "example.com",
        "--conn-password",
        "pw-9876",
        "--conn-extra",
        '{"api_token": "tok-5555", "x": 1}',
    )
    assert code == 0
    for fmt in ("table", "json", "yaml", "plain"):
        code, out, _ = run("connections", "list", "-o", fmt)
        assert code == 0 and "api" in out
        assert "pw-9876" not in out and "tok-5555" not in out


def test_adding_an_existing_conn_id_fails_with_one_line(run):
    run("connections", "add", "dup", "--conn-uri", "http://h")
    code, _, err = run("connections", "add", "dup", "--conn-uri", "http://h")
    assert code == 1 and "already exists" in err and "Traceback" not in err


def test_bad_extra_json_is_refused(run):
    code, _, err = run("connections", "add", "x", "--conn-type", "http", "--conn-extra", "{nope")
    assert code == 1 and "--conn-extra is not valid JSON" in err


def test_delete_removes_the_connection_and_a_missing_one_is_an_error(run):
    run("connections", "add", "tmp", "--conn-uri", "http://h")
    code, out, _ = run("connections", "delete", "tmp")
    assert code == 0 and "Successfully deleted" in out
    code, _, err = run("connections", "get", "tmp")
    assert code == 1 and "The conn_id `tmp` isn't defined" in err
    code, _, err = run("connections", "delete", "tmp")
    assert code == 1 and "Did not find" in err


def test_export_then_import_restores_connections(run, tmp_path):
    run("connections", "add", "a", "--conn-uri", "postgresql://u:p@h:1/d")
    path = tmp_path / "conns.json"
    assert run("connections", "export", str(path))[0] == 0
    assert json.loads(path.read_text())["a"]["password"] == "p"
    run("connections", "delete", "a")
    code, out, _ = run("connections", "import", str(path))
    assert code == 0 and "Imported 1" in out
    _, out, _ = run("connections", "get", "a", "-o", "json")
    assert json.loads(out)[0]["host"] == "h"


def test_rotate_fernet_key_re_encrypts_with_the_new_key(run, monkeypatch):
    import os

    old = os.environ["TRADEWIND__CORE__FERNET_KEY"]
    run("connections", "add", "r", "--conn-uri", "http://u:pw@h")
    run("variables", "set", "v", "1")
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("TRADEWIND__CORE__FERNET_KEY", f"{new},{old}")
    code, out, _ = run("connections", "rotate-fernet-key")
    assert code == 0 and "Re-encrypted 2" in out
    monkeypatch.setenv("TRADEWIND__CORE__FERNET_KEY", new)
    code, out, _ = run("connections", "get", "r", "-o", "json")
    assert code == 0 and json.loads(out)[0]["host"] == "h"


def test_a_wrong_key_gives_a_clear_error_not_a_traceback(run, monkeypatch):
    run("connections", "add", "k", "--conn-uri", "http://u:pw@h")
    monkeypatch.setenv("TRADEWIND__CORE__FERNET_KEY", Fernet.generate_key().decode())
    code, _, err = run("connections", "get", "k")
    assert code == 1 and "cannot decrypt the password of connection k" in err
    assert "Hint:" in err and "Traceback" not in err


def test_get_also_shows_connections_defined_in_the_environment(run, monkeypatch):
    monkeypatch.setenv("TRADEWIND_CONN_FROM_ENV", "http://u:envpass@api.local:8080")
    code, out, _ = run("connections", "get", "from_env", "-o", "json")
    assert code == 0 and json.loads(out)[0]["host"] == "api.local"
    assert "envpass" not in out
