"""Alembic, run from code. Imported only when a migration is due."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from hrohuddle.paths import migrations_dir
from hrohuddle.store.database import Database


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def script_revisions() -> list[str]:
    """Every revision in db/versions, oldest first."""
    script = ScriptDirectory(str(migrations_dir()))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision``; each step runs in one transaction."""
    cfg = alembic_config(db)
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection if db.is_sqlite else None
        if raw is not None:
            # A batch step rebuilds a table other tables refer to, which SQLite allows
            # only with foreign keys off; the pragma is ignored inside a transaction, so
            # it comes first, and every reference is checked before the commit.
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if raw is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left broken references: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")
    if db.is_sqlite:
        # An upgrade may rewrite anonymous data; leave none of the old pages in the log.
        with db.engine.connect() as conn:
            raw2 = conn.connection.dbapi_connection
            assert raw2 is not None
            raw2.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.restrict_permissions()


def current(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
