"""Anonymous reports and pulse answers: released in shuffled batches, nothing in order.

An anonymous report is first written to ``anonymous_outbox``: a random key, no
rowid, nothing about the sender, and the start of the shift as its only time. From
there it is released into ``safety_events`` in batches, shuffled, in a transaction
of its own, so that neither SQLite's row order nor PostgreSQL's transaction ids
follow the order in which people sent them. A batch leaves when three or more are
waiting, or at the first shift change after the oldest was sent, whichever comes
first, at a moment someone else chooses: the huddle board, a huddle's start, the
reviewers' screens and the pulse results ask for a release before they read.
Sending never releases. Each time an item is held, the unit's waiting items are
written again in a shuffled order, so the page does not keep the order of sending.

A pulse answer does not wait: beside the invitations marked answered, a waiting
answer would point at the few people whose offer is open. It is stored in the
transaction that marks its invitation done, coarsened to what at least the
minimum group size of people who answered share, and the unit's answers are
written again with it, shuffled, under new random keys, in a table without rowid
(``release_pulse``).

On SQLite every write is copied into the file and the write-ahead log emptied as it
commits (``Database.write``), so a copy of the file shows the present and the log
keeps no run of commits in order beside the sender's sign-in; secure delete
overwrites the outbox rows as they leave or are written again. THREAT_MODEL.md says what
this guarantees and what it does not.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from hrohuddle.services import conversation, journey
from hrohuddle.services.dates import local_date, to_utc
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    AnonymousOutbox,
    Person,
    PulseInvitation,
    PulseResponse,
    SafetyEvent,
    Unit,
)
from hrohuddle.store.unit_models import SignInSession, day_of, utcnow

log = logging.getLogger(__name__)

#: A batch is released as soon as this many are waiting on a unit.
RELEASE_AT = 3
#: A pulse is offered for this many days after its milestone (services.pulses).
OFFER_DAYS = 30
#: Unclaimed anonymous drafts (their author's app closed or crashed) are wiped after this.
DRAFT_KEEP = dt.timedelta(days=2)

_shuffle = secrets.SystemRandom().shuffle
#: The order in which a group of rows is written again (``_rewrite_waiting``, me too).
shuffle = secrets.SystemRandom().shuffle


def new_key() -> str:
    """A random identifier that says nothing about when or by whom it was made."""
    return secrets.token_hex(16)


def shift_start(unit: Unit, local: dt.datetime) -> dt.datetime:
    """The start of the shift that a local wall-clock time falls in, as naive UTC."""
    start = ShiftClock.of(unit).start_of(local)
    return to_utc(start)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter label such as ``2026-Q3``."""
    year, q = int(label[:4]), int(label[-1])
    first = dt.date(year, 3 * (q - 1) + 1, 1)
    nxt = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def hold(
    s: Session,
    unit: Unit,
    kind: str,
    payload: dict[str, Any],
    *,
    local_now: dt.datetime,
    receipt_hash: str | None = None,
    submission_key: str | None = None,
) -> None:
    """Put one anonymous item in the outbox, inside the caller's transaction.

    The unit's waiting items are written again with it, in a shuffled order
    (``_rewrite_waiting``), so that the page does not keep the order of sending.
    """
    row = {
        "id": new_key(),
        "unit_id": unit.id,
        "kind": kind,
        "filed_shift": shift_start(unit, local_now),
        "payload": payload,
        "receipt_hash": receipt_hash,
        "submission_key": submission_key,
    }
    _rewrite_waiting(s, unit.id, row)


def _rewrite_waiting(s: Session, unit_id: int, new: dict[str, Any]) -> None:
    """Write the unit's waiting items again, with ``new`` among them, shuffled.

    ``anonymous_outbox`` has no rowid on SQLite, but a new cell is carved below the
    last one written, so a later item would lie below an earlier one. Deleted and
    written again in a shuffled order (secure delete overwrites the old cells), the
    items lie where the shuffle puts them. Their keys stay: a receipt looks up its
    hash, not the key. Drafts are left alone (their author's app holds their key).
    """
    s.flush()
    waiting = (AnonymousOutbox.unit_id == unit_id) & (AnonymousOutbox.kind != "draft")
    cols = list(AnonymousOutbox.__table__.columns)
    # Locked, and deleted by key: on PostgreSQL an item that a release (or another
    # sender) took meanwhile is neither written back nor lost.
    rows = [dict(r._mapping) for r in s.execute(select(*cols).where(waiting).with_for_update())]
    keys = [r["id"] for r in rows]
    s.execute(
        delete(AnonymousOutbox)
        .where(AnonymousOutbox.id.in_(keys))
        .execution_options(synchronize_session=False)
    )
    rows.append(new)
    shuffle(rows)
    s.execute(insert(AnonymousOutbox), rows)


def waiting(db: Database, unit_id: int) -> int:
    """How many anonymous items of a unit wait for release (drafts not counted)."""
    with db.read() as s:
        n = s.scalar(
            select(func.count())
            .select_from(AnonymousOutbox)
            .where(AnonymousOutbox.unit_id == unit_id, AnonymousOutbox.kind != "draft")
        )
    return int(n or 0)


def release_due(
    db: Database,
    *,
    local_now: dt.datetime | None = None,
    force: bool = False,
    messages: bool = False,
) -> int:
    """Release every batch that is due (or every waiting item, with ``force``).

    Returns how many items were released. Safe to call at any time and from any
    workstation: a batch is released once, in one transaction.

    An anonymous reporter's messages leave only with ``messages``, which the reviewers'
    screens and the huddle pass: their release is audited, and its moment must be one
    that a reviewer chose, never one in which an anonymous sender (of a report, a pulse
    answer or a message) was at the keyboard. A message whose report still waits stays.
    """
    local_now = local_now or dt.datetime.now()
    released = 0
    swept = forget_ended_sessions(db)
    with db.read() as s:  # the common case, cheaply: nothing waits, no write lock taken
        idle = s.scalar(select(AnonymousOutbox.id).limit(1)) is None
    if idle:
        if swept:
            wipe_journal(db)
        return 0
    with db.write() as s:
        # Locked: of two workstations releasing at once, the second finds nothing left.
        items = list(s.scalars(select(AnonymousOutbox).with_for_update()))
        by_unit: dict[int, list[AnonymousOutbox]] = {}
        for item in items:
            by_unit.setdefault(item.unit_id, []).append(item)
        for unit_id, rows in by_unit.items():
            unit = s.get(Unit, unit_id)
            assert unit is not None
            current = shift_start(unit, local_now)
            drafts = [r for r in rows if r.kind == "draft"]
            for d in drafts:
                if d.filed_shift < current - DRAFT_KEEP:
                    s.delete(d)
                    swept += 1
            batch = [r for r in rows if r.kind != "draft" and (messages or r.kind != "message")]
            if not batch:
                continue
            due = force or len(batch) >= RELEASE_AT or any(r.filed_shift < current for r in batch)
            if not due:
                continue
            _shuffle(batch)
            period = quarter_of(local_now.date())
            pulses = [r for r in batch if r.kind == "pulse"]  # sent before answers stopped waiting
            events = [_event(unit, r, current) for r in batch if r.kind == "event"]
            s.add_all(events)
            s.flush()
            for event in events:
                # Recorded at the start of the shift, as the report keeps its times.
                journey.acknowledge(s, event.id, event.reported_on, at=current)
            stay = set()
            for r in batch:
                if r.kind == "message" and not conversation.release_message(
                    s, unit, dict(r.payload), r.filed_shift
                ):
                    stay.add(r.id)
            batch = [r for r in batch if r.id not in stay]
            if pulses:
                groups = _pulse_groups(s, unit, period)
                _rewrite_pulses(
                    s, unit_id, [_pulse(unit, r.payload, period, groups) for r in pulses]
                )
            for row in batch:
                s.delete(row)
            released += len(batch)
    if released or swept:
        wipe_journal(db)
    return released


def _event(unit: Unit, row: AnonymousOutbox, current: dt.datetime) -> SafetyEvent:
    p = dict(row.payload)
    return SafetyEvent(
        unit_id=unit.id,
        kind=p["kind"],
        category=p["category"],
        harm=p.get("harm"),
        stopped_by=p.get("stopped_by"),
        narrative=p["narrative"],
        occurred_at=dt.datetime.fromisoformat(p["occurred_at"]),
        shift=p["shift"],
        area=p.get("area"),
        noticed_by=p.get("noticed_by"),
        contributing_factors=list(p.get("contributing_factors") or []),
        handover=p.get("handover"),
        prevention=p.get("prevention"),
        teaching_consent=bool(p.get("teaching_consent")),
        recognise_by_name=False,
        words_may_be_shared=bool(p.get("words_may_be_shared")),
        anonymous=True,
        reporter_id=None,
        reporter_profession=None,
        reporter_is_learner=None,
        receipt_hash=row.receipt_hash,
        submission_key=row.submission_key,
        reported_on=local_date(row.filed_shift),
        filed_shift=row.filed_shift,
        released_shift=current,
        status="new",
    )


def _pulse(
    unit: Unit,
    payload: Mapping[str, Any],
    period: str,
    groups: tuple[set[int], bool],
) -> dict[str, Any]:
    p = dict(payload)
    kept, quarter_too_small = groups
    milestone: int | None = int(p["milestone_day"])
    stored_period: str | None = period
    if quarter_too_small:
        milestone, stored_period = None, None
    elif milestone not in kept:
        milestone = None
    return {
        "unit_id": unit.id,
        "instrument_key": p["instrument_key"],
        "instrument_version": int(p["instrument_version"]),
        "milestone_day": milestone,
        "period": stored_period,
        "answers": dict(p["answers"]),
        "comment": p.get("comment"),
    }


def release_pulse(
    s: Session, unit: Unit, payload: Mapping[str, Any], *, local_now: dt.datetime
) -> None:
    """Store one pulse answer at once, in the transaction that marks its invitation done.

    Nothing waits: a waiting answer, beside the invitations answered lately, would
    narrow its sender to the few whose offer is open. The answer is coarsened by the
    rule of ``kept_milestones`` over the people who have answered (its sender
    included), and every answer of the unit is written again in a shuffled order
    with new random ids (``_rewrite_pulses``), so that no row is the newest.
    """
    s.flush()
    period = quarter_of(local_now.date())
    _rewrite_pulses(s, unit.id, [_pulse(unit, payload, period, _pulse_groups(s, unit, period))])


def _rewrite_pulses(s: Session, unit_id: int, new: list[dict[str, Any]]) -> None:
    """Write the unit's answers again, with ``new`` among them: shuffled, new random ids.

    On SQLite ``pulse_responses`` has no rowid and is kept in the order of its random
    keys; on PostgreSQL the rewritten rows lie in the table in the shuffled order,
    and all of them, with every answered invitation of the unit, carry this
    transaction's id.
    """
    cols = [c for c in PulseResponse.__table__.columns if c.name != "id"]
    rows = [
        dict(r._mapping) for r in s.execute(select(*cols).where(PulseResponse.unit_id == unit_id))
    ]
    s.execute(delete(PulseResponse).where(PulseResponse.unit_id == unit_id))
    rows.extend(new)
    for row in rows:
        row["id"] = new_key()
    _shuffle(rows)
    if rows:
        s.execute(insert(PulseResponse), rows)
    s.execute(
        update(PulseInvitation)
        .where(
            PulseInvitation.status == "done",
            PulseInvitation.person_id.in_(select(Person.id).where(Person.unit_id == unit_id)),
        )
        .values(status="done")
    )


def answered_by_milestone(s: Session, unit_id: int, period: str) -> dict[int, set[int]]:
    """Who of the unit's people may have sent an answer stored with each milestone in a quarter.

    Counted as anyone reading the database can: everyone whose invitation to that
    milestone is done (answered) and whose offer window, from its due day to
    ``OFFER_DAYS`` later, reaches into the quarter. People invited who never answered
    are not counted: the invitations show that they did not.
    """
    first, last = quarter_bounds(period)
    rows = s.execute(
        select(PulseInvitation.person_id, PulseInvitation.milestone_day, PulseInvitation.due_on)
        .join(Person, Person.id == PulseInvitation.person_id)
        .where(Person.unit_id == unit_id, PulseInvitation.status == "done")
    ).all()
    unit = s.get(Unit, unit_id)
    assert unit is not None
    answered: dict[int, set[int]] = {int(d): set() for d in unit.pulse_milestones}
    for pid, day, due in rows:
        if due <= last and due + dt.timedelta(days=OFFER_DAYS) >= first:
            answered.setdefault(int(day), set()).add(int(pid))
    return answered


def _pulse_groups(s: Session, unit: Unit, period: str) -> tuple[set[int], bool]:
    """Which milestones are kept (the others are pooled), and whether the quarter is too small."""
    return kept_milestones(answered_by_milestone(s, unit.id, period), unit.min_group_size)


def kept_milestones(invited: Mapping[int, Collection[int]], k: int) -> tuple[set[int], bool]:
    """The at-rest rule: (milestones kept, whether the quarter keeps nothing).

    A stored (milestone, quarter) must match at least ``k`` people who answered
    (``answered_by_milestone``).
    A milestone with fewer is pooled ("milestone not kept"), and the smallest kept
    ones join the pool until it, too, holds at least ``k`` different people (the
    rule of complementary suppression); a quarter with fewer than ``k`` such
    people in all keeps neither milestone nor quarter.
    """
    everyone = set().union(*invited.values()) if invited else set()
    if len(everyone) < k:
        return set(), True
    kept = {m for m, who in invited.items() if len(who) >= k}

    def pooled() -> set[Any]:
        return set().union(*(set(who) for m, who in invited.items() if m not in kept))

    while 0 < len(pooled()) < k and kept:
        kept.remove(min(kept, key=lambda m: (len(invited[m]), m)))
    return kept, False


def forget_ended_sessions(db: Database, *, now: dt.datetime | None = None) -> int:
    """Delete sign-in sessions that ended before today (UTC); returns how many.

    An ended session is refused by every re-check whether it is kept or not; kept,
    it would say who worked which day. On the day it ends it stays, so that text
    typed just before signing out still reaches its author's drafts.
    """
    today = day_of(now or utcnow())
    old = SignInSession.ended_at.is_not(None) & (SignInSession.ended_at < today)
    with db.read() as s:
        if s.scalar(select(SignInSession.id).where(old).limit(1)) is None:
            return 0
    with db.write() as s:
        gone = list(s.scalars(select(SignInSession.id).where(old)))
        s.execute(delete(SignInSession).where(SignInSession.id.in_(gone)))
    return len(gone)


def wipe_journal(db: Database) -> None:
    """Move SQLite's write-ahead log into the database file and empty it.

    Every write already does (``Database.write``); kept for the reads that delete
    (ended sessions) and for callers that want to be sure. Nothing to do on PostgreSQL.
    """
    if not db.checkpoint():
        # Another workstation is reading this instant: the next write empties it.
        log.debug("the write-ahead log could not be emptied yet (another reader is open)")


def discard_drafts(s: Session, keys: list[str]) -> None:
    s.execute(
        delete(AnonymousOutbox).where(AnonymousOutbox.kind == "draft", AnonymousOutbox.id.in_(keys))
    )
