"""Open a database the way the app and the command line both must:
check it, back it up when it is about to change, and bring its schema up to date."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import ArgumentError

from hrohuddle.store import backup
from hrohuddle.store.database import Database, SchemaState, sqlite_path
from hrohuddle.store.errors import DatabaseMissing
from hrohuddle.wording import count, verb

log = logging.getLogger(__name__)


@dataclass
class Opened:
    db: Database
    migrated_from: SchemaState
    backup_taken: Path | None


def _refuse_new_over_old(url: str, backup_dir: Path | None) -> None:
    """A unit's database that is missing or empty while backups exist is a lost
    database, not a first start: say so, and offer the latest good backup."""
    try:
        path = sqlite_path(url)
    except ArgumentError:
        return  # Database.connect explains a malformed address
    if path is None or backup_dir is None:
        return
    size = path.stat().st_size if path.exists() else 0
    if size > 0 and path.exists():
        return
    found = backup.list_backups(backup_dir)
    if not found:
        return
    what = "is empty (0 bytes)" if path.exists() else "is missing"
    raise DatabaseMissing(
        f"The unit's database “{path}” {what}, but there {verb(len(found), 'is', 'are')} "
        f"{count(len(found), 'backup')} beside it: the unit's data was there before. "
        "Restore the latest good backup; a new, empty unit is started only if the admin "
        "confirms it."
    )


def open_database(
    url: str,
    backup_dir: Path | None,
    *,
    migrate: bool = True,
    check: bool = True,
    allow_new: bool = False,
) -> Opened:
    """Connect, check integrity, refuse foreign or newer files, then migrate.

    Raises a StoreError subclass with a message for the user. Alembic is
    imported only when the schema is not already current. With ``check=False``
    the caller runs ``quick_check`` itself (the app does, in the background).
    An empty or missing SQLite file beside backups is refused (DatabaseMissing)
    unless ``allow_new`` says the admin confirmed starting afresh.
    """
    if not allow_new:
        _refuse_new_over_old(url, backup_dir)
    db = Database.connect(url)
    try:
        if check:
            db.quick_check()
        state = db.schema_state()
        # A file with pages but no tables is a cut-off copy, not a new unit.
        if state is SchemaState.EMPTY and not allow_new and _has_pages(db):
            raise DatabaseMissing(
                f"The unit's database “{db.file}” holds no tables. Restore the latest "
                "good backup, or confirm that a new, empty unit should be started."
            )
        taken: Path | None = None
        if state is not SchemaState.CURRENT and migrate:
            path = db.file
            if state is SchemaState.OUTDATED and path is not None and backup_dir is not None:
                taken = backup.take_backup(path, backup_dir, reason="pre-migration").path
                log.info("backup before migration: %s", taken)
            from hrohuddle.store import migrations

            migrations.upgrade(db)
            db.note_written_by()
            log.info("database schema upgraded from %s", state.value)
        if check and (state is SchemaState.CURRENT or migrate):
            db.keep_statistics()
        return Opened(db, state, taken)
    except BaseException:
        db.dispose()
        raise


def _has_pages(db: Database) -> bool:
    """True when SQLite has written more than a fresh, never-used file."""
    if db.file is None:
        return False
    with db.engine.connect() as conn:
        count = conn.exec_driver_sql("PRAGMA page_count").scalar()
    return bool(count and int(count) > 1)
