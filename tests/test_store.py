"""The data store refuses what it cannot trust and says why, in plain words."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text, update

from hrohuddle.store import schema
from hrohuddle.store.database import Database, SchemaState
from hrohuddle.store.errors import (
    DatabaseCorrupt,
    DatabaseTooNew,
    DatabaseUnavailable,
    NotADatabase,
)
from hrohuddle.store.models import AppMeta
from hrohuddle.store.opening import open_database


def test_new_sqlite_database_is_private_and_durable(sqlite_db: Database) -> None:
    path = sqlite_db.file
    assert path is not None
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_schema_is_current_after_opening(db: Database) -> None:
    assert db.schema_state() is SchemaState.CURRENT


def test_foreign_keys_are_enforced(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from hrohuddle.store.models import Person

    with pytest.raises(IntegrityError), db.write() as s:
        s.add(Person(unit_id=9999, display_name="Nobody", profession="nursing"))


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(NotADatabase, match="is a folder"):
        open_database(f"sqlite:///{tmp_path}", None)


def test_a_text_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("shopping list: milk, bread, eggs, and a very long line of other things\n" * 3)
    with pytest.raises(NotADatabase, match="not a SQLite file"):
        open_database(f"sqlite:///{path}", None)
    assert path.read_text().startswith("shopping list")


def test_a_truncated_file_is_called_damaged(tmp_path: Path, sqlite_db: Database) -> None:
    source = sqlite_db.file
    assert source is not None
    sqlite_db.dispose()
    cut = tmp_path / "cut.sqlite3"
    cut.write_bytes(source.read_bytes()[:10])
    with pytest.raises(DatabaseCorrupt, match="too short"):
        open_database(f"sqlite:///{cut}", None)


def test_a_corrupt_file_is_called_damaged(tmp_path: Path, sqlite_db: Database) -> None:
    source = sqlite_db.file
    assert source is not None
    with sqlite_db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    sqlite_db.dispose()
    data = bytearray(source.read_bytes())
    # Keep the header, scribble over the schema and table pages.
    for i in range(100, len(data), 7):
        data[i] = 0xA5
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(bytes(data))
    with pytest.raises((DatabaseCorrupt, NotADatabase)) as info:
        open_database(f"sqlite:///{bad}", None)
    assert "Traceback" not in info.value.message


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(NotADatabase, match="another program"):
        open_database(f"sqlite:///{path}", None)


def test_a_database_from_a_newer_version_is_refused_untouched(sqlite_db: Database) -> None:
    with sqlite_db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseTooNew, match="newer version"):
        open_database(sqlite_db.url, None)
    with sqlite_db.read() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"


def test_a_database_without_our_marker_is_refused(sqlite_db: Database) -> None:
    with sqlite_db.write() as s:
        s.execute(update(AppMeta).values(value="someone-else"))
    with pytest.raises(NotADatabase):
        open_database(sqlite_db.url, None)


def test_an_unwritable_data_folder_is_explained(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root writes everywhere; a path under a file is unwritable for everyone.
        blocker = tmp_path / "file"
        blocker.write_text("x")
        url = f"sqlite:///{blocker}/sub/db.sqlite3"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        url = f"sqlite:///{locked}/db.sqlite3"
    with pytest.raises(DatabaseUnavailable, match="data folder"):
        open_database(url, None)


def test_an_unreachable_postgres_server_is_explained() -> None:
    with pytest.raises(DatabaseUnavailable, match="server could not be reached"):
        Database.connect("postgresql+psycopg://nobody:wrong@127.0.0.1:1/none").ping()


def test_nonsense_url_is_explained() -> None:
    with pytest.raises(DatabaseUnavailable, match="not a database address"):
        Database.connect("this is not a url")


def test_head_revision_constant_matches_alembic_scripts() -> None:
    from hrohuddle.store.migrations import script_revisions

    assert tuple(script_revisions()) == schema.REVISIONS


def test_models_and_migrations_agree(db: Database) -> None:
    """A model change without a migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from hrohuddle.store.models import Base

    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_a_connection_given_back_after_closing_is_closed_not_pooled(sqlite_db: Database) -> None:
    """A background load still holding a connection when its window closes the database
    gives it back later: it is closed then, not left for the garbage collector."""
    import sqlite3

    held = sqlite_db.engine.connect()
    raw = held.connection.dbapi_connection
    assert raw is not None
    sqlite_db.dispose()
    raw.execute("SELECT 1")  # still in use by its holder
    held.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        raw.execute("SELECT 1")
