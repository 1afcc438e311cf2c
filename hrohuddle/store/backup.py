"""Backups with SQLite's online backup API: verified, kept by reason, owner-only;
and a restore that checks first and swaps atomically.

Automatic backups (at start, daily) rotate; backups taken before a migration,
before a restore (what the restore replaced) and by hand stay until an admin
deletes them. Nothing outside the app's own backups folder is ever pruned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hrohuddle.paths import make_private, write_private
from hrohuddle.store import schema
from hrohuddle.store.database import OpenLock, lock_path
from hrohuddle.store.errors import (
    DatabaseUnavailable,
    DiskFull,
    RestoreFailed,
    RestoreRefused,
    translate_driver_error,
)

log = logging.getLogger(__name__)

KEEP_STARTS = 10
KEEP_DAILY = 14
KEEP_WEEKLY = 8
PREFIX = "hrohuddle-"
SUFFIX = ".sqlite3"

#: Why a backup was taken, in the words the lists show.
REASONS: dict[str, str] = {
    "start": "automatic, at start",
    "auto": "automatic, at start",  # the name older versions gave it
    "daily": "automatic, daily",
    "pre-migration": "before a schema upgrade",
    "pre-restore": "what a restore replaced",
    "manual": "taken by hand",
}
#: Reasons that rotate; every other reason is kept until an admin deletes it.
ROTATING = frozenset({"start", "auto", "daily"})


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: dt.datetime
    reason: str = "start"

    @property
    def label(self) -> str:
        return self.taken_at.strftime("%Y-%m-%d %H:%M:%S")

    @property
    def rotates(self) -> bool:
        return self.reason in ROTATING

    @property
    def why(self) -> str:
        return REASONS.get(self.reason, self.reason)


@dataclass(frozen=True)
class Candidate:
    """What a restore would put in place, read before anything is touched."""

    path: Path
    revision: str
    audit_last_id: int | None
    audit_last_hash: str | None


def _integrity_ok(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return [r[0] for r in rows] == ["ok"]


def verify(path: Path) -> bool:
    """True when ``path`` is a SQLite file that passes the full integrity check."""
    return path.is_file() and _integrity_ok(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        _fsync(folder)


def _remove_with_sides(path: Path) -> None:
    for candidate in (
        path,
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
        Path(f"{path}-journal"),
        lock_path(path),
    ):
        with contextlib.suppress(OSError):
            candidate.unlink()


def _copy_into(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page into a new self-contained file, flushed to disk."""
    write_private(target, b"")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    _fsync(target)


def _space_message(exc: sqlite3.Error | OSError, where: Path) -> str:
    """Why writing into ``where`` failed, classified by errno or SQLite result code.

    A SQLite error whose code names no environmental cause is a bug: it is re-raised.
    """
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return f"there is not enough free space in “{where}”"
        return f"“{where}” could not be written ({exc.strerror or exc})"
    translated = translate_driver_error(exc)
    if translated is None:
        raise exc
    if isinstance(translated, DiskFull):
        return f"there is not enough free space in “{where}”"
    return f"“{where}” could not be written ({translated.detail})"


def _stamp_name(backup_dir: Path, now: dt.datetime, reason: str) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%S")
    target = backup_dir / f"{PREFIX}{stamp}-{reason}{SUFFIX}"
    n = 2
    while target.exists():
        target = backup_dir / f"{PREFIX}{stamp}-{reason}-{n}{SUFFIX}"
        n += 1
    return target


def _write_verified(database: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        _copy_into(database, partial)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise DatabaseUnavailable(
            f"The backup could not be written: {_space_message(exc, target.parent)}. "
            "Nothing was changed."
        ) from exc
    if not _integrity_ok(partial):
        partial.unlink(missing_ok=True)
        raise DatabaseUnavailable("The backup copy failed its integrity check and was discarded.")
    os.replace(partial, target)
    make_private(target)
    _fsync_dir(target.parent)


def take_backup(
    database: Path, backup_dir: Path, *, reason: str = "start", now: dt.datetime | None = None
) -> BackupFile:
    """Copy ``database`` while it may be in use, verify the copy, record why it was taken.

    The copy is written under a temporary name and renamed only once verified,
    so a half-written backup never looks like a good one. Only automatic
    backups rotate, and only within ``backup_dir``.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    now = now or dt.datetime.now()
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUnavailable(
            f"The backups folder “{backup_dir}” cannot be created: {exc.strerror}."
        ) from exc
    with contextlib.suppress(OSError):
        os.chmod(backup_dir, 0o700)
    remove_abandoned(backup_dir)
    target = _stamp_name(backup_dir, now, reason)
    _write_verified(database, target)
    if reason in ROTATING:
        rotate(backup_dir)
    return BackupFile(target, now, reason)


#: A half-written backup untouched this long was abandoned (its process was killed):
#: one being written is touched at every page.
ABANDONED_AFTER_S = 600


def remove_abandoned(backup_dir: Path) -> list[Path]:
    """Remove half-written backups (and their journals) left by a killed process, which
    would otherwise fill the disk a copy of the whole database at a time."""
    gone = []
    cutoff = time.time() - ABANDONED_AFTER_S
    for path in backup_dir.glob("*.partial*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                gone.append(path)
        except OSError:
            continue  # another process took it, or it cannot be removed: left as it is
    if gone:
        log.info("removed %d abandoned half-written backups", len(gone))
    return gone


def write_backup(database: Path, target: Path, *, now: dt.datetime | None = None) -> Path:
    """A verified backup at ``target`` (a file, or a folder to put one in); nothing is pruned."""
    if target.is_dir():
        target = _stamp_name(target, now or dt.datetime.now(), "manual")
    elif not target.parent.is_dir():
        raise DatabaseUnavailable(f"The folder “{target.parent}” does not exist.")
    if target.exists() and database.exists() and target.samefile(database):
        raise DatabaseUnavailable("A backup cannot be written over the database itself.")
    _write_verified(database, target)
    return target


def _parse(path: Path) -> BackupFile | None:
    name = path.name
    if name.startswith("replaced-") and name.endswith(SUFFIX):
        # What restores of older versions kept.
        stamp, reason = name[len("replaced-") : len("replaced-") + 15], "pre-restore"
    elif name.startswith(PREFIX) and name.endswith(SUFFIX):
        stamp = name[len(PREFIX) : len(PREFIX) + 15]
        rest = name[len(PREFIX) + 16 : -len(SUFFIX)]
        reason = rest
        head, _, tail = rest.rpartition("-")
        if head and tail.isdigit():
            reason = head
        reason = reason or "start"
    else:
        return None
    try:
        taken = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    return BackupFile(path, taken, reason)


def list_backups(backup_dir: Path) -> list[BackupFile]:
    """Every backup in ``backup_dir`` (whatever its reason), newest first."""
    found: list[BackupFile] = []
    if not backup_dir.is_dir():
        return found
    for path in backup_dir.glob(f"*{SUFFIX}"):
        parsed = _parse(path)
        if parsed is not None:
            found.append(parsed)
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def latest_good(backup_dir: Path) -> BackupFile | None:
    """The newest backup that passes the integrity check and is ours to open."""
    for backup in list_backups(backup_dir):
        try:
            check_candidate(backup.path)
        except RestoreFailed:
            continue
        return backup
    return None


def rotate(
    backup_dir: Path,
    keep_starts: int = KEEP_STARTS,
    keep_daily: int = KEEP_DAILY,
    keep_weekly: int = KEEP_WEEKLY,
) -> list[Path]:
    """Prune automatic backups in ``backup_dir``; return what was removed.

    Start-up backups: the newest ``keep_starts``. Daily backups: the newest of
    each of the last ``keep_daily`` days, then of ``keep_weekly`` ISO weeks
    before them. Backups of any other reason are never touched.
    """
    keep: set[Path] = set()
    every = list_backups(backup_dir)
    starts = [b for b in every if b.reason in ("start", "auto")]
    keep.update(b.path for b in starts[:keep_starts])
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    for backup in (b for b in every if b.reason == "daily"):
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
    removed = []
    for backup in every:
        if backup.rotates and backup.path not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


def delete_backup(path: Path, backup_dir: Path) -> None:
    """Delete one backup the admin chose; only files in the app's own backups folder."""
    if path.resolve().parent != backup_dir.resolve() or _parse(path) is None:
        raise RestoreRefused(f"“{path.name}” is not one of this unit's backups.")
    path.unlink(missing_ok=True)


def last_backup_of(backup_dir: Path, reason: str) -> BackupFile | None:
    for backup in list_backups(backup_dir):
        if backup.reason == reason:
            return backup
    return None


def read_audit_head(path: Path) -> tuple[int, str] | None:
    """The audit head a backup recorded when it was taken, or None."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    if row is None or not isinstance(row[0], int) or not isinstance(row[1], str):
        return None
    return int(row[0]), str(row[1])


def check_candidate(path: Path) -> Candidate:
    """Refuse anything a restore must not put in place: unreadable, damaged, another
    program's, or newer than this version. Reads only; nothing is changed."""
    if not path.exists():
        raise RestoreRefused(f"There is no file “{path}”; nothing was changed.")
    if path.is_dir():
        raise RestoreRefused(f"“{path}” is a folder, not a backup file; nothing was changed.")
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise RestoreRefused(
            f"“{path}” cannot be read ({exc.strerror}); nothing was changed."
        ) from exc
    if header != b"SQLite format 3\x00":
        raise RestoreRefused(
            f"“{path.name}” is not a good backup: it is not a database file at all; "
            "nothing was changed."
        )
    if not _integrity_ok(path):
        raise RestoreRefused(
            f"“{path.name}” is not a good backup (it failed the integrity check); "
            "nothing was changed."
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if not {"app_meta", "alembic_version"} <= tables:
                raise RestoreRefused(
                    f"“{path.name}” belongs to another program, not HRO Huddle; "
                    "nothing was changed."
                )
            marker = conn.execute("SELECT value FROM app_meta WHERE key = 'application'").fetchone()
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise RestoreRefused(
            f"“{path.name}” cannot be read as a backup ({exc}); nothing was changed."
        ) from exc
    if marker is None or marker[0] != schema.APP_MARKER:
        raise RestoreRefused(f"“{path.name}” was not made by HRO Huddle; nothing was changed.")
    if revision is None or revision[0] not in schema.REVISIONS:
        raise RestoreRefused(
            f"“{path.name}” was written by a newer version of HRO Huddle "
            f"(schema {revision[0] if revision else 'unknown'}): install that version to "
            "restore it. Nothing was changed."
        )
    head = read_audit_head(path)
    return Candidate(path, str(revision[0]), head[0] if head else None, head[1] if head else None)


def _is_same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


def _fold_wal(database: Path) -> None:
    """Move committed WAL frames into the main file and leave no WAL beside it.

    Only called with the exclusive lock held and after the replaced data is
    kept, so removing a WAL that could not be folded loses nothing.
    """
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(database, timeout=1)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    for side in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        with contextlib.suppress(OSError):
            side.unlink()


def _keep_replaced(database: Path, backup_dir: Path, now: dt.datetime) -> Path:
    """Keep the database a restore is about to replace, as a listed backup."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    target = _stamp_name(backup_dir, now, "pre-restore")
    partial = target.with_name(target.name + ".partial")
    try:
        try:
            _copy_into(database, partial)
        except sqlite3.Error:
            # A damaged database cannot be read page by page: keep its bytes.
            shutil.copyfile(database, partial)
            _fsync(partial)
            wal = Path(f"{database}-wal")
            if wal.exists():
                shutil.copyfile(wal, Path(f"{target}-wal"))
                _fsync(Path(f"{target}-wal"))
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise RestoreFailed(
            f"The restore stopped before changing anything: {_space_message(exc, backup_dir)} "
            "to keep a copy of the current database."
        ) from exc
    os.replace(partial, target)
    make_private(target)
    _fsync_dir(backup_dir)
    return target


def restore(
    backup: Path,
    database: Path,
    backup_dir: Path,
    *,
    prepare: Callable[[Path], None] | None = None,
    now: dt.datetime | None = None,
) -> Path | None:
    """Put ``backup`` in place of ``database``, keeping what it replaces as a listed backup.

    Returns the kept copy (None when there was no database). The candidate is
    checked before anything is touched; the restore is refused while any process
    has the database open. The candidate is copied beside the live file, handed
    to ``prepare`` (which records the restore in its audit log), flushed to disk
    and swapped in with one atomic rename: a crash or a full disk at any moment
    leaves either the old or the new database whole.
    """
    now = now or dt.datetime.now()
    if _is_same_file(backup, database):
        raise RestoreRefused(
            "That file is the database in use; restoring it onto itself would change "
            "nothing. Choose a backup."
        )
    check_candidate(backup)
    lock = OpenLock(database, exclusive=True)
    if not lock.acquire():
        raise RestoreRefused(
            "HRO Huddle has this database open (on this workstation or from the command "
            "line). Close it everywhere, then restore; nothing was changed."
        )
    staged = database.with_name(database.name + ".restoring")
    try:
        _remove_with_sides(staged)
        try:
            _copy_into(backup, staged)
            if prepare is not None:
                prepare(staged)
                conn = sqlite3.connect(staged)
                try:
                    conn.execute("PRAGMA journal_mode = DELETE")
                finally:
                    conn.close()
                _fsync(staged)
        except (sqlite3.Error, OSError) as exc:
            raise RestoreFailed(
                f"The restore stopped before changing anything: "
                f"{_space_message(exc, database.parent)}."
            ) from exc
        except DatabaseUnavailable as exc:
            raise RestoreFailed(
                f"The restore stopped before changing anything: {exc.message}"
            ) from exc
        if not _integrity_ok(staged):
            raise RestoreFailed(
                "The copy of the backup failed its integrity check; nothing was changed."
            )
        kept: Path | None = None
        if database.exists():
            kept = _keep_replaced(database, backup_dir, now)
            _fold_wal(database)
        make_private(staged)
        os.replace(staged, database)
        _fsync_dir(database.parent)
        return kept
    finally:
        _remove_with_sides(staged)
        lock.release()
