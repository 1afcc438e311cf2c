"""Database failures, split into what the environment did and what we did.

Each carries a message in the user's words; the UI and the command line show
it as it is and never a traceback.
"""

from __future__ import annotations


class StoreError(Exception):
    """A database problem the user can act on."""

    #: Whether offering a backup could help.
    offer_restore = False

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class DatabaseUnavailable(StoreError):
    """The environment's fault: locked, disk full, read-only, server down."""


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


def describe_operational_error(exc: BaseException) -> StoreError:
    """Turn a driver error into a message that tells the user what happened."""
    text = str(getattr(exc, "orig", exc) or exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseInUse(
            "Another program is using the database. Nothing was lost; try again in a moment.",
            detail=text,
        )
    if "disk is full" in text or "no space" in text or "database or disk is full" in text:
        return DatabaseUnavailable(
            "The disk is full, so this could not be saved. Your text is still on screen: "
            "free some space and try again.",
            detail=text,
        )
    if "readonly" in text or "read-only" in text or "attempt to write" in text:
        return DatabaseUnavailable(
            "The database is on read-only storage, so this could not be saved. Your text "
            "is still on screen; ask IT to make the data folder writable.",
            detail=text,
        )
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return DatabaseCorrupt(
            "The database file is damaged. Restore the latest good backup.", detail=text
        )
    if "unable to open" in text:
        return DatabaseUnavailable(
            "The database file could not be opened: check that its folder exists and is writable.",
            detail=text,
        )
    if "connection" in text or "could not connect" in text or "server" in text:
        return DatabaseUnavailable(
            "The database server could not be reached. Check the network and the server "
            "address, then try again.",
            detail=text,
        )
    return DatabaseUnavailable("The database reported a problem: " + text, detail=text)
