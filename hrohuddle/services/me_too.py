""" "I have seen this too": counted, once per person, never named.

Anyone signed in on the unit may add it to a report they can see: one the board's
look back took up, one the unit was told about (a journey step shared, action or
system change: the bulletin and "you said, we did"), or, for reviewers, any report.
Recurring hazards then rise to the top of triage by ``SafetyEvent.me_too_count``.

What is kept, and why nothing names the person:

- ``me_too`` holds the report's id and a marker, a keyed hash (HMAC-SHA256) of the
  report and the person. The key is derived from the workstation's PIN secret, which
  lives in a file beside the database and never in it (services.signin): a copy of
  the database or a backup cannot tell whose marker it is, nor try every person to
  find out. Someone who holds the PIN secret file as well can (THREAT_MODEL.md). The
  marker serves one purpose: a second press by the same person is refused, so each
  person counts once.
- No time, no rowid, no session and no audit entry; each press writes the report's
  markers again in a shuffled order, so that the bytes of the file do not keep the
  order of pressing. An audit entry would carry the second it was made and
  its place in the chain, beside the entries of everything else the same person did
  at that workstation that minute: it would name them. The count is its own record.
- The report itself is not touched beyond its count: not its ``updated_at``, not its
  version (a reviewer's open edit is not refused because someone said "me too").
- On SQLite the write-ahead log is emptied after the write, as for anonymous reports,
  so that no frame keeps the mark next to the person's own writes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hrohuddle.services import anonymity, audit, signin
from hrohuddle.services.errors import NotFound, ServiceError, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import HuddleItem, MeToo, ReportStep, SafetyEvent

#: The journey steps that tell the unit about a report, so that anyone may add to it.
TOLD_STEPS = ("shared", "action", "system_change")
#: Separates this key from every other use of the PIN secret.
_KEY_LABEL = b"hrohuddle me-too marker v1"
#: A chain of duplicates is followed this far at most (a loop is refused, not walked).
_MERGE_HOPS = 5

ALREADY_SAID = "You have already said you have seen this too."


class AlreadySaid(ServiceError):
    """This person has already said "I have seen this too" about this report."""


def _key(db: Database) -> bytes:
    return hmac.new(signin.pin_secret(db), _KEY_LABEL, hashlib.sha256).digest()


def marker(key: bytes, event_id: int, person_id: int) -> str:
    """The mark one person leaves on one report: nothing without the key says whose."""
    return hmac.new(key, f"{event_id}:{person_id}".encode(), hashlib.sha256).hexdigest()


def _visible(s: Session, actor: Actor, event_id: int) -> SafetyEvent:
    """The report (or the one it was merged into), if the actor can see it; else NotFound
    with the words an unknown report gets, so that ids cannot be probed."""
    event = s.get(SafetyEvent, event_id)
    hops = 0
    while event is not None and event.merged_into_id is not None and hops < _MERGE_HOPS:
        event = s.get(SafetyEvent, event.merged_into_id)
        hops += 1
    if event is None or event.unit_id != actor.unit_id:
        raise NotFound("That report is not on this unit.")
    if actor.can("event.view_all") or event.look_back_huddle_id is not None:
        return event
    shown = s.scalar(
        select(
            or_(
                exists().where(HuddleItem.event_id == event.id, HuddleItem.deleted.is_(False)),
                exists().where(ReportStep.event_id == event.id, ReportStep.step.in_(TOLD_STEPS)),
            )
        )
    )
    if not shown:
        raise NotFound("That report is not on this unit.")
    return event


@audit.requires("huddle.view")
def add(db: Database, actor: Actor, event_id: int) -> int:
    """Say "I have seen this too" about a report; return how many others have now.

    Once per person and report (a duplicate counts on the report it was merged
    into): a second press raises AlreadySaid, kindly worded. Two workstations
    pressing at once for the same person count once (the marker is the key).
    Not audited and not timed: see the module's notes.
    """
    key = _key(db)
    try:
        with db.write() as s:
            event = _visible(s, actor, event_id)
            if event.reporter_id is not None and event.reporter_id == actor.person_id:
                raise ValidationError(
                    "This is your own report: it already counts. "
                    "“I have seen this too” is for others who saw the same."
                )
            mark = marker(key, event.id, actor.person_id)
            if s.get(MeToo, (event.id, mark)) is not None:
                raise AlreadySaid(ALREADY_SAID)
            # The report's markers are written again with the new one among them, in a
            # shuffled order: a table without rowid carves each new cell below the
            # last, so the lowest would otherwise be the latest press.
            # (The report is locked first: two people pressing at once on PostgreSQL
            # take turns instead of writing the same markers twice.)
            s.execute(select(SafetyEvent.id).where(SafetyEvent.id == event.id).with_for_update())
            marks = list(s.scalars(select(MeToo.marker).where(MeToo.event_id == event.id)))
            s.execute(delete(MeToo).where(MeToo.event_id == event.id, MeToo.marker.in_(marks)))
            marks.append(mark)
            anonymity.shuffle(marks)
            s.execute(insert(MeToo), [{"event_id": event.id, "marker": m} for m in marks])
            # A plain UPDATE: the count goes up without the report's version or time.
            s.execute(
                update(SafetyEvent)
                .where(SafetyEvent.id == event.id)
                .values(me_too_count=SafetyEvent.me_too_count + 1)
                .execution_options(synchronize_session=False)
            )
            counted = s.scalar(select(SafetyEvent.me_too_count).where(SafetyEvent.id == event.id))
    except IntegrityError:
        # The same person on a second workstation at the same moment: stored once.
        raise AlreadySaid(ALREADY_SAID) from None
    anonymity.wipe_journal(db)
    return int(counted or 0)


@audit.requires("huddle.view")
def said(db: Database, actor: Actor, event_ids: Iterable[int]) -> set[int]:
    """Which of these reports the actor has already said they have seen too (for the
    screen to say so before a press); read with the key, never stored."""
    ids = sorted(set(event_ids))
    if not ids:
        return set()
    key = _key(db)
    with db.read() as s:
        marks = {marker(key, i, actor.person_id): i for i in ids}
        found = s.scalars(
            select(MeToo.marker).where(MeToo.event_id.in_(ids), MeToo.marker.in_(list(marks)))
        ).all()
    return {marks[m] for m in found}


def counts(db: Database, unit_id: int, event_ids: Iterable[int]) -> dict[int, int]:
    """How many said "I have seen this too" about each of these reports of the unit
    (reports nobody added to are left out)."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    with db.read() as s:
        rows = s.execute(
            select(SafetyEvent.id, SafetyEvent.me_too_count).where(
                SafetyEvent.unit_id == unit_id,
                SafetyEvent.id.in_(ids),
                SafetyEvent.me_too_count > 0,
            )
        ).all()
    return {int(i): int(n) for i, n in rows}


def seen_by(n: int, *, mine: bool = False) -> str:
    """The words beside a report: "Seen by 4 others too" (others than its reporter).

    ``mine``: the person reading has said so themselves, and is one of the ``n``:
    "Seen by 4 people, you among them", or "You have seen this too" when only they
    have, so that nobody is counted among the others and told so again.
    """
    if n <= 0:
        return ""
    if mine:
        return "You have seen this too" if n == 1 else f"Seen by {n} people, you among them"
    return "Seen by 1 other too" if n == 1 else f"Seen by {n} others too"
