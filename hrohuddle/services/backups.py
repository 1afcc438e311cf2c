"""Backups and restore as services that take a person: authorized, then audited.

The copying itself (online backup, verification, rotation, the atomic swap) is the
store's: ``hrohuddle.store.backup``. This module decides who may ask for it and
records that they did.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hrohuddle.services import audit
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store import backup
from hrohuddle.store.database import Database


@dataclass(frozen=True)
class RestoreTicket:
    """A restore an admin approved: carried out once the database is closed."""

    source: Path
    database: Path
    approved_by: str


def _file(db: Database) -> Path:
    file = db.file
    if file is None:
        raise ValidationError(
            "Backups here are for SQLite files. A server database is backed up with the "
            "server's own tools (pg_dump and pg_restore)."
        )
    return file


@audit.requires("backup.manage")
def list_backups(db: Database, actor: Actor, backup_dir: Path) -> list[backup.BackupFile]:
    """The backups in ``backup_dir``, newest first."""
    return backup.list_backups(backup_dir)


@audit.requires("backup.manage")
def take(
    db: Database, actor: Actor, backup_dir: Path, *, target: Path | None = None
) -> backup.BackupFile:
    """A verified manual backup now, in ``backup_dir`` (or moved to ``target``); audited."""
    file = _file(db)
    made = backup.take_backup(file, target.parent if target else backup_dir, reason="manual")
    if target is not None:
        made.path.replace(target)
        made = backup.BackupFile(target, made.taken_at)
    with db.write() as s:
        audit.record(s, "backup.taken", actor=actor, detail={"file": made.path.name})
    return made


@audit.requires("backup.manage")
def approve_restore(db: Database, actor: Actor, source: Path) -> RestoreTicket:
    """Check the candidate and record who asked for it; the swap happens after closing.

    Nothing changes here: the store's restore runs once every connection is closed
    (``restore``), because it refuses to swap a database that is open.
    """
    file = _file(db)
    if not backup.verify(source):
        raise ValidationError(
            f"“{source.name}” is not a good backup (it failed the integrity check); "
            "nothing was changed."
        )
    with db.write() as s:
        audit.record(s, "backup.restore_approved", actor=actor, detail={"from": source.name})
    return RestoreTicket(source, file, actor.display_name)


def restore(ticket: RestoreTicket, backup_dir: Path) -> Path | None:
    """Carry out an approved restore; returns where the replaced data was kept.

    Called with the database closed. The restored database gets its own audit
    entry naming who approved it, since the approval was written to the data it
    replaced.
    """
    kept = backup.restore(ticket.source, ticket.database, backup_dir)
    restored = Database.connect(f"sqlite:///{ticket.database}")
    try:
        if restored.schema_state().value == "current":
            with restored.write() as s:
                audit.record(
                    s,
                    "backup.restored",
                    detail={"from": ticket.source.name, "by": ticket.approved_by},
                )
    finally:
        restored.dispose()
    return kept
