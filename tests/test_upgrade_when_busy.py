"""Bringing a database up to date while another workstation uses it: waited for, or
said in words with nothing changed, never a traceback (IT on upgrade day)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from hrohuddle.store import database, migrations, schema
from hrohuddle.store.database import Database
from hrohuddle.store.errors import DatabaseInUse

FIXTURE = Path(__file__).parent / "fixtures" / "db" / f"{schema.REVISIONS[-2]}.sqlite3"


def _older_copy(tmp_path: Path) -> Path:
    path = tmp_path / "unit.sqlite3"
    shutil.copy(FIXTURE, path)
    conn = sqlite3.connect(path)  # WAL, as every unit's file is once the app opened it
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    return path


def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another program writing: the write lock held for ``seconds``, then let go."""
    held = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        other.execute("ROLLBACK")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    return thread


def test_an_upgrade_waits_for_another_writer_then_runs(tmp_path: Path) -> None:
    path = _older_copy(tmp_path)
    holder = _hold_write_lock(path, 0.6)
    db = Database.connect(f"sqlite:///{path}")
    try:
        migrations.upgrade(db)  # waits out the other writer instead of failing
        assert migrations.current(db) == schema.HEAD
    finally:
        db.dispose()
        holder.join()


def test_an_upgrade_that_cannot_get_the_database_says_so_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    path = _older_copy(tmp_path)
    holder = _hold_write_lock(path, 2.0)
    db = Database.connect(f"sqlite:///{path}")
    try:
        with pytest.raises(DatabaseInUse) as refused:
            migrations.upgrade(db)
        assert "Another program is using the database" in refused.value.message
        holder.join()
        assert migrations.current(db) == schema.REVISIONS[-2]  # nothing half done
        migrations.upgrade(db)  # and the next try goes through
        assert migrations.current(db) == schema.HEAD
    finally:
        db.dispose()
        holder.join()


@pytest.mark.postgres
def test_a_shared_server_upgrade_waits_a_bounded_time_for_a_reading_workstation(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrations, "LOCK_WAIT", "300ms")
    db = Database.connect(pg_url)
    reader = Database.connect(pg_url)
    try:
        migrations.upgrade(db, schema.REVISIONS[-2])
        with reader.engine.connect() as other:
            other.execute(text("BEGIN"))
            other.execute(text("SELECT count(*) FROM safety_events"))  # a workstation reads
            started = time.monotonic()
            with pytest.raises(DatabaseInUse) as refused:
                migrations.upgrade(db)
            assert time.monotonic() - started < 10
            assert "Another workstation is using the database" in refused.value.message
            other.execute(text("ROLLBACK"))
        assert migrations.current(db) == schema.REVISIONS[-2]
        migrations.upgrade(db)
        assert migrations.current(db) == schema.HEAD
    finally:
        reader.dispose()
        db.dispose()
