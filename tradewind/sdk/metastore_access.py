"""A metastore session for the authoring API (``Variable``, ``Connection``), opened lazily.

DAG files may call ``Variable.get`` at top level, before anyone ran ``tradewind db init`` or with
the database down; the SQLAlchemy error then becomes one :class:`MetastoreError` with a hint, so
the import error a DagBag records (and the CLI prints) is a sentence, not a driver message.
SQLAlchemy is imported only here, inside the function, so DAG files stay free of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tradewind.errors import MetastoreError


@contextmanager
def metastore_session(action: str, *, hint: str = "") -> Iterator[Any]:
    """The default metastore's session; database errors become a :class:`MetastoreError`.

    ``action`` says what was being done ("read Variable foo"), for the error message.
    """
    from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

    from tradewind.config.masking import mask_url
    from tradewind.metastore.engine import get_default_metastore

    url = ""
    try:
        store = get_default_metastore()
        url = store.url
        with store.session() as session:
            yield session
    except (OperationalError, ProgrammingError, ArgumentError) as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip()
        detail = detail.splitlines()[0] if detail else type(exc).__name__
        missing = "no such table" in detail or "does not exist" in detail
        what = "is not initialised" if missing else "cannot be used"
        advice = "run `tradewind db init`" if missing else "check TRADEWIND__DATABASE__URL"
        raise MetastoreError(
            f"cannot {action}: the metastore at {mask_url(url)} {what} ({detail})",
            hint="; ".join(part for part in (advice, hint) if part),
        ) from None
