"""The unit's actions: made in a huddle, from a report or by hand, each with an owner
and a due date, on every board until closed; reassigned, re-dated, escalated, closed.

Every change is one short transaction, recorded in the audit log (the huddle summary
reads what a huddle did to its actions back from there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, dates, edits, journey, validation
from hrohuddle.services.errors import NotFound, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import Action, Huddle, HuddleItem, Person, SafetyEvent, utcnow

MAX_ACTION_CHARS = 300


@dataclass(frozen=True)
class ActionRow:
    id: int
    title: str
    owner_id: int | None
    owner: str | None
    due_on: dt.date | None
    status: str
    created_at: dt.datetime
    escalated: bool
    escalation_reason: str | None
    origin: str
    version: int = 1
    #: The report it was made from, if any (a report makes one action at most on screen).
    event_id: int | None = None

    def overdue(self, today: dt.date) -> bool:
        return self.status == "open" and self.due_on is not None and self.due_on < today

    @property
    def escalation_words(self) -> str:
        """What the board says of the action's escalation: "Escalated" while it is with
        the manager or a tier; once a tier declined it, the action is the unit's again and
        this is why ("Declined by Medicine on Sat 28 Nov 2026: Estates own the stands");
        else ""."""
        if self.escalated:
            return "Escalated"
        return self.escalation_reason or ""


def unit_open_actions(s: Session, unit_id: int) -> list[ActionRow]:
    """Every open action of a unit, oldest first, read in the caller's session (the board
    reads them with its other rows)."""
    rows = s.execute(
        select(Action, Person.display_name)
        .outerjoin(Person, Person.id == Action.owner_id)
        .where(Action.unit_id == unit_id, Action.status == "open")
        .order_by(Action.created_at, Action.id)
    ).all()
    return [_action_row(a, name) for a, name in rows]


def _action_row(a: Action, owner: str | None) -> ActionRow:
    return ActionRow(
        a.id,
        a.title,
        a.owner_id,
        owner,
        a.due_on,
        a.status,
        a.created_at,
        a.escalated_at is not None,
        a.escalation_reason,
        a.origin,
        a.version,
        a.event_id,
    )


@audit.requires("huddle.view")
def open_actions(db: Database, actor: Actor) -> list[ActionRow]:
    """Every open action of the unit, oldest first."""
    with db.read() as s:
        return unit_open_actions(s, actor.unit_id)


def _owner(s: Session, actor: Actor, owner_id: int | None) -> Person:
    if owner_id is None:
        raise ValidationError("Choose who owns this action.", "owner")
    person = s.get(Person, owner_id)
    if person is None or person.unit_id != actor.unit_id or not person.active:
        raise ValidationError("The owner must be someone on this unit who can sign in.", "owner")
    return person


def _due(due_on: dt.date | None, today: dt.date) -> dt.date | None:
    if due_on is not None and due_on < today:
        raise ValidationError(
            f"The due date {dates.day(due_on)} has passed. Choose today or a later date.",
            "due_on",
        )
    if due_on is not None and due_on > today + dt.timedelta(days=366):
        raise ValidationError("The due date is more than a year away.", "due_on")
    return due_on


@audit.requires("action.manage")
def create_action(
    db: Database,
    actor: Actor,
    title: str,
    owner_id: int | None,
    due_on: dt.date | None,
    *,
    huddle_id: int | None = None,
    item_id: int | None = None,
    event_id: int | None = None,
    today: dt.date | None = None,
) -> ActionRow:
    """A new action with an owner and a due date; it stays on every board until closed.

    From a huddle item, at most one open action: making it again (a second press, a
    second screen) returns the open action the item already has.

    Made from a report (directly, or from a huddle item that came from one), the
    report's journey gains the step "action", whose sentence names the owner's role
    and the due date (never the owner), and a new report becomes "action planned".
    """
    today = today or dt.date.today()
    clean = validation.text(
        title, "The action", field="title", max_len=MAX_ACTION_CHARS, check_identifiers=True
    )
    assert clean is not None
    due = _due(due_on, today)
    origin = "huddle" if huddle_id or item_id else ("event" if event_id else "manual")
    with db.write() as s:
        owner = _owner(s, actor, owner_id)
        if item_id is not None:
            # Locked, so that two presses at once on a server queue here.
            item = s.execute(
                select(HuddleItem).where(HuddleItem.id == item_id).with_for_update()
            ).scalar_one_or_none()
            if item is None:
                raise NotFound("That item was removed.")
            huddle_id = item.huddle_id
            if event_id is None:
                event_id = item.event_id
            existing = s.scalars(
                select(Action).where(Action.huddle_item_id == item_id, Action.status == "open")
            ).first()
            if existing is not None:
                holder = s.get(Person, existing.owner_id) if existing.owner_id else None
                return _action_row(existing, holder.display_name if holder else None)
        if huddle_id is not None:
            h = s.get(Huddle, huddle_id)
            if h is None or h.unit_id != actor.unit_id:
                raise NotFound("That huddle is not on this unit.")
        ev = s.get(SafetyEvent, event_id) if event_id is not None else None
        if event_id is not None and (ev is None or ev.unit_id != actor.unit_id):
            raise NotFound("That report is not on this unit.")
        a = Action(
            unit_id=actor.unit_id,
            title=clean,
            owner_id=owner.id,
            due_on=due,
            origin=origin,
            huddle_id=huddle_id,
            huddle_item_id=item_id,
            event_id=event_id,
            created_by_id=actor.person_id,
        )
        s.add(a)
        s.flush()
        audit.record(
            s,
            "action.created",
            actor=actor,
            target=f"action:{a.id}",
            detail={"owner": owner.id, "due": due.isoformat() if due else None, "origin": origin},
        )
        if ev is not None:
            before = ev.status
            journey.record_action(
                s, ev, a.id, clean, owner.id, due, today=today, recorded_by=actor.person_id or None
            )
            if ev.status != before:
                audit.record(
                    s,
                    "event.triaged",
                    actor=actor,
                    target=f"event:{ev.id}",
                    detail={"from": before, "to": ev.status, "feedback": False, "action": a.id},
                )
        return _action_row(a, owner.display_name)


def _action(
    s: Session, actor: Actor, action_id: int, expected_version: int | None = None
) -> Action:
    """The open action, refused with what changed when someone saved it after
    ``expected_version`` was read (the version on the row the screen shows)."""
    a = s.get(Action, action_id)
    if a is None or a.unit_id != actor.unit_id:
        raise NotFound("That action is not on this unit.")
    if a.status != "open":
        raise ValidationError("That action is already closed.")
    owner = s.get(Person, a.owner_id) if a.owner_id else None
    edits.check(
        a.version,
        expected_version,
        "this action",
        [],
        [
            ("the owner", owner.display_name if owner else None),
            ("the due date", a.due_on.isoformat() if a.due_on else None),
            ("the escalation", a.escalation_reason),
        ],
    )
    return a


@audit.requires("huddle.view")
def close_action(
    db: Database,
    actor: Actor,
    action_id: int,
    note: str | None = None,
    *,
    expected_version: int | None = None,
) -> None:
    """Close an action, with what was done: its owner may, and whoever manages actions."""
    clean = validation.text(
        note,
        "The closing note",
        field="note",
        max_len=MAX_ACTION_CHARS,
        required=False,
        check_identifiers=True,
    )
    with db.write() as s:
        a = _action(s, actor, action_id, expected_version)
        if a.owner_id != actor.person_id:
            audit.require(actor, "action.manage")
        a.status = "closed"
        a.closed_at = utcnow()
        a.closing_note = clean
        a.updated_at = utcnow()
        audit.record(s, "action.closed", actor=actor, target=f"action:{a.id}")


@audit.requires("action.manage")
def reassign_action(
    db: Database,
    actor: Actor,
    action_id: int,
    owner_id: int,
    *,
    expected_version: int | None = None,
) -> None:
    with db.write() as s:
        a = _action(s, actor, action_id, expected_version)
        owner = _owner(s, actor, owner_id)
        before = a.owner_id
        a.owner_id = owner.id
        a.updated_at = utcnow()
        audit.record(
            s,
            "action.reassigned",
            actor=actor,
            target=f"action:{a.id}",
            detail={"from": before, "to": owner.id},
        )


@audit.requires("action.manage")
def change_due(
    db: Database,
    actor: Actor,
    action_id: int,
    due_on: dt.date,
    *,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> None:
    due = _due(due_on, today or dt.date.today())
    with db.write() as s:
        a = _action(s, actor, action_id, expected_version)
        before = a.due_on
        if before == due:
            # Not a change: refused, so the audit log and the summary never show one.
            raise ValidationError(
                f"This action is already due on {dates.day(due)}; nothing was changed. "
                "Choose a different date to move it.",
                "due_on",
            )
        a.due_on = due
        a.updated_at = utcnow()
        audit.record(
            s,
            "action.due_changed",
            actor=actor,
            target=f"action:{a.id}",
            detail={
                "from": before.isoformat() if before else None,
                "to": due.isoformat() if due else None,
            },
        )


@audit.requires("action.manage")
def escalate_action(
    db: Database,
    actor: Actor,
    action_id: int,
    reason: str,
    *,
    expected_version: int | None = None,
) -> None:
    """Escalate to the unit manager (the next tier), with the reason why."""
    clean = validation.text(
        reason, "The reason for escalating", field="reason", max_len=500, check_identifiers=True
    )
    with db.write() as s:
        a = _action(s, actor, action_id, expected_version)
        a.escalated_at = utcnow()
        a.escalation_reason = clean
        a.updated_at = utcnow()
        audit.record(s, "action.escalated", actor=actor, target=f"action:{a.id}")
