"""What needs the signed-in person now, by role: the Home screen's one read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrohuddle.services import audit
from hrohuddle.services.dates import day, local_date, to_local
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Action,
    Escalation,
    Huddle,
    LearnerObservation,
    Person,
    ReportMessage,
    ReportStep,
    SafetyEvent,
    Tier,
)

#: A learner's reply is news to the preceptor for this long.
REPLY_DAYS = 7
#: Actions due within this many days count as due soon.
DUE_SOON_DAYS = 2
#: A report its reporter never opened has news for them only if it came this recently
#: (a year of reports never opened is history, not news).
RECENT_DAYS = 14
#: Home counts the reports whose reporter wrote last in this many days.
REPLY_OWED_DAYS = 14


@dataclass(frozen=True)
class MyAction:
    id: int
    title: str
    due_on: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class Escalated:
    id: int
    title: str
    reason: str
    escalated_on: dt.date
    #: What happened, in words: "Escalated to you on …" for an action escalated to the
    #: manager; for one sent to the department, "You sent … to Medicine on …" or
    #: "Medicine answered … on …".
    words: str = ""


@dataclass(frozen=True)
class TierWaiting:
    """Escalations waiting for an answer from a tier the person leads."""

    tier_name: str
    waiting: int
    oldest_on: dt.date


@dataclass(frozen=True)
class MovedReport:
    """A named report of the person's that moved since they last opened it."""

    event_id: int
    kind: str
    reported_on: dt.date
    #: A reviewer's question waits for their answer.
    question: bool
    #: A new step of its journey, a new message, new feedback or a join since they last looked.
    moved: bool
    #: Joined with another report about the same thing.
    joined: bool = False


@dataclass
class Needs:
    huddle_id: int | None = None
    huddle_shift: str | None = None
    huddle_date: dt.date | None = None
    huddle_led_by: str | None = None
    my_actions: list[MyAction] = field(default_factory=list)
    reports_to_review: int | None = None  # None: not this person's work
    #: Reports whose reporter wrote last: the reviewers owe them a reply (reviewers only).
    reporters_wrote: int | None = None
    observations_to_acknowledge: int | None = None
    learner_replies: int | None = None
    pulse_due_on: dt.date | None = None
    #: Open actions escalated to the manager at a huddle (managers only).
    escalated: list[Escalated] = field(default_factory=list)
    #: The person's named reports with news for them: a question, a step, a message.
    my_reports: list[MovedReport] = field(default_factory=list)
    #: For a tier's leaders: the escalations waiting for their answer, by tier.
    tier_waiting: list[TierWaiting] = field(default_factory=list)


@audit.requires("huddle.view")
def needs(db: Database, actor: Actor, *, today: dt.date | None = None) -> Needs:
    """The running huddle, the person's due and overdue actions, and, by role, reports
    awaiting review, actions escalated to the manager, observations to acknowledge,
    learners' replies and a due pulse."""
    from hrohuddle.services import pulses

    today = today or dt.date.today()
    out = Needs()
    with db.read() as s:
        running = s.execute(
            select(Huddle.id, Huddle.shift, Huddle.huddle_date, Person.display_name)
            .outerjoin(Person, Person.id == Huddle.led_by_id)
            .where(Huddle.unit_id == actor.unit_id, Huddle.status == "open")
            .order_by(Huddle.started_at.desc())
            .limit(1)
        ).first()
        if running is not None:
            out.huddle_id, out.huddle_shift, out.huddle_date, out.huddle_led_by = running
        soon = today + dt.timedelta(days=DUE_SOON_DAYS)
        out.my_actions = [
            MyAction(i, t, d, d is not None and d < today)
            for i, t, d in s.execute(
                select(Action.id, Action.title, Action.due_on)
                .where(
                    Action.unit_id == actor.unit_id,
                    Action.owner_id == actor.person_id,
                    Action.status == "open",
                    Action.due_on.is_not(None),
                    Action.due_on <= soon,
                )
                .order_by(Action.due_on, Action.id)
            ).all()
        ]
        if actor.can("event.triage"):
            out.reports_to_review = int(
                s.scalar(
                    select(func.count(SafetyEvent.id)).where(
                        SafetyEvent.unit_id == actor.unit_id, SafetyEvent.status == "new"
                    )
                )
                or 0
            )
            # Only recent ones: a reply owed for months is in Review's "Reply owed" column.
            since = dt.datetime.combine(today - dt.timedelta(days=REPLY_OWED_DAYS), dt.time())
            last = (
                select(ReportMessage.event_id, func.max(ReportMessage.position).label("last"))
                .join(SafetyEvent, SafetyEvent.id == ReportMessage.event_id)
                .where(SafetyEvent.unit_id == actor.unit_id)
                .group_by(ReportMessage.event_id)
                .subquery()
            )
            out.reporters_wrote = int(
                s.scalar(
                    select(func.count())
                    .select_from(ReportMessage)
                    .join(
                        last,
                        (last.c.event_id == ReportMessage.event_id)
                        & (last.c.last == ReportMessage.position),
                    )
                    .where(
                        ReportMessage.sender == "reporter",
                        ReportMessage.sent_at >= since,
                    )
                )
                or 0
            )
        if "manager" in actor.roles:
            out.escalated = _escalated(s, actor)
        if actor.is_learner or "learner" in actor.roles:
            out.observations_to_acknowledge = int(
                s.scalar(
                    select(func.count(LearnerObservation.id)).where(
                        LearnerObservation.learner_id == actor.person_id,
                        LearnerObservation.acknowledged_at.is_(None),
                    )
                )
                or 0
            )
        if actor.can("observation.log"):
            since = dt.datetime.combine(today - dt.timedelta(days=REPLY_DAYS), dt.time())
            out.learner_replies = int(
                s.scalar(
                    select(func.count(LearnerObservation.id)).where(
                        LearnerObservation.preceptor_id == actor.person_id,
                        LearnerObservation.learner_reply.is_not(None),
                        LearnerObservation.acknowledged_at >= since,
                    )
                )
                or 0
            )
        out.my_reports = _moved_reports(s, actor, today)
        if not db.is_sqlite:
            out.tier_waiting = _tier_waiting(s, actor)
    due = pulses.due_pulse(db, actor, today=today)
    out.pulse_due_on = due.due_on if due is not None else None
    return out


def _tier_waiting(s: Session, actor: Actor) -> list[TierWaiting]:
    """Open escalations of each tier the person holds a role on (counts, never text)."""
    from hrohuddle.services import tiers

    out = []
    for scope in tiers.scope_of(s, actor.person_id):
        waiting, oldest = s.execute(
            select(func.count(Escalation.id), func.min(Escalation.raised_at)).where(
                Escalation.tier_id == scope.tier_id, Escalation.status == "open"
            )
        ).one()
        if waiting:
            out.append(TierWaiting(scope.name, int(waiting), local_date(oldest)))
    return out


def _escalated(s: Session, actor: Actor) -> list[Escalated]:
    """The unit's open actions that were escalated, each worded by what happened: to the
    manager at a huddle, or sent to a tier (the newest step: sent on, or answered)."""
    rows = [
        (i, t, r or "", at)
        for i, t, r, at in s.execute(
            select(Action.id, Action.title, Action.escalation_reason, Action.escalated_at)
            .where(
                Action.unit_id == actor.unit_id,
                Action.status == "open",
                Action.escalated_at.is_not(None),
            )
            .order_by(Action.escalated_at, Action.id)
        ).all()
        if at is not None
    ]
    latest: dict[int, tuple[str, str, int | None, str, dt.datetime | None, dt.datetime]] = {}
    if rows:
        for action_id, tier, status, by_id, raised_by, answered_at, raised_at in s.execute(
            select(
                Escalation.action_id,
                Tier.name,
                Escalation.status,
                Escalation.raised_by_id,
                Person.display_name,
                Escalation.answered_at,
                Escalation.raised_at,
            )
            .join(Tier, Tier.id == Escalation.tier_id)
            .outerjoin(Person, Person.id == Escalation.raised_by_id)
            .where(Escalation.action_id.in_([r[0] for r in rows]))
            .order_by(Escalation.id)
        ):
            if action_id is not None:  # the newest row of each action wins
                latest[action_id] = (tier, status, by_id, raised_by or "", answered_at, raised_at)
    out = []
    for i, title, reason, at in rows:
        on = local_date(at)
        sent = latest.get(i)
        if sent is None:
            words = f"Escalated to you on {day(on)}: {title} · why: {reason}"
        else:
            tier, status, by_id, by_name, answered_at, raised_at = sent
            if status != "open" and answered_at is not None:
                answer = _OUTCOMES.get(status, status)
                words = f"{tier} answered “{title}” on {day(local_date(answered_at))}: {answer}"
            else:
                who = "You" if by_id is not None and by_id == actor.person_id else by_name
                words = (
                    f"{who or 'The unit'} sent “{title}” to {tier} on "
                    f"{day(local_date(raised_at))}: waiting for its answer · why: {reason}"
                )
        out.append(Escalated(i, title, reason, on, words))
    return out


#: An answer's outcome as Home says it after "Medicine answered …:".
_OUTCOMES = {
    "accepted": "accepted",
    "declined": "declined",
    "resolved": "resolved",
    "escalated": "sent on to the tier above",
}


def _moved_reports(s: Session, actor: Actor, today: dt.date) -> list[MovedReport]:
    """The actor's named reports with a reviewer's question awaiting them, or a new step,
    reviewer's message, feedback or join since they last opened the report; a few grouped
    reads. A report never opened counts only for news of the last ``RECENT_DAYS``."""
    mine = select(SafetyEvent.id).where(
        SafetyEvent.unit_id == actor.unit_id, SafetyEvent.reporter_id == actor.person_id
    )
    reports = {
        i: (k, on, seen, reviewed if (into is not None or feedback) else None, into is not None)
        for i, k, on, seen, reviewed, into, feedback in s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.kind,
                SafetyEvent.reported_on,
                SafetyEvent.reporter_seen_at,
                SafetyEvent.updated_at,
                SafetyEvent.merged_into_id,
                SafetyEvent.feedback,
            ).where(SafetyEvent.id.in_(mine))
        ).all()
    }
    if not reports:
        return []
    stepped = dict(
        s.execute(
            select(ReportStep.event_id, func.max(ReportStep.created_at))
            .where(ReportStep.event_id.in_(mine), ReportStep.step != "acknowledged")
            .group_by(ReportStep.event_id)
        ).all()
    )
    said = dict(
        s.execute(
            select(ReportMessage.event_id, func.max(ReportMessage.sent_at))
            .where(ReportMessage.event_id.in_(mine), ReportMessage.sender == "reviewer")
            .group_by(ReportMessage.event_id)
        ).all()
    )
    asked = dict(
        s.execute(
            select(ReportMessage.event_id, func.max(ReportMessage.position))
            .where(ReportMessage.event_id.in_(mine), ReportMessage.kind == "question")
            .group_by(ReportMessage.event_id)
        ).all()
    )
    answered = dict(
        s.execute(
            select(ReportMessage.event_id, func.max(ReportMessage.position))
            .where(ReportMessage.event_id.in_(mine), ReportMessage.sender == "reporter")
            .group_by(ReportMessage.event_id)
        ).all()
    )
    recent = dt.datetime.combine(today - dt.timedelta(days=RECENT_DAYS), dt.time())
    out = []
    for event_id, (kind, on, seen, reviewed, joined) in reports.items():
        news = [t for t in (stepped.get(event_id), said.get(event_id), reviewed) if t is not None]
        if seen is None and not any(to_local(t) >= recent for t in news):
            continue  # never opened, and nothing new lately
        question = event_id in asked and asked[event_id] > (answered.get(event_id) or 0)
        moved = bool(news) and (seen is None or max(news) > seen)
        if question or moved:
            out.append(MovedReport(event_id, kind, on, question, moved, joined))
    out.sort(key=lambda m: (not m.question, -m.reported_on.toordinal(), -m.event_id))
    return out
