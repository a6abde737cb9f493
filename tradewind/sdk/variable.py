"""``Variable``: global key/value settings for DAGs, as Airflow's ``Variable``.

``Variable.get`` reads the environment variable ``TRADEWIND_VAR_<KEY>`` first, then the metastore
(values are Fernet-encrypted there). Values of keys that look secret (``password``, ``token``,
``api_key``...) are masked as ``***`` in task logs once read.
"""

from __future__ import annotations

import json
import os
from typing import Any

from tradewind.errors import VariableNotFound
from tradewind.runtime.secrets_masker import mask_secret, should_mask_key
from tradewind.sdk.metastore_access import metastore_session

ENV_PREFIX = "TRADEWIND_VAR_"
#: Airflow's prefix, read after Tradewind's (a ported deployment's environment keeps working)
AIRFLOW_ENV_PREFIX = "AIRFLOW_VAR_"


class _NoDefault:
    def __repr__(self) -> str:
        return "<no default>"


NO_DEFAULT: Any = _NoDefault()


def _session(action: str, key: str) -> Any:  # a context manager; SQLAlchemy imported lazily
    return metastore_session(
        f"{action} Variable {key}",
        hint=f"or set {ENV_PREFIX}{key.upper()} in the environment",
    )


class Variable:
    """Read and write variables (class methods only, as in Airflow)."""

    @classmethod
    def get(cls, key: str, default_var: Any = NO_DEFAULT, deserialize_json: bool = False) -> Any:
        """The value of ``key``; ``default_var`` when missing, else :class:`VariableNotFound`."""
        value = cls.get_variable_from_secrets(key)
        if value is None:
            if default_var is not NO_DEFAULT:
                return default_var
            raise VariableNotFound(
                f"Variable {key} does not exist",
                hint=f"set it with `tradewind variables set {key} VALUE` or "
                f"{ENV_PREFIX}{key.upper()}, or pass default_var",
            )
        if should_mask_key(key):
            mask_secret(value)
        if deserialize_json:
            obj = json.loads(value)
            if should_mask_key(key):
                mask_secret(obj)
            return obj
        return value

    @staticmethod
    def get_variable_from_secrets(key: str) -> str | None:
        """The raw string of ``key`` from the environment, else the metastore, or None."""
        env_value = os.environ.get(f"{ENV_PREFIX}{key.upper()}")
        if env_value is None:
            env_value = os.environ.get(f"{AIRFLOW_ENV_PREFIX}{key.upper()}")
        if env_value is not None:
            return env_value
        from tradewind.metastore.variables import get_variable

        with _session("read", key) as session:
            return get_variable(session, key)

    @classmethod
    def set(
        cls,
        key: str,
        value: Any,
        description: str | None = None,
        serialize_json: bool = False,
    ) -> None:
        """Create or replace ``key`` in the metastore."""
        from tradewind.metastore.variables import set_variable

        text = json.dumps(value, indent=2) if serialize_json else str(value)
        with _session("set", key) as session:
            set_variable(session, key, text, description)

    @classmethod
    def update(cls, key: str, value: Any, serialize_json: bool = False) -> None:
        """Replace an existing ``key``; :class:`VariableNotFound` when it does not exist."""
        if cls.get_variable_from_secrets(key) is None:
            raise VariableNotFound(f"Variable {key} does not exist")
        cls.set(key, value, serialize_json=serialize_json)

    @classmethod
    def setdefault(
        cls,
        key: str,
        default: Any,
        description: str | None = None,
        deserialize_json: bool = False,
    ) -> Any:
        """The value of ``key``; when missing, store ``default`` and return it."""
        value = cls.get(key, default_var=None, deserialize_json=deserialize_json)
        if value is None:
            if default is None:
                raise ValueError("Default Value must be set")
            cls.set(key, default, description=description, serialize_json=deserialize_json)
            return default
        return value

    @classmethod
    def delete(cls, key: str) -> int:
        """Delete ``key`` from the metastore; returns the number of rows deleted."""
        from tradewind.metastore.variables import delete_variable

        with _session("delete", key) as session:
            return delete_variable(session, key)
