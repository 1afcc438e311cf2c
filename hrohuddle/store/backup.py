"""Backups with SQLite's online backup API: verified, rotated, owner-only."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hrohuddle.store.errors import DatabaseUnavailable, RestoreFailed

KEEP_DAILY = 14
KEEP_WEEKLY = 8
PREFIX = "hrohuddle-"
SUFFIX = ".sqlite3"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: dt.datetime

    @property
    def label(self) -> str:
        return self.taken_at.strftime("%Y-%m-%d %H:%M:%S")


def _integrity_ok(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return [r[0] for r in rows] == ["ok"]


def verify(path: Path) -> bool:
    """True when ``path`` is a SQLite file that passes the full integrity check."""
    return path.is_file() and _integrity_ok(path)


def take_backup(
    database: Path, backup_dir: Path, *, reason: str = "auto", now: dt.datetime | None = None
) -> BackupFile:
    """Copy ``database`` while it may be in use, verify the copy, and rotate old ones.

    The copy is written under a temporary name and renamed only once verified,
    so a half-written backup never looks like a good one.
    """
    now = now or dt.datetime.now()
    backup_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(backup_dir, 0o700)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    target = backup_dir / f"{PREFIX}{stamp}-{reason}{SUFFIX}"
    partial = target.with_suffix(".partial")
    try:
        src = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(fd)
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise DatabaseUnavailable(
            f"The backup could not be written to “{backup_dir}”: {exc}."
        ) from exc
    if not _integrity_ok(partial):
        partial.unlink(missing_ok=True)
        raise DatabaseUnavailable("The backup copy failed its integrity check and was discarded.")
    os.replace(partial, target)
    os.chmod(target, 0o600)
    rotate(backup_dir)
    return BackupFile(target, now)


def list_backups(backup_dir: Path) -> list[BackupFile]:
    """Backups found in ``backup_dir``, newest first."""
    found: list[BackupFile] = []
    if not backup_dir.is_dir():
        return found
    for path in backup_dir.glob(f"{PREFIX}*{SUFFIX}"):
        stamp = path.name[len(PREFIX) : len(PREFIX) + 15]
        try:
            taken = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S")
        except ValueError:
            continue
        found.append(BackupFile(path, taken))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def latest_good(backup_dir: Path) -> BackupFile | None:
    for backup in list_backups(backup_dir):
        if verify(backup.path):
            return backup
    return None


def rotate(backup_dir: Path, keep_daily: int = KEEP_DAILY, keep_weekly: int = KEEP_WEEKLY) -> None:
    """Keep the newest backup of each of the last ``keep_daily`` days and of
    ``keep_weekly`` ISO weeks before them; remove the rest."""
    keep: set[Path] = set()
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    for backup in list_backups(backup_dir):
        day = backup.taken_at.date()
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(backup.path)
            continue
        if day in days:
            continue
        week = backup.taken_at.isocalendar()[:2]
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.add(week)
            keep.add(backup.path)
    for backup in list_backups(backup_dir):
        if backup.path not in keep:
            backup.path.unlink(missing_ok=True)


def restore(backup: Path, database: Path, backup_dir: Path) -> Path | None:
    """Put ``backup`` in place of ``database``, keeping a copy of what it replaces.

    Returns the path of the kept copy (None when there was no database).
    Nothing is changed unless the backup passes the integrity check.
    """
    if not verify(backup):
        raise RestoreFailed(
            f"“{backup}” is not a good backup (it failed the integrity check); nothing was changed."
        )
    kept: Path | None = None
    if database.exists():
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        kept = backup_dir / f"replaced-{stamp}{SUFFIX}"
        backup_dir.mkdir(parents=True, exist_ok=True)
        # A damaged database cannot be read page by page: keep its bytes.
        import shutil

        shutil.copy2(database, kept)
        os.chmod(kept, 0o600)
        for side in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            if side.exists():
                shutil.copy2(side, Path(f"{kept}{side.name[len(database.name) :]}"))
                side.unlink()
        database.unlink()
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        dst = sqlite3.connect(database)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.chmod(database, 0o600)
    return kept
