"""`tradewind variables ...`: set/get/list/delete/import/export, secrets masked in list."""

from __future__ import annotations

import json

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli


@pytest.fixture
def run(sqlite_metastore, capsys):
    def _run(*args: str) -> tuple[int, str, str]:
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def test_set_then_get_prints_the_value(run):
    assert run("variables", "set", "color", "blue", "--description", "fav")[0] == 0
    code, out, _ = run("variables", "get", "color")
    assert code == 0 and out.strip() == "blue"


def test_json_values_are_set_and_read_as_json(run):
    run("variables", "set", "cfg", '{"a": 1}', "-j")
    code, out, _ = run("variables", "get", "cfg", "-j")
    assert code == 0 and json.loads(out) == {"a": 1}


def test_get_of_a_missing_key_fails_unless_a_default_is_given(run):
    code, _, err = run("variables", "get", "missing")
    assert code == 1 and "Variable missing does not exist" in err
    code, out, _ = run("variables", "get", "missing", "--default", "fallback")
    assert code == 0 and out.strip() == "fallback"


def test_list_masks_the_values_of_secret_keys(run):
    run("variables", "set", "db_password", "pa55-w0rd")
    run("variables", "set", "region", "eu-west-1")
    for fmt in ("table", "json"):
        code, out, _ = run("variables", "list", "-o", fmt)
        assert code == 0
        assert "db_password" in out and "pa55-w0rd" not in out
        assert "eu-west-1" in out


def test_delete_removes_the_variable(run):
    run("variables", "set", "gone", "x")
    assert run("variables", "delete", "gone")[0] == 0
    assert run("variables", "get", "gone")[0] == 1
    code, _, err = run("variables", "delete", "gone")
    assert code == 1 and "does not exist" in err


def test_export_then_import_restores_variables(run, tmp_path):
    run("variables", "set", "a", "1")
    run("variables", "set", "b", '{"x": [1, 2]}', "-j")
    path = tmp_path / "vars.json"
    assert run("variables", "export", str(path))[0] == 0
    assert json.loads(path.read_text()) == {"a": 1, "b": {"x": [1, 2]}}
    run("variables", "delete", "a")
    run("variables", "delete", "b")
    code, out, _ = run("variables", "import", str(path))
    assert code == 0 and "2 of 2 variables successfully updated" in out
    assert json.loads(run("variables", "get", "b", "-j")[1]) == {"x": [1, 2]}


def test_import_with_fail_refuses_existing_keys(run, tmp_path):
    run("variables", "set", "a", "old")
    path = tmp_path / "vars.json"
    path.write_text(json.dumps({"a": "new"}))
    code, _, err = run("variables", "import", str(path), "-a", "fail")
    assert code == 1 and "already exist" in err
    assert run("variables", "get", "a")[1].strip() == "old"
