"""Alembic, run from code. Imported only when a migration is due."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError

from hrohuddle.paths import migrations_dir
from hrohuddle.store.database import Database
from hrohuddle.store.errors import translate_driver_error


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def script_revisions() -> list[str]:
    """Every revision in db/versions, oldest first."""
    script = ScriptDirectory(str(migrations_dir()))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


#: How long an upgrade on a shared server waits for a table another workstation reads.
LOCK_WAIT = "15s"


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision``; each step runs in one transaction.

    The transaction takes the write lock first (SQLite ``BEGIN IMMEDIATE``: another
    writer is waited for, up to the busy timeout, instead of failing at the first
    change), waits at most ``LOCK_WAIT`` for a table on PostgreSQL, and a busy
    database or a full disk is said in words (a StoreError), with nothing changed.
    """
    cfg = alembic_config(db)
    try:
        _upgrade(db, cfg, revision)
    except DBAPIError as exc:
        err = translate_driver_error(exc)
        if err is None:
            raise
        raise err from exc


def _upgrade(db: Database, cfg: Config, revision: str) -> None:
    with db.engine.connect() as plain:
        conn = plain.execution_options(hro_write=True)
        raw = conn.connection.dbapi_connection if db.is_sqlite else None
        if raw is not None:
            # A batch step rebuilds a table other tables refer to, which SQLite allows
            # only with foreign keys off; the pragma is ignored inside a transaction, so
            # it comes first, and every reference is checked before the commit.
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                if not db.is_sqlite:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
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
