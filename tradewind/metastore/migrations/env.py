"""Alembic environment, configured in code (no alembic.ini): see tradewind.metastore.db_admin.

The caller passes an open connection in ``config.attributes["connection"]``; the target metadata
is the models' metadata, so ``alembic`` autogenerate compares against tradewind's tables.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from tradewind.metastore.models import Base, UtcDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write UtcDateTime as the plain column type it stores, so migrations import no models."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            _configure(conn)
    finally:
        engine.dispose()


if hasattr(context, "config"):  # only when alembic runs this file, never on a plain import
    run_migrations()
