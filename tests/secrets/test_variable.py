"""Variable.get/set/setdefault/delete with environment precedence and masking."""

from __future__ import annotations

import pytest

from tradewind.errors import VariableNotFound
from tradewind.runtime.secrets_masker import redact, reset_secrets
from tradewind.sdk.variable import Variable


@pytest.fixture(autouse=True)
def _forget_secrets():
    reset_secrets()
    yield
    reset_secrets()


def test_set_then_get_returns_the_value(metastore):
    Variable.set("greeting", "hello", description="a word")
    assert Variable.get("greeting") == "hello"


def test_json_values_round_trip(metastore):
    Variable.set("cfg", {"a": [1, 2]}, serialize_json=True)
    assert Variable.get("cfg", deserialize_json=True) == {"a": [1, 2]}


def test_a_missing_variable_without_default_raises_a_key_error_naming_it(metastore):
    with pytest.raises(KeyError) as info:
        Variable.get("missing_key")
    assert isinstance(info.value, VariableNotFound)
    assert "missing_key" in str(info.value)


def test_the_default_is_returned_for_a_missing_variable(metastore):
    assert Variable.get("missing", default_var=None) is None
    assert Variable.get("missing", default_var="d") == "d"


def test_the_environment_takes_precedence(metastore, monkeypatch):
    Variable.set("region", "stored")
    monkeypatch.setenv("TRADEWIND_VAR_REGION", "from-env")
    assert Variable.get("region") == "from-env"


def test_setdefault_stores_only_when_missing(metastore):
    assert Variable.setdefault("k", "first") == "first"
    assert Variable.setdefault("k", "second") == "first"


def test_delete_removes_the_variable(metastore):
    Variable.set("gone", "x")
    assert Variable.delete("gone") == 1
    assert Variable.get("gone", default_var="none") == "none"


def test_values_of_sensitive_keys_are_masked_once_read(metastore):
    Variable.set("my_api_key", "abc-123-xyz")
    Variable.set("plain", "visible-value")
    Variable.get("my_api_key")
    Variable.get("plain")
    assert redact("key abc-123-xyz value visible-value") == "key *** value visible-value"
