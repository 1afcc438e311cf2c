"""The audit log shows tampering; backups are verified, rotated and restorable."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from conftest import Team
from sqlalchemy import select, text

from hrohuddle.paths import DataPaths
from hrohuddle.services import audit_chain, people, signin
from hrohuddle.store import backup
from hrohuddle.store.database import Database
from hrohuddle.store.errors import RestoreFailed
from hrohuddle.store.models import AuditEntry, Person


def test_audit_chain_is_intact_after_normal_use(team: Team) -> None:
    report = audit_chain.verify_chain(team.db)
    assert report.intact and report.entries >= 7


def test_changing_an_audit_entry_is_detected(team: Team, db: Database) -> None:
    with db.write() as s:
        target = s.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(2)).first()
        assert target is not None
        target_id = target.id
        s.execute(text("UPDATE audit_log SET action = 'nothing' WHERE id = :i"), {"i": target_id})
    report = audit_chain.verify_chain(db)
    assert not report.intact
    assert report.breaks[0].entry_id == target_id


def test_deleting_the_last_audit_entries_is_detected(team: Team, db: Database) -> None:
    with db.write() as s:
        last = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))
        s.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": last})
    assert not audit_chain.verify_chain(db).intact


def test_backup_is_verified_private_and_restorable(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    db = sqlite_team.db
    file = db.file
    assert file is not None
    made = backup.take_backup(file, data_paths.backup_dir)
    assert backup.verify(made.path)
    assert stat.S_IMODE(os.stat(made.path).st_mode) == 0o600
    # Someone is added after the backup; restoring brings back the earlier state.
    people.save_person(
        db, sqlite_team.admin, people.PersonInput("After Backup", "nursing", ["staff"], pin="5827")
    )
    db.dispose()
    kept = backup.restore(made.path, file, data_paths.backup_dir)
    assert kept is not None and kept.exists()
    again = Database.connect(f"sqlite:///{file}")
    with again.read() as s:
        names = set(s.scalars(select(Person.display_name)))
    again.dispose()
    assert "After Backup" not in names and "Ada Admin" in names


def test_a_damaged_backup_is_refused_and_nothing_changes(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    file = sqlite_team.db.file
    assert file is not None
    bad = data_paths.backup_dir / "hrohuddle-20260101T000000-auto.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 2000)
    before = file.read_bytes()
    with pytest.raises(RestoreFailed, match="not a good backup"):
        backup.restore(bad, file, data_paths.backup_dir)
    assert file.read_bytes() == before
    assert backup.latest_good(data_paths.backup_dir) is None


def test_rotation_keeps_fourteen_days_and_eight_weeks(tmp_path: Path, sqlite_db: Database) -> None:
    file = sqlite_db.file
    assert file is not None
    start = dt.datetime(2026, 1, 1, 9)
    for day in range(120):
        for hour in (9, 21):
            backup.take_backup(
                file,
                tmp_path,
                reason="daily",
                now=start + dt.timedelta(days=day, hours=hour - 9),
            )
    kept = backup.list_backups(tmp_path)
    days = {b.taken_at.date() for b in kept}
    assert len(kept) == 14 + 8 and len(days) == 22
    assert kept[0].taken_at == start + dt.timedelta(days=119, hours=12)


def test_backup_and_restore_go_through_a_service_that_takes_a_person(
    sqlite_team: Team, data_paths: DataPaths
) -> None:
    from hrohuddle.services import backups
    from hrohuddle.services.errors import PermissionDenied

    db = sqlite_team.db
    with pytest.raises(PermissionDenied, match="back up and restore"):
        backups.take(db, sqlite_team["manager"], data_paths.backup_dir)
    made = backups.take(db, sqlite_team.admin, data_paths.backup_dir)
    assert made.path.exists() and oct(made.path.stat().st_mode & 0o777) == "0o600"
    assert not (data_paths.backup_dir / signin.SECRET_FILE_NAME).exists()
    ticket = backups.approve_restore(db, sqlite_team.admin, made.path)
    db.dispose()
    kept = backups.restore(ticket, data_paths.backup_dir)
    assert kept is not None and kept.exists()
    restored = Database.connect(db.url)
    try:
        with restored.read() as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert last.action == "backup.restored" and last.detail["by"] == "Ada Admin"
        assert audit_chain.verify_chain(restored).intact
    finally:
        restored.dispose()


def test_half_written_backups_left_by_a_killed_start_are_removed(
    sqlite_db: Database, data_paths: DataPaths
) -> None:
    """The app killed while it copies the database leaves a ``.partial`` file the size of
    the database; the next backup removes those nobody has touched for ten minutes."""
    file = sqlite_db.file
    assert file is not None
    folder = data_paths.backup_dir
    folder.mkdir(parents=True, exist_ok=True)
    abandoned = [
        folder / "hrohuddle-20261127-0700-start.sqlite3.partial",
        folder / "hrohuddle-20261127-0700-start.sqlite3.partial-journal",
    ]
    being_written = folder / "hrohuddle-20261128-0700-manual.sqlite3.partial"
    hour_ago = dt.datetime.now().timestamp() - 3600
    for path in [*abandoned, being_written]:
        path.write_bytes(b"\0" * 4096)
    for path in abandoned:
        os.utime(path, (hour_ago, hour_ago))
    made = backup.take_backup(file, folder)
    assert made.path.exists()
    assert not any(p.exists() for p in abandoned)
    assert being_written.exists()  # another process may be writing it this minute
