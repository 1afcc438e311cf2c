"""Version checks for records two people can edit at once: the second save is refused
with what changed, never a silent overwrite."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from hrohuddle.services.errors import EditConflict
from hrohuddle.store.database import Database
from hrohuddle.store.unit_models import Person, Unit

MAX_SHOWN = 120


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def check(
    stored_version: int,
    expected_version: int | None,
    what: str,
    fields: Sequence[tuple[str, object, object]],
    state: Sequence[tuple[str, object]] = (),
) -> None:
    """Refuse the save when the record changed since ``expected_version`` was read.

    ``fields`` is (label, stored value, value being saved); ``state`` is (label, stored
    value) for what the record holds now, listed whatever is being saved. None for
    ``expected_version`` means the caller did not read the record first (a script,
    an older screen): nothing to compare against, so the save goes ahead.
    """
    if expected_version is None or expected_version == stored_version:
        return
    changes = [
        (label, _shown(stored), _shown(mine)) for label, stored, mine in fields if stored != mine
    ]
    changes += [(label, _shown(stored), "") for label, stored in state]
    listed = "; ".join(f"{label} is now “{stored}”" for label, stored, _mine in changes)
    raise EditConflict(
        f"Someone else saved {what} while you had it open, so your save was not made. "
        + (f"What changed: {listed}. " if listed else "")
        + "What you typed is still on screen: check it against theirs, then save again "
        "to apply it.",
        changes,
        stored_version,
    )


def unit_version(db: Database, unit_id: int) -> int:
    """The version of the unit's settings, for a form to hand back when it saves."""
    with db.read() as s:
        found = s.scalar(select(Unit.version).where(Unit.id == unit_id))
    return int(found or 1)


def person_version(db: Database, person_id: int) -> int:
    """The version of a person's details, for a form to hand back when it saves."""
    with db.read() as s:
        found = s.scalar(select(Person.version).where(Person.id == person_id))
    return int(found or 1)
