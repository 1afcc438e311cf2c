"""Open a database the way the app and the command line both must:
check it, back it up when it is about to change, and bring its schema up to date."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from hrohuddle.store import backup
from hrohuddle.store.database import Database, SchemaState

log = logging.getLogger(__name__)


@dataclass
class Opened:
    db: Database
    migrated_from: SchemaState
    backup_taken: Path | None


def open_database(
    url: str, backup_dir: Path | None, *, migrate: bool = True, check: bool = True
) -> Opened:
    """Connect, check integrity, refuse foreign or newer files, then migrate.

    Raises a StoreError subclass with a message for the user. Alembic is
    imported only when the schema is not already current. With ``check=False``
    the caller runs ``quick_check`` itself (the app does, in the background).
    """
    db = Database.connect(url)
    try:
        if check:
            db.quick_check()
        state = db.schema_state()
        taken: Path | None = None
        if state is not SchemaState.CURRENT and migrate:
            path = db.file
            if state is SchemaState.OUTDATED and path is not None and backup_dir is not None:
                taken = backup.take_backup(path, backup_dir, reason="pre-migration").path
                log.info("backup before migration: %s", taken)
            from hrohuddle.store import migrations

            migrations.upgrade(db)
            log.info("database schema upgraded from %s", state.value)
        return Opened(db, state, taken)
    except BaseException:
        db.dispose()
        raise
