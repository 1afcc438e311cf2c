"""Engine, sessions and the checks made before the app trusts a database."""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from hrohuddle import __version__
from hrohuddle.store import schema
from hrohuddle.store.errors import (
    DAMAGED_WHAT_TO_DO,
    DatabaseCorrupt,
    DatabaseTooNew,
    DatabaseUnavailable,
    NotADatabase,
    StoreError,
    translate_driver_error,
)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
#: The tables SQLite keeps planner statistics for (``Database.keep_statistics``): those a
#: unit's years fill and that are looked up both by unit and by id. Never anything that
#: holds or counts anonymous answers.
PLANNED_TABLES = ("safety_events", "report_messages", "huddles", "huddle_items", "actions")
#: Reports below which SQLite plans well without statistics.
PLANNED_FROM = 1_000
#: After a write, how long the checkpoint waits for another reader to finish before it
#: copies what it can and leaves the rest to the next write.
CHECKPOINT_WAIT_MS = 100

log = logging.getLogger(__name__)


class SchemaState(enum.Enum):
    EMPTY = "empty"
    CURRENT = "current"
    OUTDATED = "outdated"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for a server or in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):
        # A SQLite URI filename (sqlite:///file:/path?mode=ro&uri=true): the path inside it.
        inner = parsed.database[len("file:") :].split("?", 1)[0]
        return Path(inner) if inner and inner != ":memory:" else None
    return Path(parsed.database)


def _restrict(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if candidate.exists():
                os.chmod(candidate, 0o600)


def check_sqlite_file(path: Path) -> None:
    """Refuse a path that cannot be our database, before SQLite touches it."""
    if path.is_dir():
        raise NotADatabase(f"“{path}” is a folder, not a database file. Choose a file name.")
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise DatabaseUnavailable(f"“{path}” cannot be read: {exc.strerror}.") from exc
        if header and header != SQLITE_HEADER:
            if len(header) < 16 and path.stat().st_size < 100:
                raise DatabaseCorrupt(
                    f"“{path}” is too short to be a database: it may have been cut off "
                    "while copying.",
                    what_to_do=DAMAGED_WHAT_TO_DO,
                )
            raise NotADatabase(
                f"“{path}” is not an HRO Huddle database (it is not a SQLite file at all)."
            )
    else:
        parent = path.parent
        if not parent.exists():
            try:
                parent.mkdir(parents=True, exist_ok=True)
                os.chmod(parent, 0o700)
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"The data folder “{parent}” cannot be created: {exc.strerror}. "
                    "Ask IT for a writable folder, or start with --database."
                ) from exc
        if not os.access(parent, os.W_OK):
            raise DatabaseUnavailable(
                f"The data folder “{parent}” cannot be written. Ask IT for a writable folder, "
                "or start with --database."
            )


def lock_path(path: Path) -> Path:
    """The advisory lock file beside a database: shared while open, exclusive to restore."""
    return Path(f"{path}.lock")


class OpenLock:
    """An advisory lock on ``<database>.lock`` (flock): shared by every process that
    has the database open, exclusive while a restore swaps the file.

    Locks are per open file, so a second ``Database`` in the same process counts as
    another user too. Where the platform has no ``flock`` the lock is a no-op.
    """

    def __init__(self, path: Path, *, exclusive: bool) -> None:
        self.path = lock_path(path)
        self.exclusive = exclusive
        self._fd: int | None = None

    def acquire(self, wait_s: float = 0.0) -> bool:
        """True once held; False when another holder prevents it within ``wait_s``."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return True  # a read-only folder: nothing can restore over it either
        mode = (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, mode)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)
                continue
            except OSError:
                os.close(fd)
                return True  # a file system without locks
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Database:
    """One database: its engine and the two kinds of unit of work.

    ``write()`` takes the write lock at the start of the transaction (SQLite
    ``BEGIN IMMEDIATE``), so two writers queue behind the busy timeout instead
    of failing with "database is locked" halfway through.
    """

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)
        self._write_factory = sessionmaker(
            engine.execution_options(hro_write=True), expire_on_commit=False
        )
        self._open_lock: OpenLock | None = None
        self._disposed = False
        event.listen(engine, "checkin", self._close_if_disposed)

    def _close_if_disposed(self, _dbapi_conn: Any, record: Any) -> None:
        """A connection that comes back after ``dispose()`` (a background load still
        running when its window closed) is closed, not kept in a pool nobody will use."""
        if self._disposed:
            record.invalidate()

    @classmethod
    def connect(cls, url: str, **engine_args: Any) -> Database:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise DatabaseUnavailable(
                f"“{url}” is not a database address. Use a SQLite path like "
                "sqlite:////path/to/file.sqlite3 or postgresql+psycopg://user@host/db."
            ) from exc
        path = sqlite_path(url)
        lock: OpenLock | None = None
        if path is not None:
            check_sqlite_file(path)
            lock = OpenLock(path, exclusive=False)
            if not lock.acquire(wait_s=BUSY_TIMEOUT_MS / 1000):
                raise DatabaseUnavailable(
                    f"“{path}” is being restored from a backup right now. Try again in a moment."
                )
        try:
            return cls._connect(url, parsed, path, lock, **engine_args)
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    @classmethod
    def _connect(
        cls, url: str, parsed: Any, path: Path | None, lock: OpenLock | None, **engine_args: Any
    ) -> Database:
        is_sqlite = parsed.get_backend_name() == "sqlite"
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Bound values (a patient's narrative) never reach an exception's text or the log.
        args: dict[str, Any] = {"future": True, "hide_parameters": True}
        if is_sqlite:
            args["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
        else:
            args["pool_pre_ping"] = True
            args["connect_args"] = {"connect_timeout": 10}
        args.update(engine_args)
        try:
            engine = create_engine(parsed, **args)
        except (NoSuchModuleError, ImportError) as exc:
            raise DatabaseUnavailable(
                f"This build cannot talk to {parsed.get_backend_name()} databases."
            ) from exc
        if is_sqlite:
            _configure_sqlite(engine)
        db = cls(url=url, engine=engine)
        db._open_lock = lock
        if path is not None:
            db.ping()
            _restrict(path)
        return db

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def file(self) -> Path | None:
        return sqlite_path(self.url)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only unit of work."""
        try:
            with self._factory() as session, session.begin():
                yield session
        except DBAPIError as exc:
            _raise_translated(exc)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One user action: one short transaction, committed on success.

        On SQLite every committed write is copied into the database file at once and
        the write-ahead log emptied (``checkpoint``): a copy of the file shows the
        present, and the log never keeps a run of commits in the order they were made
        (an anonymous report beside the sign-ins around it).
        """
        try:
            with self._write_factory() as session, session.begin():
                yield session
        except DBAPIError as exc:
            _raise_translated(exc)
        self.checkpoint()

    def checkpoint(self) -> bool:
        """Copy SQLite's write-ahead log into the database file and empty it.

        True when the log is empty afterwards. A reader on another workstation may
        hold it for a moment: then as much as can be is copied without waiting longer
        than ``CHECKPOINT_WAIT_MS``, and the next write empties it. Nothing to do on
        PostgreSQL or in memory.
        """
        if not self.is_sqlite or self.file is None or self._disposed:
            return True
        try:
            raw: Any = self.engine.raw_connection()
        except DBAPIError:
            return False
        try:
            cur = raw.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
                row = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                cur.close()
        except sqlite3.Error as exc:
            # A full disk or a read-only folder: the commit itself is safe in the log.
            log.warning("the write-ahead log could not be copied into the database: %s", exc)
            return False
        finally:
            raw.close()
        return not (row and row[0])

    def ping(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            _raise_translated(exc)

    def quick_check(self) -> None:
        """Raise DatabaseCorrupt unless SQLite's quick integrity check passes."""
        if not self.is_sqlite:
            return
        try:
            with self.engine.connect() as conn:
                rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
        except (DBAPIError, sqlite3.DatabaseError) as exc:
            err = translate_driver_error(exc)
            if isinstance(err, DatabaseCorrupt):
                raise err from exc
            raise
        if rows != ["ok"]:
            raise DatabaseCorrupt(
                "The database failed its integrity check.",
                detail="; ".join(rows[:5]),
                what_to_do=DAMAGED_WHAT_TO_DO,
            )

    def keep_statistics(self) -> bool:
        """Give SQLite's query planner the sizes it plans by (``ANALYZE``) for the
        tables a unit's years fill, when it has none for the reports or they have more
        than doubled or halved since; True when it did.

        Without them SQLite guesses that a unit's rows are few, and looks a handful of
        reports up by walking every report of the unit (12 ms a look-up at 100,000
        reports, instead of a fraction of one). Only ``PLANNED_TABLES`` are analysed,
        and statistics of any other table are dropped: the counts kept would outlive
        their rows (how many anonymous reports waited in the outbox, say) in the file
        and its backups. A unit with fewer than ``PLANNED_FROM`` reports plans well
        without. A database busy elsewhere is left for the next time. PostgreSQL keeps
        its own statistics.
        """
        if not self.is_sqlite:
            return False
        try:
            with self.engine.begin() as conn:
                tables = {
                    r[0]
                    for r in conn.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                }
                if "safety_events" not in tables:
                    return False
                known = None
                if "sqlite_stat1" in tables:
                    listed = ", ".join(f"'{t}'" for t in PLANNED_TABLES)
                    conn.exec_driver_sql(f"DELETE FROM sqlite_stat1 WHERE tbl NOT IN ({listed})")
                    stat = conn.exec_driver_sql(
                        "SELECT stat FROM sqlite_stat1 WHERE tbl = 'safety_events' LIMIT 1"
                    ).scalar()
                    known = int(str(stat).split()[0]) if stat else None
                rows = int(conn.exec_driver_sql("SELECT count(*) FROM safety_events").scalar() or 0)
                if known is None and rows < PLANNED_FROM:
                    return False
                if known is not None and known // 2 <= rows <= 2 * known:
                    return False
                for table in PLANNED_TABLES:
                    if table in tables:
                        conn.exec_driver_sql(f"ANALYZE {table}")
        except (DBAPIError, sqlite3.DatabaseError) as exc:
            log.warning("planner statistics not refreshed: %s", exc)
            return False
        return True

    def missing_schema(self) -> list[str]:
        """The tables and columns of the code's schema that the live database lacks, in
        plain words; empty when all are there. Tables of its own beside them are no harm."""
        from hrohuddle.store.models import Base

        try:
            with self.engine.connect() as conn:
                insp = inspect(conn)
                live = set(insp.get_table_names())
                missing: list[str] = []
                for table in Base.metadata.sorted_tables:
                    if table.name not in live:
                        missing.append(f"the table “{table.name}” is missing")
                        continue
                    columns = {c["name"] for c in insp.get_columns(table.name)}
                    missing += [
                        f"the column “{table.name}.{column.name}” is missing"
                        for column in table.columns
                        if column.name not in columns
                    ]
        except DBAPIError as exc:
            _raise_translated(exc)
        return missing

    def schema_state(self) -> SchemaState:
        """Where this database stands against the code; refuses foreign or newer ones."""
        try:
            with self.engine.connect() as conn:
                insp = inspect(conn)
                tables = set(insp.get_table_names())
                if not tables:
                    return SchemaState.EMPTY
                if "alembic_version" not in tables or "app_meta" not in tables:
                    raise NotADatabase(
                        "This database belongs to another program: it has tables but none of "
                        "HRO Huddle's. Choose another file."
                    )
                marker = conn.execute(
                    text("SELECT value FROM app_meta WHERE key = 'application'")
                ).scalar()
                version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                written_by = conn.execute(
                    text("SELECT value FROM app_meta WHERE key = 'written_by'")
                ).scalar()
        except StoreError:
            raise
        except DBAPIError as exc:
            _raise_translated(exc)
        if marker != schema.APP_MARKER:
            raise NotADatabase("This database was not made by HRO Huddle. Choose another file.")
        if version == schema.HEAD:
            return SchemaState.CURRENT
        if version in schema.REVISIONS:
            return SchemaState.OUTDATED
        which = f"HRO Huddle {written_by}, " if written_by else ""
        raise DatabaseTooNew(
            f"This database was written by a newer version of HRO Huddle ({which}schema "
            f"{version}); this is HRO Huddle {__version__}. Install that version to open it; "
            "nothing was changed, and restoring a backup would not help."
        )

    def note_written_by(self) -> None:
        """Record which version last brought the schema up to date, for older versions to name."""
        with self.write() as s:
            s.execute(text("DELETE FROM app_meta WHERE key = 'written_by'"))
            s.execute(
                text("INSERT INTO app_meta (key, value) VALUES ('written_by', :v)"),
                {"v": __version__},
            )

    def restrict_permissions(self) -> None:
        path = self.file
        if path is not None:
            _restrict(path)

    def dispose(self) -> None:
        self._disposed = True
        self.engine.dispose()
        if self._open_lock is not None:
            self._open_lock.release()
            self._open_lock = None


def _raise_translated(exc: DBAPIError) -> NoReturn:
    """Raise what the user should read for ``exc``, or ``exc`` itself when it is a bug
    (or a constraint the caller handles)."""
    err = translate_driver_error(exc)
    if err is None:
        raise exc
    raise err from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves, so the driver must not.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode and str(mode[0]).lower() != "wal":
            # In-memory databases cannot use WAL; files must.
            pass
        cur.execute("PRAGMA synchronous = FULL")
        # Deleted drafts and rows are overwritten, not left in free pages.
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("hro_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
