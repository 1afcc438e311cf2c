"""Database failures, split into what the environment did and what we did.

Each carries a message in the user's words; the UI and the command line show
it as it is and never a traceback. A driver error is translated by its code
(SQLite's result code, PostgreSQL's SQLSTATE), never by its text; one whose code
says nothing about the environment (no such column, a syntax error) is a bug and
is left to propagate with its traceback.
"""

from __future__ import annotations

import sqlite3
import sys

from hrohuddle.errors import UserFacingError


class StoreError(UserFacingError):
    """A database problem the user can act on."""

    #: Whether offering a backup could help.
    offer_restore = False


class DatabaseUnavailable(StoreError):
    """The environment's fault: locked, disk full, read-only, server down."""


class DiskFull(DatabaseUnavailable):
    """The disk holding the database (or the server's) has no space left."""


class DatabaseInUse(DatabaseUnavailable):
    """Another program holds the database: wait and try again; a backup would not help."""

    retry = True


class DatabaseMissing(StoreError):
    """Empty where a unit's database was expected (backups exist beside it)."""

    offer_restore = True


class NotADatabase(StoreError):
    """The path is a folder, a text file, or another program's database."""


class DatabaseCorrupt(StoreError):
    """The file is damaged; the latest good backup is the way out."""

    offer_restore = True


class DatabaseTooNew(StoreError):
    """Made by a newer HRO Huddle than this one."""


class RestoreFailed(StoreError):
    """A backup could not be verified or put back."""


class RestoreRefused(RestoreFailed):
    """The restore was not started: the database is open elsewhere, or the choice is wrong."""


_IN_USE = "Another program is using the database. Nothing was lost; try again in a moment."
_FULL = (
    "The disk is full, so this could not be saved. Your text is still on screen: "
    "free some space and try again."
)
_READ_ONLY = (
    "The database is on read-only storage, so this could not be saved. Your text "
    "is still on screen; ask IT to make the data folder writable."
)
_DAMAGED = "The database file is damaged. Restore the latest good backup."
_CANNOT_OPEN = (
    "The database file could not be opened: check that its folder exists and is writable."
)
_NO_ACCESS = (
    "The database file may not be read or written by this account. Your text is still "
    "on screen; ask IT to make the data folder writable."
)
_DISK_ERROR = (
    "The disk holding the database reported an error, so this could not be read or saved. "
    "Your text is still on screen; try again, and tell IT if it happens again."
)
_UNREACHABLE = (
    "The database server could not be reached. Check the network and the server "
    "address, then try again."
)


def _sqlite(code: int, detail: str) -> StoreError | None:
    primary = code & 0xFF  # an extended code carries its primary code in the low byte
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseInUse(_IN_USE, detail=detail)
    if primary == sqlite3.SQLITE_FULL:
        return DiskFull(_FULL, detail=detail)
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return DatabaseCorrupt(_DAMAGED, detail=detail)
    if primary == sqlite3.SQLITE_READONLY:
        return DatabaseUnavailable(_READ_ONLY, detail=detail)
    if primary == sqlite3.SQLITE_CANTOPEN:
        return DatabaseUnavailable(_CANNOT_OPEN, detail=detail)
    if primary == sqlite3.SQLITE_PERM:
        return DatabaseUnavailable(_NO_ACCESS, detail=detail)
    if primary == sqlite3.SQLITE_IOERR:
        return DatabaseUnavailable(_DISK_ERROR, detail=detail)
    return None  # constraints are the caller's; anything else is ours


def _postgres(sqlstate: str, detail: str) -> StoreError | None:
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return DatabaseUnavailable(_UNREACHABLE, detail=detail)
    if sqlstate in ("40001", "40P01"):
        return DatabaseInUse(
            "Someone else was saving at the same moment. Nothing was lost; try again.",
            detail=detail,
        )
    if sqlstate == "53100":
        return DiskFull(
            "The database server's disk is full, so this could not be saved. Your text is "
            "still on screen; ask IT to free space on the server, then try again.",
            detail=detail,
        )
    if sqlstate.startswith("53"):
        return DatabaseUnavailable(
            "The database server is short of memory or connections. Your text is still on "
            "screen; try again in a moment.",
            detail=detail,
        )
    if sqlstate.startswith("28"):
        return DatabaseUnavailable(
            "The database server refused the user name or password in the database address.",
            detail=detail,
        )
    if sqlstate == "3D000":
        return DatabaseUnavailable(
            "The database named in the address does not exist on the server. Check the "
            "address, or ask IT to create it.",
            detail=detail,
        )
    if sqlstate == "25006":
        return DatabaseUnavailable(_READ_ONLY, detail=detail)
    return None


def translate_driver_error(exc: BaseException) -> StoreError | None:
    """The user-facing error for a driver failure the environment caused; None for a bug.

    ``exc`` is a SQLAlchemy ``DBAPIError`` or the driver's own exception. None means the
    caller re-raises the original: a constraint for the caller to handle, or a bug.
    """
    orig = getattr(exc, "orig", None) or exc
    detail = str(orig)
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is None:
            return None
        return _sqlite(code, f"{getattr(orig, 'sqlite_errorname', code)}: {detail}")
    psycopg = sys.modules.get("psycopg")  # loaded whenever one of its errors exists
    if psycopg is not None and isinstance(orig, psycopg.Error):
        sqlstate = orig.sqlstate
        if sqlstate is None:
            # Raised by the client, not the server: no connection could be made or kept.
            if isinstance(orig, psycopg.OperationalError):
                return DatabaseUnavailable(_UNREACHABLE, detail=detail)
            return None
        return _postgres(sqlstate, f"{sqlstate}: {detail}")
    return None
