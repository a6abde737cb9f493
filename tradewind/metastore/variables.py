"""Variables in the metastore: values Fernet-encrypted at rest. Helpers never commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tradewind.metastore.models import Variable as VariableRow
from tradewind.metastore.secrets import decrypt, encrypt_if_possible


@dataclass(frozen=True)
class StoredVariable:
    key: str
    val: str
    description: str | None
    is_encrypted: bool


def _plain(row: VariableRow) -> str:
    if row.is_encrypted:
        return decrypt(row.val, what=f"variable {row.key}")
    return row.val


def get_variable(session: Session, key: str) -> str | None:
    """The decrypted value of ``key``, or None."""
    row = session.scalar(select(VariableRow).where(VariableRow.key == key))
    return None if row is None else _plain(row)


def set_variable(session: Session, key: str, value: str, description: str | None = None) -> None:
    """Create or replace ``key`` (a description of None keeps the stored one)."""
    stored, encrypted = encrypt_if_possible(value)
    row = session.scalar(select(VariableRow).where(VariableRow.key == key))
    if row is None:
        session.add(
            VariableRow(key=key, val=stored, description=description, is_encrypted=encrypted)
        )
    else:
        row.val = stored
        row.is_encrypted = encrypted
        if description is not None:
            row.description = description
    session.flush()


def delete_variable(session: Session, key: str) -> int:
    """Delete ``key``; returns how many rows went (0 or 1)."""
    result = session.execute(delete(VariableRow).where(VariableRow.key == key))
    return result.rowcount or 0


def list_variables(session: Session) -> list[StoredVariable]:
    """Every variable, decrypted, ordered by key."""
    rows = session.scalars(select(VariableRow).order_by(VariableRow.key))
    return [StoredVariable(r.key, _plain(r), r.description, r.is_encrypted) for r in rows]
