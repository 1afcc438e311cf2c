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


# Each error is what happened and what to do, in words true on the command line and in
# the window alike (the window adds that what was typed is still on screen).
_IN_USE = ("Another program is using the database. Nothing was lost.", "Try again in a moment.")
_FULL = ("The disk is full, so this could not be saved.", "Free some space, then try again.")
_READ_ONLY = (
    "The database is on read-only storage, so this could not be saved.",
    "Ask IT to make the data folder writable.",
)
#: What to do about a damaged database, on the command line or in the window.
DAMAGED_WHAT_TO_DO = (
    "Restore the latest good backup: `hrohuddle db backups`, then "
    "`hrohuddle db restore FILE`, or Unit admin → Backups."
)
_DAMAGED = ("The database file is damaged.", DAMAGED_WHAT_TO_DO)
_CANNOT_OPEN = (
    "The database file could not be opened.",
    "Check that its folder exists and is writable.",
)
_NO_ACCESS = (
    "The database file may not be read or written by this account.",
    "Ask IT to make the data folder writable.",
)
_DISK_ERROR = (
    "The disk holding the database reported an error, so this could not be read or saved.",
    "Try again, and tell IT if it happens again.",
)
_UNREACHABLE = (
    "The database server could not be reached.",
    "Check the network and the server address, then try again.",
)
_IN_USE_SERVER = (
    "Another workstation is using the database, so it could not be brought up to date. "
    "Nothing was lost.",
    "Try again in a moment, or when the other workstations are on their sign-in screens.",
)
_SIMULTANEOUS = ("Someone else was saving at the same moment. Nothing was lost.", "Try again.")
_SERVER_FULL = (
    "The database server's disk is full, so this could not be saved.",
    "Ask IT to free space on the server, then try again.",
)
_SERVER_SHORT = (
    "The database server is short of memory or connections.",
    "Try again in a moment.",
)
_REFUSED = (
    "The database server refused the user name or password in the database address.",
    "Check the user name and password in the address, or ask IT.",
)
_NO_SUCH_DATABASE = (
    "The database named in the address does not exist on the server.",
    "Check the address, or ask IT to create it.",
)


def _sqlite(code: int, detail: str) -> StoreError | None:
    primary = code & 0xFF  # an extended code carries its primary code in the low byte
    kind: type[StoreError]
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        kind, words = DatabaseInUse, _IN_USE
    elif primary == sqlite3.SQLITE_FULL:
        kind, words = DiskFull, _FULL
    elif primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        kind, words = DatabaseCorrupt, _DAMAGED
    elif primary == sqlite3.SQLITE_READONLY:
        kind, words = DatabaseUnavailable, _READ_ONLY
    elif primary == sqlite3.SQLITE_CANTOPEN:
        kind, words = DatabaseUnavailable, _CANNOT_OPEN
    elif primary == sqlite3.SQLITE_PERM:
        kind, words = DatabaseUnavailable, _NO_ACCESS
    elif primary == sqlite3.SQLITE_IOERR:
        kind, words = DatabaseUnavailable, _DISK_ERROR
    else:
        return None  # constraints are the caller's; anything else is ours
    return kind(words[0], detail=detail, what_to_do=words[1])


def _postgres(sqlstate: str, detail: str) -> StoreError | None:
    kind: type[StoreError] = DatabaseUnavailable
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        words = _UNREACHABLE
    elif sqlstate in ("40001", "40P01"):
        kind, words = DatabaseInUse, _SIMULTANEOUS
    elif sqlstate == "55P03":  # a lock not had within lock_timeout (an upgrade)
        kind, words = DatabaseInUse, _IN_USE_SERVER
    elif sqlstate == "53100":
        kind, words = DiskFull, _SERVER_FULL
    elif sqlstate.startswith("53"):
        words = _SERVER_SHORT
    elif sqlstate.startswith("28"):
        words = _REFUSED
    elif sqlstate == "3D000":
        words = _NO_SUCH_DATABASE
    elif sqlstate == "25006":
        words = _READ_ONLY
    else:
        return None
    return kind(words[0], detail=detail, what_to_do=words[1])


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
                return DatabaseUnavailable(
                    _UNREACHABLE[0], detail=detail, what_to_do=_UNREACHABLE[1]
                )
            return None
        return _postgres(sqlstate, f"{sqlstate}: {detail}")
    return None
