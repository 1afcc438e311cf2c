"""Safety event capture, triage and feedback, in the AHRQ Common Formats vocabulary.

Over 600 lines because filing, the receipt check, the lists and triage are one report's life
and share its anonymity helpers (times kept to the shift, the receipt code kept only as a
hash).

Anonymous reports keep nothing that links them to the reporter: no reporter
columns, no audit entry, no precise time (the time of the event and the time of
filing are kept to the start of the shift), and the receipt code is stored only as
a hash. They wait in the anonymous outbox and reach the unit's list and the next
huddle in a shuffled batch (services.anonymity); the receipt code works before and
after that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hrohuddle.services import anonymity, audit, conversation, edits, journey, validation
from hrohuddle.services.dates import local_date, to_local, to_utc
from hrohuddle.services.errors import NotFound, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.personal_names import unit_roster
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.services.vocabulary import common_formats_class, common_formats_version, taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Action,
    AnonymousOutbox,
    AuditEntry,
    EventCategoryV12,
    Person,
    ReportMessage,
    SafetyEvent,
    Unit,
    utcnow,
)

MAX_NARRATIVE = 4000
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
HARM_KINDS = ("incident",)
STOPPED_KINDS = ("near_miss", "good_catch")
TRIAGE_STATUSES = (
    "new",
    "under_review",
    "action_planned",
    "closed",
    "not_actionable",
    "duplicate",
)


@dataclass
class EventInput:
    kind: str
    narrative: str
    category: str
    occurred_at: dt.datetime  # local wall-clock time
    area: str | None = None
    harm: str | None = None
    stopped_by: str | None = None
    noticed_by: str | None = None
    contributing_factors: list[str] = field(default_factory=list)
    handover: bool | None = None
    prevention: str | None = None
    anonymous: bool = False
    #: A good catch may be a huddle's teaching point (the reporter agreed).
    teaching_consent: bool = False
    #: The recognition may name the reporter (never for an anonymous report).
    recognise_by_name: bool = False
    #: The reporter's own words may be quoted in the unit's bulletin.
    words_may_be_shared: bool = False


@dataclass(frozen=True)
class Submitted:
    event_id: int | None  # None for an anonymous report until its batch is released
    receipt_code: str | None


@dataclass(frozen=True)
class ReportRow:
    """A report as its reporter, triage and the dashboard read it, every field."""

    id: int
    kind: str
    category: str
    harm: str | None
    status: str
    occurred_at: dt.datetime
    area: str | None
    narrative: str
    anonymous: bool
    reporter: str | None
    reporter_is_learner: bool | None
    feedback: str | None
    reviewer_summary: str | None
    status_reason: str | None
    stopped_by: str | None
    noticed_by: str | None
    contributing_factors: list[str]
    handover: bool | None
    prevention: str | None
    reported_on: dt.date
    #: A duplicate: the report it was joined with.
    merged_into_id: int | None = None
    #: How many others said "I have seen this too" (never who).
    me_too: int = 0
    #: The reporter wrote last: the reviewers owe them a reply (reviewers' list only).
    reporter_wrote: bool = False


@dataclass(frozen=True)
class ReceiptView:
    kind: str
    category: str
    reported_on: dt.date
    status: str
    feedback: str | None
    released: bool = True  # False while it waits for the next batch
    #: (local date, status) of each review, oldest first; dates only, never who.
    history: list[tuple[dt.date, str]] = field(default_factory=list)
    #: The actions the unit took on it: title, status ("open"/"closed"), due date.
    actions: list[tuple[str, str, dt.date | None]] = field(default_factory=list)
    #: Its journey (the journey of the report it was joined with, when ``merged``).
    steps: list[journey.StepRow] = field(default_factory=list)
    #: The conversation, the reporter's own waiting messages last ("waiting to be passed on").
    messages: list[conversation.MessageRow] = field(default_factory=list)
    #: Joined with another report about the same thing.
    merged: bool = False
    #: A reviewer's question awaits an answer.
    awaiting_reporter: bool = False


@dataclass
class EventFilter:
    kinds: list[str] = field(default_factory=list)
    category: str | None = None
    harm: str | None = None
    status: str | None = None
    area: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    reporter_group: str | None = None  # learners | staff | anonymous
    text: str = ""
    #: "newest" first, or "seen_too": the reports most others have seen too first,
    #: so that recurring hazards rise to the top of triage.
    order: str = "newest"


@dataclass(frozen=True)
class Page:
    rows: list[ReportRow]
    total: int
    offset: int
    limit: int


# -- helpers -----------------------------------------------------------------------------
def normalise_receipt(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hash_receipt(code: str) -> str:
    return hashlib.sha256(("hrohuddle-receipt:" + normalise_receipt(code)).encode()).hexdigest()


def receipt_hash(code: str) -> str:
    """What is stored of a receipt code: its hash, never the code."""
    return _hash_receipt(code)


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def validate(
    data: EventInput,
    *,
    unit: Unit,
    local_now: dt.datetime,
    roster: list[str] | None = None,
) -> dict[str, Any]:
    """Check a report; the returned fields are ready to store. Raises ValidationError."""
    tax = taxonomy()
    kind = validation.choice(
        data.kind, tax.keys("kinds"), "what kind of event it was", field="kind"
    )
    narrative = validation.text(
        data.narrative,
        "What happened",
        field="narrative",
        max_len=MAX_NARRATIVE,
        check_identifiers=True,
        roster=roster if roster is not None else (),
    )
    category = validation.choice(
        data.category, tax.keys("categories"), "an event category", field="category"
    )
    when = data.occurred_at
    if when > local_now + dt.timedelta(minutes=5):
        raise ValidationError(
            "The time of the event is in the future. Please check it.", "occurred_at"
        )
    created_local = to_local(unit.created_at)
    if when < created_local - dt.timedelta(days=1):
        raise ValidationError(
            f"The event is dated before this unit started using HRO Huddle "
            f"({created_local:%d %B %Y}). Please check the date.",
            "occurred_at",
        )
    if kind in HARM_KINDS:
        harm = validation.choice(
            data.harm,
            tax.keys("harm"),
            "the harm level (when two seem to fit, choose the higher)",
            field="harm",
        )
    elif data.harm:
        raise ValidationError(
            "Harm is recorded for incidents only: a near miss, good catch, unsafe condition "
            "or workaround did not reach the patient. Change the kind to Incident, or clear "
            "the harm level.",
            "harm",
        )
    else:
        harm = None
    stopped = None
    if kind in STOPPED_KINDS and data.stopped_by:
        stopped = validation.choice(
            data.stopped_by, tax.keys("stopped_by"), "what stopped it", field="stopped_by"
        )
    if data.area and data.area not in list(unit.areas):
        raise ValidationError("Choose an area from the unit's list.", "area")
    noticed = None
    if data.noticed_by:
        noticed = validation.choice(
            data.noticed_by, tax.keys("noticed_by"), "who noticed it first", field="noticed_by"
        )
    factors = sorted(set(data.contributing_factors))
    allowed = tax.keys("contributing_factors")
    for f in factors:
        validation.choice(
            f, allowed, "contributing factors from the list", field="contributing_factors"
        )
    prevention = validation.text(
        data.prevention,
        "How it could be prevented",
        field="prevention",
        max_len=2000,
        required=False,
        check_identifiers=True,
    )
    day, shift = ShiftClock.of(unit).shift_of(when)
    return {
        "kind": kind,
        "narrative": narrative,
        "category": category,
        "harm": harm,
        "stopped_by": stopped,
        "noticed_by": noticed,
        "contributing_factors": factors,
        "handover": data.handover,
        "prevention": prevention,
        "area": data.area or None,
        "shift": shift,
        "shift_date": day,
        # Consents: a teaching point is a good catch's; an anonymous reporter is never named.
        "teaching_consent": bool(data.teaching_consent) and kind == "good_catch",
        "recognise_by_name": bool(data.recognise_by_name)
        and kind == "good_catch"
        and not data.anonymous,
        "words_may_be_shared": bool(data.words_may_be_shared),
    }


# -- capture -----------------------------------------------------------------------------
@audit.requires("event.report")
def report(
    db: Database,
    actor: Actor,
    data: EventInput,
    *,
    local_now: dt.datetime | None = None,
    submission_key: str | None = None,
) -> Submitted:
    """Store a report. Anonymous ones get a receipt code, shown once and stored as a hash.

    With a ``submission_key`` (random, made when the form opens, kept in its draft) the
    report is stored once however often it is sent: a repeat returns the stored
    report, without a receipt code (that was shown the first time). An anonymous
    report's key is kept with its anonymous draft and its waiting item, never with
    its author.
    """
    local_now = local_now or dt.datetime.now()
    roster = unit_roster(db, actor.unit_id)
    with db.read() as s:
        unit = s.get(Unit, actor.unit_id)
        assert unit is not None
        fields = validate(data, unit=unit, local_now=local_now, roster=roster)
    shift_day = fields.pop("shift_date")
    key = _submission_key(submission_key)
    try:
        if data.anonymous:
            return _hold_anonymous(db, actor, key, shift_day, fields, local_now)
        return _store_report(db, actor, key, data, fields, local_now)
    except IntegrityError:
        if key is None:
            raise
        # The same report, sent at the same moment from a second press on a server.
        sent = _already_sent(db, key)
        if sent is None:
            raise
        return Submitted(None if data.anonymous else sent, None)


def _already_sent(db: Database, key: str) -> int | None:
    """The stored report with this key (0 while it waits anonymously), or None."""
    with db.read() as s:
        return _sent_with(s, key)


def _sent_with(s: Session, key: str) -> int | None:
    sent = s.scalar(select(SafetyEvent.id).where(SafetyEvent.submission_key == key))
    if sent is not None:
        return int(sent)
    waiting = s.scalar(select(AnonymousOutbox.id).where(AnonymousOutbox.submission_key == key))
    return 0 if waiting is not None else None


def _hold_anonymous(
    db: Database,
    actor: Actor,
    key: str | None,
    shift_day: dt.date,
    fields: dict[str, Any],
    local_now: dt.datetime,
) -> Submitted:
    code = new_receipt_code()
    with db.write() as s:
        if key is not None and _sent_with(s, key) is not None:
            return Submitted(None, None)
        unit = s.get(Unit, actor.unit_id)
        assert unit is not None
        # Only the shift is kept: an exact time could match a sign-in in the audit log.
        occurred = to_utc(ShiftClock.of(unit).start(shift_day, fields["shift"]))
        if fields.get("noticed_by") and _group_too_small(s, unit, fields["noticed_by"]):
            # "Noticed by a learner" on a unit with few learners would name them.
            fields["noticed_by"] = None
        payload = {**fields, "occurred_at": occurred.isoformat()}
        anonymity.hold(
            s,
            unit,
            "event",
            payload,
            local_now=local_now,
            receipt_hash=_hash_receipt(code),
            submission_key=key,
        )
    # Sending never releases: a batch leaves when the board, a reviewer's screen, a
    # huddle start or the reports ask, so that its moment is never the sender's.
    return Submitted(None, code)


def _store_report(
    db: Database,
    actor: Actor,
    key: str | None,
    data: EventInput,
    fields: dict[str, Any],
    local_now: dt.datetime,
) -> Submitted:
    with db.write() as s:
        if key is not None:
            sent = s.scalar(select(SafetyEvent.id).where(SafetyEvent.submission_key == key))
            if sent is not None:
                return Submitted(sent, None)
        event = SafetyEvent(
            submission_key=key,
            unit_id=actor.unit_id,
            occurred_at=to_utc(data.occurred_at),
            anonymous=False,
            receipt_hash=None,
            reported_on=local_now.date(),
            status="new",
            reporter_id=actor.person_id,
            reporter_profession=actor.profession,
            reporter_is_learner=actor.is_learner,
            **fields,
        )
        s.add(event)
        s.flush()
        journey.acknowledge(s, event.id, event.reported_on)
        return Submitted(event.id, None)


def _group_too_small(s: Session, unit: Unit, noticed_by: str) -> bool:
    """Whether "noticed by" names a group of the unit's people smaller than the minimum."""
    if noticed_by not in ("learner", "staff"):
        return False
    n = s.scalar(
        select(func.count(Person.id)).where(
            Person.unit_id == unit.id,
            Person.active,
            Person.is_learner.is_(noticed_by == "learner"),
        )
    )
    return int(n or 0) < unit.min_group_size


def new_submission_key() -> str:
    """A key for one report form: the same report sent twice is stored once."""
    return secrets.token_hex(16)


def _submission_key(key: str | None) -> str | None:
    if key is None:
        return None
    if len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        raise ValidationError("This report form is out of date; open it again.")
    return key


def check_receipt(db: Database, code: str) -> ReceiptView | None:
    """What became of a report, for whoever holds its receipt code: its status, its
    journey and its conversation (with the holder's messages still waiting).

    An unknown code and a wrong code get the same answer (None) after the same
    single indexed look-up, so codes cannot be probed.
    """
    digest = _hash_receipt(code)
    with db.read() as s:
        event = s.scalars(select(SafetyEvent).where(SafetyEvent.receipt_hash == digest)).first()
        if event is None:
            held = s.execute(
                select(
                    AnonymousOutbox.payload, AnonymousOutbox.filed_shift, AnonymousOutbox.unit_id
                ).where(AnonymousOutbox.receipt_hash == digest)
            ).first()
            if held is None:
                return None
            payload, filed, unit_id = held
            return ReceiptView(
                payload["kind"],
                payload["category"],
                local_date(filed),
                "new",
                None,
                released=False,
                messages=conversation.waiting_messages(s, unit_id, None, digest),
            )
        event_id = event.id
        history: list[tuple[dt.date, str]] = []
        for at, detail in s.execute(
            select(AuditEntry.at, AuditEntry.detail)
            .where(
                AuditEntry.target == f"event:{event_id}",
                AuditEntry.action == "event.triaged",
            )
            .order_by(AuditEntry.id)
        ).all():
            to = str((detail or {}).get("to", ""))
            if not history or history[-1][1] != to:  # a review that kept the status: once
                history.append((local_date(at), to))
        taken = [
            (title, status, due)
            for title, status, due in s.execute(
                select(Action.title, Action.status, Action.due_on)
                .where(Action.event_id == event_id)
                .order_by(Action.id)
            ).all()
        ]
        thread = conversation.thread_in(s, event, names=False)
        waiting = conversation.waiting_messages(s, event.unit_id, event_id, digest)
        return ReceiptView(
            event.kind,
            event.category,
            event.reported_on,
            event.status,
            event.feedback,
            True,
            history,
            taken,
            thread.steps,
            thread.messages + waiting,
            thread.merged,
            conversation.awaits_reporter(thread.messages + waiting),
        )


# -- reading -----------------------------------------------------------------------------
_COLUMNS = (
    SafetyEvent.id,
    SafetyEvent.kind,
    SafetyEvent.category,
    SafetyEvent.harm,
    SafetyEvent.status,
    SafetyEvent.occurred_at,
    SafetyEvent.area,
    SafetyEvent.narrative,
    SafetyEvent.anonymous,
    Person.display_name,
    SafetyEvent.reporter_is_learner,
    SafetyEvent.feedback,
    SafetyEvent.reviewer_summary,
    SafetyEvent.status_reason,
    SafetyEvent.stopped_by,
    SafetyEvent.noticed_by,
    SafetyEvent.contributing_factors,
    SafetyEvent.handover,
    SafetyEvent.prevention,
    SafetyEvent.reported_on,
    SafetyEvent.merged_into_id,
    SafetyEvent.me_too_count,
)


def _rows(s: Session, q: Any) -> list[ReportRow]:
    return [
        ReportRow(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
            r[11],
            r[12],
            r[13],
            r[14],
            r[15],
            list(r[16] or []),
            r[17],
            r[18],
            r[19],
            r[20],
            int(r[21] or 0),
        )
        for r in s.execute(q).all()
    ]


def _base() -> Any:
    return select(*_COLUMNS).outerjoin(Person, Person.id == SafetyEvent.reporter_id)


@audit.requires("event.view_own")
def my_reports(db: Database, actor: Actor) -> list[ReportRow]:
    """The actor's named reports, newest first, with status and feedback."""
    with db.read() as s:
        return _rows(
            s,
            _base()
            .where(SafetyEvent.reporter_id == actor.person_id)
            .order_by(SafetyEvent.occurred_at.desc())
            .limit(500),
        )


_ORDERS: dict[str, tuple[Any, ...]] = {
    "newest": (SafetyEvent.occurred_at.desc(), SafetyEvent.id.desc()),
    "seen_too": (
        SafetyEvent.me_too_count.desc(),
        SafetyEvent.occurred_at.desc(),
        SafetyEvent.id.desc(),
    ),
}


@audit.requires("event.view_all")
def list_events(
    db: Database, actor: Actor, flt: EventFilter, *, offset: int = 0, limit: int = 100
) -> Page:
    """One page of the unit's reports, newest first, with the total that match.

    Anonymous reports (and reporters' messages) due for release are released first: a
    reviewer's screen asks, never the sender's send.
    """
    anonymity.release_due(db, messages=True)
    conds: list[Any] = [SafetyEvent.unit_id == actor.unit_id]
    if flt.kinds:
        conds.append(SafetyEvent.kind.in_(flt.kinds))
    for col, value in (
        (SafetyEvent.category, flt.category),
        (SafetyEvent.harm, flt.harm),
        (SafetyEvent.status, flt.status),
        (SafetyEvent.area, flt.area),
    ):
        if value:
            conds.append(col == value)
    if flt.since:
        conds.append(SafetyEvent.occurred_at >= dt.datetime.combine(flt.since, dt.time()))
    if flt.until:
        conds.append(
            SafetyEvent.occurred_at
            < dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time())
        )
    if flt.reporter_group == "learners":
        conds.append(SafetyEvent.reporter_is_learner.is_(True))
    elif flt.reporter_group == "staff":
        conds.append(SafetyEvent.reporter_is_learner.is_(False))
    elif flt.reporter_group == "anonymous":
        conds.append(SafetyEvent.anonymous.is_(True))
    needle = flt.text.strip().lower()
    if needle:
        conds.append(func.lower(SafetyEvent.narrative).contains(needle, autoescape=True))
    with db.read() as s:
        total = s.scalar(select(func.count(SafetyEvent.id)).where(*conds)) or 0
        rows = _rows(
            s,
            _base()
            .where(*conds)
            .order_by(*_ORDERS.get(flt.order, _ORDERS["newest"]))
            .offset(offset)
            .limit(limit),
        )
        wrote = _reporter_wrote_last(s, [r.id for r in rows])
    # A closed report owes a reply only for news ("this happened again", more detail),
    # not for the answer that its review was closed on.
    owed = {
        r.id
        for r in rows
        if r.id in wrote and (r.status not in _FINISHED or wrote[r.id] in ("again", "detail"))
    }
    rows = [replace(r, reporter_wrote=True) if r.id in owed else r for r in rows]
    return Page(rows, int(total), offset, limit)


_FINISHED = ("closed", "not_actionable", "duplicate")


def _reporter_wrote_last(s: Session, ids: list[int]) -> dict[int, str]:
    """Of these reports, those whose conversation ends with the reporter's message, with
    that message's kind."""
    if not ids:
        return {}
    last = (
        select(ReportMessage.event_id, func.max(ReportMessage.position).label("last"))
        .where(ReportMessage.event_id.in_(ids))
        .group_by(ReportMessage.event_id)
        .subquery()
    )
    return {
        int(event_id): str(kind)
        for event_id, kind in s.execute(
            select(ReportMessage.event_id, ReportMessage.kind)
            .join(
                last,
                (last.c.event_id == ReportMessage.event_id)
                & (last.c.last == ReportMessage.position),
            )
            .where(ReportMessage.sender == "reporter")
        ).all()
    }


@audit.requires("event.view_own")
def get(db: Database, actor: Actor, event_id: int) -> ReportRow:
    """One report: reviewers see any on the unit, reporters their own."""
    with db.read() as s:
        rows = _rows(s, _base().where(SafetyEvent.id == event_id))
        reporter = s.scalar(select(SafetyEvent.reporter_id).where(SafetyEvent.id == event_id))
        unit = s.scalar(select(SafetyEvent.unit_id).where(SafetyEvent.id == event_id))
    if not rows or unit != actor.unit_id:
        raise NotFound("That report is not on this unit.")
    if reporter != actor.person_id:
        audit.require(actor, "event.view_all")
    return rows[0]


# -- triage ------------------------------------------------------------------------------
@audit.requires("event.triage")
def triage(
    db: Database,
    actor: Actor,
    event_id: int,
    *,
    status: str,
    reason: str | None = None,
    summary: str | None = None,
    feedback: str | None = None,
    expected_version: int | None = None,
    merged_into: int | None = None,
    today: dt.date | None = None,
) -> ReportRow:
    """Review a report: status, reviewer summary and feedback to the reporter; audited.

    With ``expected_version`` (from ``triage_version`` when the report was opened), a
    save made after someone else's is refused with what they changed (EditConflict).
    The status "duplicate" joins the report with ``merged_into``, another report of the
    unit (not itself, never in a loop): its reporter then sees that report's journey.
    Feedback text is feedback: the report's first feedback day is kept.
    """
    today = today or dt.date.today()
    validation.choice(status, list(TRIAGE_STATUSES), "a status", field="status")
    clean_reason = validation.text(
        reason,
        "The reason",
        field="reason",
        max_len=1000,
        required=status == "not_actionable",
        check_identifiers=True,
    )
    clean_summary = validation.text(
        summary,
        "The reviewer summary",
        field="summary",
        max_len=2000,
        required=False,
        check_identifiers=True,
    )
    clean_feedback = validation.text(
        feedback,
        "The feedback to the reporter",
        field="feedback",
        max_len=2000,
        required=False,
        check_identifiers=True,
    )
    with db.write() as s:
        event = s.get(SafetyEvent, event_id)
        if event is None or event.unit_id != actor.unit_id:
            raise NotFound("That report is not on this unit.")
        edits.check(
            event.version,
            expected_version,
            "this report's review",
            [
                ("the status", event.status, status),
                ("the reason", event.status_reason, clean_reason),
                ("the reviewer summary", event.reviewer_summary, clean_summary),
                ("the feedback", event.feedback, clean_feedback),
                ("the report it repeats", event.merged_into_id, merged_into),
            ],
        )
        joined = conversation.check_merge(s, event, merged_into) if status == "duplicate" else None
        # Saved exactly as it stands: no new version, nothing audited.
        unchanged = (
            status == event.status
            and clean_reason == event.status_reason
            and clean_summary == event.reviewer_summary
            and clean_feedback == event.feedback
            and joined == event.merged_into_id
        )
        if not unchanged:
            before = event.status
            event.status = status
            event.status_reason = clean_reason
            event.reviewer_summary = clean_summary
            event.reviewer_id = actor.person_id
            event.merged_into_id = joined
            if clean_feedback != event.feedback:
                event.feedback = clean_feedback
                event.feedback_on = today if clean_feedback else None
                if clean_feedback and (
                    event.first_feedback_on is None or today < event.first_feedback_on
                ):
                    event.first_feedback_on = today
            event.updated_at = utcnow()
            detail: dict[str, Any] = {
                "from": before,
                "to": status,
                "feedback": bool(clean_feedback),
            }
            if joined is not None:
                detail["into"] = joined
            audit.record(s, "event.triaged", actor=actor, target=f"event:{event_id}", detail=detail)
    return get(db, actor, event_id)


@audit.requires("event.triage")
def triage_version(db: Database, actor: Actor, event_id: int) -> int:
    """The version of a report's review as it stands, to hand back to ``triage``."""
    with db.read() as s:
        row = s.execute(
            select(SafetyEvent.version, SafetyEvent.unit_id).where(SafetyEvent.id == event_id)
        ).first()
    if row is None or row[1] != actor.unit_id:
        raise NotFound("That report is not on this unit.")
    return int(row[0])


def export_rows(db: Database, unit_id: int) -> tuple[list[str], list[list[Any]]]:
    """Every report as CSV rows; anonymous ones have empty reporter cells."""
    header = [
        "event_id",
        "kind",
        "category",
        "harm",
        "stopped_by",
        "status",
        "occurred_utc",
        "shift",
        "area",
        "noticed_by",
        "contributing_factors",
        "handover",
        "narrative",
        "anonymous",
        "reporter",
        "reporter_profession",
        "reporter_is_learner",
        "reviewer_summary",
        "feedback",
        # Common Formats mapping, so a unit can forward its reports to a PSO.
        "common_formats_class",
        "common_formats_category",
        "common_formats_version",
        "category_v1_2",
    ]
    cf_version = common_formats_version()
    category_labels = taxonomy().labels_by_key("categories")
    with db.read() as s:
        legacy = dict(s.execute(select(EventCategoryV12.event_id, EventCategoryV12.category)).all())
        rows = s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.kind,
                SafetyEvent.category,
                SafetyEvent.harm,
                SafetyEvent.stopped_by,
                SafetyEvent.status,
                SafetyEvent.occurred_at,
                SafetyEvent.shift,
                SafetyEvent.area,
                SafetyEvent.noticed_by,
                SafetyEvent.contributing_factors,
                SafetyEvent.handover,
                SafetyEvent.narrative,
                SafetyEvent.anonymous,
                Person.display_name,
                SafetyEvent.reporter_profession,
                SafetyEvent.reporter_is_learner,
                SafetyEvent.reviewer_summary,
                SafetyEvent.feedback,
            )
            .outerjoin(Person, Person.id == SafetyEvent.reporter_id)
            .where(SafetyEvent.unit_id == unit_id)
            .order_by(SafetyEvent.occurred_at)
        ).all()
    out = []
    for r in rows:
        row = list(r)
        row[10] = ";".join(r[10] or [])
        if r[13]:
            row[14] = row[15] = row[16] = ""
        cf_class = common_formats_class(r[1])
        row += [
            cf_class.label if cf_class else "",
            category_labels.get(r[2], r[2]),
            cf_version,
            legacy.get(r[0], ""),
        ]
        out.append(row)
    return header, out
