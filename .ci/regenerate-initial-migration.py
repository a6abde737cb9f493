"""Regenerate tradewind/metastore/migrations/versions/0001_initial_schema.py from the models.

Until the first release the schema has one revision; when a model changes, run
`make initial-migration` (needs the local Postgres) and commit the result. After a release,
add a new revision with `alembic revision --autogenerate` instead of running this.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from tradewind.metastore.db_admin import MIGRATIONS, alembic_config
from tradewind.metastore.engine import Metastore

ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
TARGET = MIGRATIONS / "versions" / "0001_initial_schema.py"


def _tidy(path: Path) -> None:
    """Drop Alembic's "please adjust" comments; downgrade drops tables only (dropping an index
    that a foreign key uses first fails on MySQL/MariaDB)."""
    source = path.read_text()
    source = re.sub(r"\n\s*# ### (commands auto generated|end Alembic).*", "", source)
    source = re.sub(r"[ \t]+\n", "\n", source)
    head, down = source.split("def downgrade() -> None:")
    drops = [line for line in down.splitlines() if "op.drop_table(" in line]
    path.write_text(
        head
        + "def downgrade() -> None:\n"
        + "    # dropping a table drops its indexes (MySQL won't drop one a foreign key uses)\n"
        + "\n".join(drops)
        + "\n"
    )


def main() -> int:
    name = f"tw_migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        TARGET.unlink(missing_ok=True)
        store = Metastore(ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
        with store.engine.connect() as conn, conn.begin():
            command.revision(
                alembic_config(conn), message="initial schema", autogenerate=True, rev_id="0001"
            )
        store.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    _tidy(TARGET)
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run([str(ruff), "format", "--quiet", str(TARGET)], check=True)
    subprocess.run(  # sorts the imports; line length is not enforced in versions/
        [str(ruff), "check", "--fix", "--quiet", "--select", "I,F", str(TARGET)], check=True
    )
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
