"""Backups and restore as services that take a person: authorized, then audited.

The copying itself (online backup, verification, rotation, the atomic swap) is the
store's: ``hrohuddle.store.backup``. This module decides who may ask for it and
records that they did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hrohuddle.services import audit
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store import backup
from hrohuddle.store.database import Database
from hrohuddle.store.errors import RestoreRefused


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
    """A verified manual backup now, in ``backup_dir`` (or at ``target``); audited.

    A ``target`` outside the backups folder is written there directly and never
    pruned; a folder as ``target`` gets a named backup inside it.
    """
    file = _file(db)
    if target is not None:
        written = backup.write_backup(file, target)
        made = backup.BackupFile(written, dt.datetime.now(), "manual")
    else:
        made = backup.take_backup(file, backup_dir, reason="manual")
    with db.write() as s:
        audit.record(s, "backup.taken", actor=actor, detail={"file": made.path.name})
    return made


@audit.requires("backup.manage")
def delete(db: Database, actor: Actor, path: Path, backup_dir: Path) -> None:
    """Delete one backup the admin chose, from the app's own backups folder; audited."""
    backup.delete_backup(path, backup_dir)
    with db.write() as s:
        audit.record(s, "backup.deleted", actor=actor, detail={"file": path.name})


@audit.requires("backup.manage")
def check(db: Database, actor: Actor, source: Path) -> backup.Candidate:
    """What a restore of ``source`` would put in place, or RestoreRefused; reads only."""
    file = _file(db)
    if source.resolve() == file.resolve():
        raise RestoreRefused(
            "That file is the database in use; restoring it onto itself would change "
            "nothing. Choose a backup."
        )
    return backup.check_candidate(source)


@audit.requires("backup.manage")
def approve_restore(db: Database, actor: Actor, source: Path) -> RestoreTicket:
    """Check the candidate and record who asked for it; the swap happens after closing.

    Nothing changes here: the store's restore runs once every connection is closed
    (``restore``), because it refuses to swap a database that is open.
    """
    file = _file(db)
    check(db, actor, source)
    with db.write() as s:
        audit.record(s, "backup.restore_approved", actor=actor, detail={"from": source.name})
    return RestoreTicket(source, file, actor.display_name)


def restore(ticket: RestoreTicket, backup_dir: Path) -> Path | None:
    """Carry out an approved restore; returns where the replaced data was kept.

    Called with the database closed. The restored copy gets its own audit entry,
    naming who approved it, from where, and the head it replaced, before it is
    swapped in (the approval was written to the data it replaces).
    """
    return backup.restore(
        ticket.source,
        ticket.database,
        backup_dir,
        prepare=audit.restore_recorder(
            ticket.source, by=ticket.approved_by, replaced=ticket.database
        ),
    )
