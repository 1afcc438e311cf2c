"""The conversation on a report, between the unit's reviewers and its reporter.

A reviewer asks a question or writes a note; the reporter answers, adds detail or
says "this happened again". Named reporters write from My reports; an anonymous
reporter writes only with the receipt code. Their message is held in the anonymous
outbox, naming no one and keeping only the start of the shift, and reaches the
report in a shuffled batch (services.anonymity), released only when a reviewer's
screen or a huddle asks, never as it is sent. Messages are plain text, checked for
patient identifiers and names, and audited without their text (and, for an anonymous
reporter, without anything about them).

A report joined with another as a duplicate keeps its own conversation: a
conversation is between one reporter and the reviewers, so nobody reads another
reporter's words. The reporter is told so, and the reviewer finds the joined reports
listed on the report they were joined with.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hrohuddle.services import anonymity, audit, journey, validation
from hrohuddle.services.dates import local_date, to_local
from hrohuddle.services.errors import NotFound, ValidationError
from hrohuddle.services.journey import StepRow
from hrohuddle.services.permissions import Actor
from hrohuddle.services.personal_names import unit_roster
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    AnonymousOutbox,
    AuditEntry,
    Person,
    ReportMessage,
    SafetyEvent,
    Unit,
    utcnow,
)

#: Who may write each kind of message.
KINDS = {
    "question": "reviewer",
    "note": "reviewer",
    "answer": "reporter",
    "detail": "reporter",
    "again": "reporter",
}
REVIEWER_KINDS = ("question", "note")
REPORTER_KINDS = ("answer", "detail", "again")
LABELS = {
    "question": "Question",
    "note": "Note",
    "answer": "Answer",
    "detail": "More detail",
    "again": "This happened again",
}
MAX_MESSAGE = 2000
#: How far a chain of duplicates is followed (a loop is refused when it is made).
MAX_CHAIN = 20
#: The highest number a report can have (a 32-bit key on PostgreSQL).
MAX_REPORT_NUMBER = 2**31 - 1
#: What an unknown or wrong receipt code is told, word for word as Check a receipt says it.
NO_SUCH_RECEIPT = "No report matches that code. Check each character; codes use no 0, O, 1, I or L."


@dataclass(frozen=True)
class MessageRow:
    """One message as a screen shows it, in the order of the conversation."""

    position: int | None  # None while it waits to be passed on
    sender: str  # reviewer | reporter
    kind: str
    text: str
    sent_on: dt.date
    #: Who wrote it, for the reviewers' screen only (None for an anonymous reporter).
    author: str | None = None
    waiting: bool = False
    #: An anonymous reporter's message keeps only its shift ("day" or "night", of
    #: ``sent_on``) and reaches the report later, with a batch, on ``passed_on``: said on
    #: the message, so that it is not read as a reply to what was written meanwhile.
    shift: str | None = None
    passed_on: dt.date | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Thread:
    """A report's journey and conversation, as the reporter or the reviewer reads them."""

    event_id: int
    anonymous: bool
    status: str
    steps: list[StepRow]
    messages: list[MessageRow]
    #: Joined with another report as a duplicate: the steps go on with that report's.
    merged: bool = False
    merged_into_id: int | None = None
    #: Reports joined with this one as duplicates (reviewers only).
    joined: list[int] = field(default_factory=list)
    #: A reviewer's question is the last word: the reporter has not answered it yet.
    awaiting_reporter: bool = False
    version: int = 1


#: Invisible characters that turn text round or hide it ("reversed" shown as "desrever"):
#: the direction controls and marks, and the other invisible format characters (the
#: joiners inside emoji are kept). A message with one is refused, never changed.
HIDDEN_CONTROLS = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\ufeff\ufff9\ufffa\ufffb"
)


def _clean(text: str | None, roster: list[str], allowed: list[str] | None = None) -> str:
    if text and any(c in HIDDEN_CONTROLS for c in text):
        raise ValidationError(
            "The message contains an invisible character that can turn text round or hide "
            "it (often copied from another program). Please type the message again.",
            "text",
        )
    clean = validation.text(
        text,
        "The message",
        field="text",
        max_len=MAX_MESSAGE,
        check_identifiers=True,
        roster=roster,
        allowed_names=allowed or [],
    )
    assert clean is not None
    return clean


def _kind(kind: str, allowed: tuple[str, ...]) -> str:
    return validation.choice(kind, list(allowed), "what kind of message it is", field="kind")


def _append(
    s: Session,
    event_id: int,
    *,
    sender: str,
    author_id: int | None,
    kind: str,
    text: str,
    sent_at: dt.datetime,
) -> ReportMessage:
    """Add a message at the end of the report's conversation, in the caller's transaction.

    The report's row is locked first, so two people writing at once on a server queue
    here and each gets its own position (SQLite's write lock already queues them).
    """
    s.execute(select(SafetyEvent.id).where(SafetyEvent.id == event_id).with_for_update())
    last = s.scalar(
        select(func.coalesce(func.max(ReportMessage.position), 0)).where(
            ReportMessage.event_id == event_id
        )
    )
    message = ReportMessage(
        id=anonymity.new_key(),
        event_id=event_id,
        position=int(last or 0) + 1,
        sender=sender,
        author_id=author_id,
        kind=kind,
        text=text,
        sent_at=sent_at,
    )
    s.add(message)
    s.flush()
    return message


def release_message(s: Session, unit: Unit, payload: dict[str, object], filed: dt.datetime) -> bool:
    """Put one anonymous reporter's message, waiting in the outbox, at the end of its report.

    Called by ``anonymity.release_due`` inside the batch's transaction, in shuffled
    order. Returns False when its report still waits itself (it stays in the outbox).
    """
    event_id = payload.get("event_id")
    if event_id is None:
        event_id = s.scalar(
            select(SafetyEvent.id).where(SafetyEvent.receipt_hash == payload.get("receipt_hash"))
        )
        if event_id is None:
            return False
    message = _append(
        s,
        int(str(event_id)),
        sender="reporter",
        author_id=None,
        kind=str(payload["kind"]),
        text=str(payload["text"]),
        sent_at=filed,
    )
    # Audited as it reaches the report, naming no one: its time is the release's moment,
    # which a reviewer's screen or a huddle chose, not the sender.
    audit.record(
        s,
        "event.message",
        unit_id=unit.id,
        target=f"event:{message.event_id}",
        detail={"kind": message.kind, "from": "reporter"},
    )
    return True


# -- writing -----------------------------------------------------------------------------
@audit.requires("event.triage")
def ask(
    db: Database,
    actor: Actor,
    event_id: int,
    text: str,
    *,
    kind: str = "question",
    today: dt.date | None = None,
) -> MessageRow:
    """A reviewer asks the reporter a question, or writes a note; audited without the text.

    The reporter is told something: the report's first feedback day is kept.
    """
    today = today or dt.date.today()
    kind = _kind(kind, REVIEWER_KINDS)
    with db.read() as s:  # a message to a named reporter may call them by their name
        reporter = s.scalar(
            select(Person.display_name)
            .join(SafetyEvent, SafetyEvent.reporter_id == Person.id)
            .where(SafetyEvent.id == event_id, SafetyEvent.unit_id == actor.unit_id)
        )
    clean = _clean(text, unit_roster(db, actor.unit_id), [reporter] if reporter else [])
    with db.write() as s:
        event = s.get(SafetyEvent, event_id)
        if event is None or event.unit_id != actor.unit_id:
            raise NotFound("That report is not on this unit.")
        m = _append(
            s,
            event_id,
            sender="reviewer",
            author_id=actor.person_id or None,
            kind=kind,
            text=clean,
            sent_at=utcnow(),
        )
        journey.mark_told(s, event_id, today)
        audit.record(
            s,
            "event.message",
            actor=actor,
            target=f"event:{event_id}",
            detail={"kind": kind, "from": "reviewer"},
        )
        return MessageRow(m.position, "reviewer", kind, clean, today, actor.display_name)


@audit.requires("event.view_own")
def write_mine(db: Database, actor: Actor, event_id: int, kind: str, text: str) -> MessageRow:
    """A named reporter answers, adds detail or says "this happened again" on their report."""
    kind = _kind(kind, REPORTER_KINDS)
    clean = _clean(text, unit_roster(db, actor.unit_id))
    with db.write() as s:
        event = s.get(SafetyEvent, event_id)
        if event is None or event.unit_id != actor.unit_id or event.reporter_id != actor.person_id:
            raise NotFound("That report is not one of yours.")
        now = utcnow()
        m = _append(
            s,
            event_id,
            sender="reporter",
            author_id=actor.person_id,
            kind=kind,
            text=clean,
            sent_at=now,
        )
        _seen(s, event_id, now)
        audit.record(
            s,
            "event.message",
            actor=actor,
            target=f"event:{event_id}",
            detail={"kind": kind, "from": "reporter"},
        )
        return MessageRow(m.position, "reporter", kind, clean, local_date(now), actor.display_name)


def write_by_receipt(
    db: Database, code: str, kind: str, text: str, *, local_now: dt.datetime | None = None
) -> None:
    """An anonymous reporter writes on their report with its receipt code.

    Nothing is asked of who is signed in and nothing names them: the message waits in
    the anonymous outbox with only the start of the shift, and reaches the report in
    a shuffled batch. An unknown or wrong code is refused with the same words as Check
    a receipt, after the same look-up.
    """
    from hrohuddle.services.events import receipt_hash

    local_now = local_now or dt.datetime.now()
    kind = _kind(kind, REPORTER_KINDS)
    digest = receipt_hash(code)
    with db.read() as s:
        found = s.execute(
            select(SafetyEvent.id, SafetyEvent.unit_id).where(SafetyEvent.receipt_hash == digest)
        ).first()
        unit_id = found[1] if found else None
        if found is None:
            unit_id = s.scalar(
                select(AnonymousOutbox.unit_id).where(AnonymousOutbox.receipt_hash == digest)
            )
    if unit_id is None:
        raise NotFound(NO_SUCH_RECEIPT)
    clean = _clean(text, unit_roster(db, int(unit_id)))
    with db.write() as s:
        unit = s.get(Unit, unit_id)
        assert unit is not None
        payload: dict[str, object] = {"kind": kind, "text": clean}
        if found is not None:
            payload["event_id"] = int(found[0])
        else:
            payload["receipt_hash"] = digest  # the report waits too; joined at release
        anonymity.hold(s, unit, "message", payload, local_now=local_now)
    anonymity.wipe_journal(db)


# -- reading -----------------------------------------------------------------------------
def _chain(s: Session, event_id: int) -> list[int]:
    """The report and the reports it was joined with, one after the other (no loops)."""
    chain = [event_id]
    for _ in range(MAX_CHAIN):
        nxt = s.scalar(select(SafetyEvent.merged_into_id).where(SafetyEvent.id == chain[-1]))
        if nxt is None or nxt in chain:
            break
        chain.append(int(nxt))
    return chain


def _root(s: Session, event_id: int) -> int:
    """The report at the end of a chain of duplicates (the report itself when not joined)."""
    return _chain(s, event_id)[-1]


def _messages(
    s: Session,
    event_id: int,
    *,
    names: bool,
    anonymous: tuple[ShiftClock, list[dt.date]] | None = None,
) -> list[MessageRow]:
    rows = s.execute(
        select(
            ReportMessage.position,
            ReportMessage.sender,
            ReportMessage.kind,
            ReportMessage.text,
            ReportMessage.sent_at,
            Person.display_name,
        )
        .outerjoin(Person, Person.id == ReportMessage.author_id)
        .where(ReportMessage.event_id == event_id)
        .order_by(ReportMessage.position)
    ).all()
    if anonymous is None:
        return [
            MessageRow(pos, sender, kind, text, local_date(at), name if names else None)
            for pos, sender, kind, text, at, name in rows
        ]
    # An anonymous reporter's message says the shift it was written in and the day it
    # was passed on, so that it is not read as a reply to what was written meanwhile.
    clock, passed = anonymous
    days = iter(passed)
    out = []
    for pos, sender, kind, text, at, _name in rows:
        if sender == "reporter":
            day, shift = _written_in(clock, at)
            out.append(
                MessageRow(
                    pos, sender, kind, text, day, None, shift=shift, passed_on=next(days, None)
                )
            )
        else:
            out.append(
                MessageRow(pos, sender, kind, text, local_date(at), None if not names else _name)
            )
    return out


def _passed_on(s: Session, event_id: int) -> list[dt.date]:
    """The days an anonymous reporter's messages reached the report, in the order of the
    conversation (each was audited, naming no one, as its batch was released)."""
    return [
        local_date(at)
        for at, detail in s.execute(
            select(AuditEntry.at, AuditEntry.detail)
            .where(
                AuditEntry.action == "event.message",
                AuditEntry.target == f"event:{event_id}",
                AuditEntry.actor_id.is_(None),
            )
            .order_by(AuditEntry.id)
        ).all()
        if (detail or {}).get("from") == "reporter"
    ]


def _written_in(clock: ShiftClock, filed: dt.datetime) -> tuple[dt.date, str | None]:
    """The day and shift ("day" or "night") an anonymous reporter's message was written in."""
    return clock.shift_of(to_local(filed))


def awaits_reporter(messages: list[MessageRow]) -> bool:
    """Whether a reviewer's question is still unanswered (a later note does not answer it)."""
    for m in reversed(messages):
        if m.sender == "reporter":
            return False
        if m.kind == "question":
            return True
    return False


def waiting_messages(
    s: Session, unit_id: int, event_id: int | None, digest: str
) -> list[MessageRow]:
    """An anonymous reporter's messages still in the outbox, for Check a receipt."""
    rows = s.execute(
        select(AnonymousOutbox.payload, AnonymousOutbox.filed_shift).where(
            AnonymousOutbox.unit_id == unit_id, AnonymousOutbox.kind == "message"
        )
    ).all()
    unit = s.get(Unit, unit_id)
    clock = ShiftClock.of(unit) if unit is not None else None
    out = []
    for payload, filed in rows:
        mine = (event_id is not None and payload.get("event_id") == event_id) or payload.get(
            "receipt_hash"
        ) == digest
        if mine:
            day, shift = _written_in(clock, filed) if clock else (local_date(filed), None)
            out.append(
                MessageRow(
                    None,
                    "reporter",
                    str(payload["kind"]),
                    str(payload["text"]),
                    day,
                    None,
                    waiting=True,
                    shift=shift,
                )
            )
    out.sort(key=lambda m: (m.sent_on, m.kind, m.text))
    return out


def _joined_on(s: Session, event: SafetyEvent) -> dt.date:
    """The day a reviewer joined the report with another (its last review that did)."""
    rows = s.execute(
        select(AuditEntry.at, AuditEntry.detail)
        .where(AuditEntry.target == f"event:{event.id}", AuditEntry.action == "event.triaged")
        .order_by(AuditEntry.id.desc())
    ).all()
    at = next((at for at, detail in rows if (detail or {}).get("into") is not None), None)
    return local_date(at or event.updated_at or utcnow())


def thread_in(s: Session, event: SafetyEvent, *, names: bool) -> Thread:
    """A report's thread read in the caller's session: a handful of statements, however
    long the conversation (the steps of a joined report are its root's)."""
    merged = event.merged_into_id is not None
    root = _root(s, event.id) if merged else event.id
    steps = (
        journey.joined_steps(s, event.id, root, _joined_on(s, event))
        if merged
        else journey.steps_of(s, event.id)
    )
    anonymous = None
    if event.anonymous:
        unit = s.get(Unit, event.unit_id)
        if unit is not None:
            anonymous = (ShiftClock.of(unit), _passed_on(s, event.id))
    messages = _messages(s, event.id, names=names, anonymous=anonymous)
    joined = (
        list(
            s.scalars(
                select(SafetyEvent.id)
                .where(SafetyEvent.merged_into_id == event.id)
                .order_by(SafetyEvent.id)
            )
        )
        if names
        else []
    )
    return Thread(
        event.id,
        bool(event.anonymous),
        event.status,
        steps,
        messages,
        merged,
        root if merged else None,
        joined,
        awaits_reporter(messages),
        event.version,
    )


@audit.requires("event.view_all")
def for_review(db: Database, actor: Actor, event_id: int) -> Thread:
    """A report's journey and conversation for the Review screen, with who wrote what.

    Anonymous reporters' messages due for release are released first (a moment the
    reviewer chooses, never the sender).
    """
    anonymity.release_due(db, messages=True)
    with db.read() as s:
        event = s.get(SafetyEvent, event_id)
        if event is None or event.unit_id != actor.unit_id:
            raise NotFound("That report is not on this unit.")
        return thread_in(s, event, names=True)


def _seen(s: Session, event_id: int, at: dt.datetime) -> None:
    s.execute(
        update(SafetyEvent)
        .where(SafetyEvent.id == event_id)
        .values(reporter_seen_at=at)
        .execution_options(synchronize_session=False)
    )


@audit.requires("event.view_own")
def open_mine(db: Database, actor: Actor, event_id: int) -> Thread:
    """A named reporter opens their own report: its journey and conversation, marked seen."""
    with db.write() as s:
        event = s.get(SafetyEvent, event_id)
        if event is None or event.unit_id != actor.unit_id or event.reporter_id != actor.person_id:
            raise NotFound("That report is not one of yours.")
        thread = thread_in(s, event, names=False)
        _seen(s, event_id, utcnow())
        return thread


def check_merge(s: Session, event: SafetyEvent, into_id: int | None) -> int:
    """The report a duplicate is joined with, checked: same unit, not itself, no loop."""
    if into_id is None:
        raise ValidationError(
            "Choose the report this one repeats (its number in the list).", "merged_into"
        )
    # A number no report can have (beyond the database's integers) is simply no such report.
    other = s.get(SafetyEvent, into_id) if 0 < into_id <= MAX_REPORT_NUMBER else None
    if other is None or other.unit_id != event.unit_id:
        raise ValidationError("There is no report with that number on this unit.", "merged_into")
    if other.id == event.id:
        raise ValidationError("A report cannot be joined with itself.", "merged_into")
    if event.id in _chain(s, other.id):
        raise ValidationError(
            f"Report {other.id} is already joined with this one; join them the other way round.",
            "merged_into",
        )
    return other.id
