"""Fernet encryption at rest, key creation for `db init`, and key rotation."""

from __future__ import annotations

import tomllib

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from tradewind.config import load_settings
from tradewind.metastore.connections import add_connection, get_connection
from tradewind.metastore.secrets import (
    FernetKeyError,
    decrypt,
    encrypt,
    ensure_fernet_key,
    rotate_secrets,
)
from tradewind.metastore.variables import get_variable, set_variable
from tradewind.sdk.connection import Connection


def test_encrypt_then_decrypt_returns_the_plaintext(tw_home):
    token = encrypt("s3cr3t")
    assert token != "s3cr3t"
    assert decrypt(token) == "s3cr3t"


def test_decrypting_with_a_different_key_names_the_secret(tw_home, monkeypatch):
    token = encrypt("s3cr3t")
    monkeypatch.setenv("TRADEWIND__CORE__FERNET_KEY", Fernet.generate_key().decode())
    with pytest.raises(FernetKeyError, match="cannot decrypt variable x"):
        decrypt(token, what="variable x")


def test_missing_key_raises_a_clear_error(tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND__CORE__FERNET_KEY", "")
    with pytest.raises(FernetKeyError, match="no Fernet key is configured") as info:
        decrypt("gAAAA")
    assert "TRADEWIND__CORE__FERNET_KEY" in info.value.hint


def test_malformed_key_is_reported_without_echoing_it(tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND__CORE__FERNET_KEY", "not-a-key")
    with pytest.raises(FernetKeyError, match="not a valid Fernet key") as info:
        encrypt("x")
    assert "not-a-key" not in str(info.value)


def test_ensure_fernet_key_writes_a_new_key_to_the_config_file(tw_home, monkeypatch):
    monkeypatch.delenv("TRADEWIND__CORE__FERNET_KEY")
    settings = load_settings()
    message = ensure_fernet_key(settings)
    assert message and "tradewind.toml" in message
    stored = tomllib.loads((tw_home / "tradewind.toml").read_text())["core"]["fernet_key"]
    Fernet(stored.encode())  # a valid key
    assert load_settings().core.fernet_key == stored
    assert ensure_fernet_key(load_settings()) is None


def test_values_are_stored_encrypted_at_rest(metastore):
    with metastore.session() as session:
        set_variable(session, "api_token", "plain-token-value")
        add_connection(
            session,
            Connection(
                conn_id="pg", conn_type="postgres", password="pw123", extra={"sslkey": "k-9x"}
            ),
        )
    with metastore.engine.connect() as conn:
        raw_val = conn.execute(text("SELECT val FROM variable WHERE key = 'api_token'")).scalar()
        raw_pw, raw_extra = conn.execute(text("SELECT password, extra FROM connection")).one()
    assert raw_val != "plain-token-value" and "plain-token-value" not in raw_val
    assert raw_pw != "pw123" and "pw123" not in raw_pw
    assert "sslkey" not in raw_extra and "k-9x" not in raw_extra
    with metastore.session() as session:
        assert get_variable(session, "api_token") == "plain-token-value"
        conn = get_connection(session, "pg")
        assert conn.password == "pw123" and conn.extra_dejson == {"sslkey": "k-9x"}


def test_rotation_keeps_old_secrets_readable_and_re_encrypts_them(metastore, monkeypatch):
    old_key = load_settings().core.fernet_key
    with metastore.session() as session:
        set_variable(session, "v", "value-one")
        add_connection(
            session, Connection(conn_id="c", conn_type="http", password="pw", extra='{"a": 1}')
        )
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("TRADEWIND__CORE__FERNET_KEY", f"{new_key},{old_key}")
    with metastore.session() as session:
        assert get_variable(session, "v") == "value-one"  # the old key still decrypts
        assert rotate_secrets(session) == 2
    monkeypatch.setenv("TRADEWIND__CORE__FERNET_KEY", new_key)  # old key retired
    with metastore.session() as session:
        assert get_variable(session, "v") == "value-one"
        conn = get_connection(session, "c")
        assert conn.password == "pw" and conn.extra_dejson == {"a": 1}
