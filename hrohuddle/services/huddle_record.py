"""What past huddles did: the follow-ups a huddle changed, its teaching points and
counts as its board showed them, and the unit's list of past huddles.

Read-only; the huddle itself is started, run and closed in services.huddles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, dates
from hrohuddle.services.huddles import Board, HuddleRow, unit_huddle
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Action,
    Escalation,
    Huddle,
    HuddleAttendance,
    HuddleItem,
    Person,
    Tier,
    utcnow,
)


@dataclass(frozen=True)
class FollowUpChange:
    """One thing the huddle did to an action: made, closed, reassigned, re-dated, escalated.

    ``owner`` and ``due_on`` are the action's owner and due date just after that step,
    ``owner_before`` and ``due_before`` just before it: the values at the time, not today's.
    """

    action_id: int
    title: str
    change: str  # created | closed | reassigned | due_changed | escalated
    owner: str | None
    due_on: dt.date | None
    detail: str | None
    owner_before: str | None = None
    due_before: dt.date | None = None


CHANGES = {
    "action.created": "created",
    "action.closed": "closed",
    "action.reassigned": "reassigned",
    "action.due_changed": "due_changed",
    "action.escalated": "escalated",
}


def _iso_day(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def _person_id(value: object) -> int | None:
    return int(str(value)) if value is not None else None


@audit.requires("huddle.view")
def follow_up_record(db: Database, actor: Actor, huddle_id: int) -> list[FollowUpChange]:
    """What happened to actions while the huddle ran (from the audit log), in order.

    Each step carries the owner and due date it left the action with (and had found),
    read back from the audit log: today's values are undone step by step, newest
    first, through every later reassignment and change of due date. Closing notes and
    escalation reasons come with them, so the summary says what the huddle did to each
    follow-up, not only what is open now. A "change" of due date to the same date is
    no change and is left out.
    """
    from hrohuddle.store.models import AuditEntry

    with db.read() as s:
        h = unit_huddle(s, actor, huddle_id, must_be_open=False)
        until = h.ended_at or utcnow()
        entries = s.execute(
            select(AuditEntry.id, AuditEntry.action, AuditEntry.target, AuditEntry.detail)
            .where(
                AuditEntry.unit_id == h.unit_id,
                AuditEntry.at >= h.started_at,
                AuditEntry.at <= until,
                AuditEntry.action.in_(list(CHANGES)),
            )
            .order_by(AuditEntry.id)
        ).all()
        targets = {t for _i, _a, t, _d in entries if t and t.startswith("action:")}
        ids = {int(t.split(":")[1]) for t in targets}
        actions = {a.id: a for a in s.scalars(select(Action).where(Action.id.in_(ids))).all()}
        # Every change since the huddle began, also those after it closed, to undo them.
        later = (
            s.execute(
                select(AuditEntry.id, AuditEntry.action, AuditEntry.target, AuditEntry.detail)
                .where(
                    AuditEntry.target.in_(targets),
                    AuditEntry.at >= h.started_at,
                    AuditEntry.action.in_(["action.reassigned", "action.due_changed"]),
                )
                .order_by(AuditEntry.id.desc())
            ).all()
            if targets
            else []
        )
    # The owner and due date after each entry: start from today's and go back in time.
    state = {i: (a.owner_id, a.due_on) for i, a in actions.items()}
    after: dict[int, tuple[int | None, dt.date | None]] = {}
    before: dict[int, tuple[int | None, dt.date | None]] = {}
    in_huddle = {entry_id for entry_id, *_rest in entries}
    steps = sorted(
        {row[0]: row for row in [*entries, *later]}.values(), key=lambda r: r[0], reverse=True
    )
    for entry_id, action, target, detail in steps:
        if not target or not target.startswith("action:"):
            continue
        action_id = int(target.split(":")[1])
        if action_id not in state:
            continue
        owner_id, due = state[action_id]
        d = detail or {}
        if entry_id in in_huddle:
            after[entry_id] = (owner_id, due)
        if action == "action.reassigned":
            owner_id = _person_id(d.get("from"))
        elif action == "action.due_changed":
            due = _iso_day(d.get("from"))
        elif action == "action.created":
            owner_id, due = _person_id(d.get("owner")) or owner_id, _iso_day(d.get("due")) or due
            after[entry_id] = (owner_id, due)
        state[action_id] = (owner_id, due)
        if entry_id in in_huddle:
            before[entry_id] = (owner_id, due)
    # Only the people these steps name: never every person of every unit.
    named = {o for o, _due in [*after.values(), *before.values()] if o is not None}
    names: dict[int, str] = {}
    if named:
        with db.read() as s:
            names = {
                pid: name
                for pid, name in s.execute(
                    select(Person.id, Person.display_name).where(Person.id.in_(named))
                )
            }
    out: list[FollowUpChange] = []
    for entry_id, action, target, _detail in entries:
        if not target or not target.startswith("action:"):
            continue
        a = actions.get(int(target.split(":")[1]))
        if a is None or entry_id not in after:
            continue
        change = CHANGES[action]
        (owner_id, due), (was_owner, was_due) = after[entry_id], before[entry_id]
        info: str | None = None
        if change == "closed":
            info = a.closing_note
        elif change == "reassigned":
            info = names.get(owner_id) if owner_id is not None else None
        elif change == "due_changed":
            if due == was_due:
                continue  # recorded before such a non-change was refused
            info = due.isoformat() if due else None
        elif change == "escalated":
            info = a.escalation_reason
        out.append(
            FollowUpChange(
                a.id,
                a.title,
                change,
                names.get(owner_id) if owner_id is not None else None,
                due,
                info,
                names.get(was_owner) if was_owner is not None else None,
                was_due,
            )
        )
    return out


@dataclass(frozen=True)
class SentUp:
    """An escalation the unit sent to its department while the huddle ran."""

    escalation_id: int
    title: str
    tier_name: str
    needed_by: dt.date | None

    @property
    def words(self) -> str:
        """ "“Two nurses short on nights” to Medicine, needed by Sun 29 Nov 2026"."""
        needed = f", needed by {dates.day(self.needed_by)}" if self.needed_by else ""
        return f"“{self.title}” to {self.tier_name}{needed}"


@audit.requires("huddle.view")
def escalations_sent(db: Database, actor: Actor, huddle_id: int) -> list[SentUp]:
    """What the huddle sent to the department: escalated while it ran, or an item of its
    board escalated after it closed; in the order sent. Empty on a unit's own file."""
    with db.read() as s:
        h = unit_huddle(s, actor, huddle_id, must_be_open=False)
        until = h.ended_at or utcnow()
        found = s.execute(
            select(Escalation.id, Escalation.title, Tier.name, Escalation.needed_by)
            .join(Tier, Tier.id == Escalation.tier_id)
            .where(
                Escalation.unit_id == h.unit_id,
                Escalation.parent_id.is_(None),
                or_(
                    and_(Escalation.raised_at >= h.started_at, Escalation.raised_at <= until),
                    and_(Escalation.huddle_id == h.id, Escalation.huddle_item_id.is_not(None)),
                ),
            )
            .order_by(Escalation.raised_at, Escalation.id)
        ).all()
    return [SentUp(i, title, tier, needed) for i, title, tier, needed in found]


@dataclass(frozen=True)
class TeachingCount:
    by_profession: dict[str, int]
    by_learners: int
    total: int


def teaching_counts(s: Session, unit_id: int, since: dt.date, until: dt.date) -> TeachingCount:
    """Teaching points of the unit's huddles in a period, by the giver's profession and
    by learners ("everybody teaches"). For the summary and the weekly report."""
    rows = s.execute(
        select(Person.profession, Person.is_learner)
        .join(HuddleItem, HuddleItem.author_id == Person.id)
        .join(Huddle, Huddle.id == HuddleItem.huddle_id)
        .where(
            Huddle.unit_id == unit_id,
            Huddle.huddle_date >= since,
            Huddle.huddle_date <= until,
            HuddleItem.section == "teach",
            HuddleItem.deleted.is_(False),
        )
    ).all()
    by: dict[str, int] = {}
    for profession, _learner in rows:
        by[profession] = by.get(profession, 0) + 1
    return TeachingCount(by, sum(1 for _p, learner in rows if learner), len(rows))


@audit.requires("huddle.view")
def teaching_tally(db: Database, actor: Actor, since: dt.date, until: dt.date) -> TeachingCount:
    """Teaching points of the unit's huddles between two dates (inclusive), by the
    profession of who gave them and how many came from learners."""
    with db.read() as s:
        return teaching_counts(s, actor.unit_id, since, until)


@dataclass(frozen=True)
class HuddleCounts:
    """The counts of one huddle, as its board showed them."""

    look_back: int
    look_ahead: int
    teaching_points: int
    #: Recognitions somebody gave in the huddle.
    recognitions: int
    #: Good catches the look back listed on its own (from the reports).
    good_catches: int
    #: The HRO principles touched: ticked in the reflection or tagged on an item.
    principles: tuple[str, ...]


def huddle_counts(b: Board) -> HuddleCounts:
    """Count what the board showed for this huddle, open or closed.

    Once closed, the reports looked back on are items of the huddle (good catches in
    Recognise): they still count in the look back, as on the board, and the good
    catches apart from the recognitions people gave.
    """
    recognise = b.items.get("recognise", [])
    # A recognition of a report counts in the look back only when this huddle took the
    # report up: a teaching point may come from a good catch an earlier huddle saw.
    looked = {e.id for e in b.look_back_events}
    from_look_back = sum(1 for i in recognise if i.event_id in looked)
    catches = sum(1 for i in recognise if i.event_id)
    look_back = len(b.items.get("look_back", [])) + from_look_back
    if b.huddle.status == "open":
        shown = {i.event_id for i in b.items.get("look_back", []) + recognise if i.event_id}
        reports = [e for e in b.look_back_events if e.id not in shown]
        catches += sum(1 for e in reports if e.kind == "good_catch")
        look_back += len(reports)
    keys = {t.key for t in unit_vocabulary().terms("hro_principles")}
    touched = {k for k, v in b.reflection.items() if v}
    touched |= {i.hro_principle for rows in b.items.values() for i in rows if i.hro_principle}
    return HuddleCounts(
        look_back,
        len(b.items.get("look_ahead", [])),
        len(b.items.get("teach", [])),
        sum(1 for i in recognise if not i.event_id),
        catches,
        tuple(sorted(touched & keys)),
    )


# -- history -------------------------------------------------------------------------------
@audit.requires("huddle.view")
def history(
    db: Database, actor: Actor, *, search: str = "", limit: int = 50, offset: int = 0
) -> list[HuddleRow]:
    """Past huddles, newest first; ``search`` matches any item's text."""
    with db.read() as s:
        q = select(Huddle).where(Huddle.unit_id == actor.unit_id)
        needle = search.strip()
        if needle:
            q = q.where(
                Huddle.id.in_(
                    select(HuddleItem.huddle_id).where(
                        HuddleItem.deleted.is_(False),
                        func.lower(HuddleItem.text).contains(needle.lower(), autoescape=True),
                    )
                )
            )
        page = q.order_by(Huddle.started_at.desc()).limit(limit).offset(offset).subquery()
        # One statement for the page, however many huddles it holds.
        present = (
            select(func.coalesce(func.sum(HuddleAttendance.head_count), 0))
            .where(HuddleAttendance.huddle_id == page.c.id)
            .scalar_subquery()
        )
        items = (
            select(func.count(HuddleItem.id))
            .where(HuddleItem.huddle_id == page.c.id, HuddleItem.deleted.is_(False))
            .scalar_subquery()
        )
        rows = s.execute(
            select(
                page.c.id,
                page.c.huddle_date,
                page.c.shift,
                page.c.status,
                page.c.started_at,
                page.c.ended_at,
                Person.display_name,
                present,
                items,
            )
            .outerjoin(Person, Person.id == page.c.led_by_id)
            .order_by(page.c.started_at.desc())
        )
        return [
            HuddleRow(hid, day, shift, status, started, ended, leader, int(n or 0), int(k or 0))
            for hid, day, shift, status, started, ended, leader, n, k in rows
        ]
