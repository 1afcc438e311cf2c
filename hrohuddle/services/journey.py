"""A report's journey back to its reporter: the five modes of feedback of Benn et al.

Benn J, Koutantji M, Wallace L, et al. Feedback from incident reporting: information
and action to improve patient safety. Qual Saf Health Care 2009;18:11-21. A reporting
system owes its reporters acknowledgement, a rapid local fix, shared learning,
word of what was done and lasting system change. Each is a dated step of the report
(``ReportStep``) with a sentence written for the reporter.

Who records which step: the acknowledgement is automatic as the report is stored (or
released from the anonymous outbox); a reviewer records a local fix, sharing and a
system change from the Review screen; "action" is recorded when an action is made from
the report (services.actions) and "shared" when a huddle closes with the report on its
look back (services.huddles). Every step but the acknowledgement is feedback: the
report's ``first_feedback_on`` keeps the first day the reporter was told anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hrohuddle.services import audit, dates, validation
from hrohuddle.services.errors import NotFound, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import Person, PersonRole, ReportStep, SafetyEvent

#: The steps in the order a report usually travels them.
STEPS = ("acknowledged", "local_fix", "shared", "action", "system_change")

#: What the reporter reads as each step's name.
LABELS = {
    "acknowledged": "Received",
    "local_fix": "Local fix made",
    "shared": "Shared with the team",
    "action": "Action taken",
    "system_change": "Lasting change",
    "joined": "Joined with another report",
}

#: How a refusal of the same step twice in a day names each step.
_SAID = {
    "local_fix": "a local fix",
    "shared": "that it was shared",
    "system_change": "a lasting change",
}

#: The sentence of the step that joins a duplicate with the report it repeats.
JOINED = (
    "Your report was joined with another report about the same thing. "
    "What happened to that report follows."
)

#: The steps a reviewer records by hand (action comes with an action, see services.actions).
RECORDED_BY_HAND = ("local_fix", "shared", "system_change")

#: The sentence every report's first step says (as revision 0009 wrote for earlier ones).
ACKNOWLEDGED = "Your report reached the unit's reviewers. Thank you for speaking up."

#: What the Review screen offers as each step's sentence; the reviewer may rewrite it.
DEFAULT_SENTENCES = {
    "local_fix": "A quick fix was made on the unit straight away, so it should not happen "
    "again the same way.",
    "shared": "What you reported was shared with the team so that everyone can learn from it.",
    "system_change": "What you reported led to a lasting change in how the unit works.",
}

MAX_SENTENCE = 500

#: Whose role names an action's owner, most responsible first, and how the reporter reads it.
_ROLE_ORDER = ("manager", "charge_nurse", "preceptor", "staff", "learner", "admin")
_ROLE_WORDS = {
    "manager": "a manager",
    "charge_nurse": "a charge nurse",
    "preceptor": "a preceptor",
    "staff": "a member of staff",
    "learner": "a learner",
    "admin": "the unit admin",
}


@dataclass(frozen=True)
class StepRow:
    """One step as the reporter and the reviewer read it: dated, in the reporter's words."""

    step: str
    label: str
    on_date: dt.date
    sentence: str


def acknowledge(s: Session, event_id: int, on: dt.date, *, at: dt.datetime | None = None) -> None:
    """The automatic first step, inside the transaction that stores the report.

    ``at`` is when it is recorded: an anonymous report passes the start of the shift of
    its release, so the step keeps no moment finer than the report does.
    """
    step = ReportStep(event_id=event_id, step="acknowledged", on_date=on, sentence=ACKNOWLEDGED)
    if at is not None:
        step.created_at = at
    s.add(step)


def mark_told(s: Session, event_id: int, day: dt.date) -> None:
    """The reporter was told something on ``day``: keep the first such day, never a later one.

    A plain UPDATE, so the report's review version does not change (a reviewer who asked
    a question can still save the review they have open).
    """
    s.execute(
        update(SafetyEvent)
        .where(
            SafetyEvent.id == event_id,
            (SafetyEvent.first_feedback_on.is_(None)) | (SafetyEvent.first_feedback_on > day),
        )
        .values(first_feedback_on=day)
        .execution_options(synchronize_session=False)
    )


def add_step(
    s: Session,
    event_id: int,
    step: str,
    on: dt.date,
    sentence: str,
    *,
    told_on: dt.date,
    action_id: int | None = None,
    huddle_id: int | None = None,
    recorded_by: int | None = None,
) -> ReportStep:
    """Add a step in the caller's transaction; the reporter is told of it on ``told_on``."""
    row = ReportStep(
        event_id=event_id,
        step=step,
        on_date=on,
        sentence=sentence,
        action_id=action_id,
        huddle_id=huddle_id,
        recorded_by_id=recorded_by,
    )
    s.add(row)
    mark_told(s, event_id, told_on)
    return row


def owner_role(s: Session, person_id: int) -> str:
    """How the reporter reads an action's owner: their role, never their name."""
    held = set(s.scalars(select(PersonRole.role).where(PersonRole.person_id == person_id)))
    role = next((r for r in _ROLE_ORDER if r in held), "staff")
    return _ROLE_WORDS[role]


def action_sentence(title: str, owner: str, due: dt.date | None) -> str:
    """The reporter's sentence for an action: what, whose role, by when; never a name."""
    when = f", due {dates.day(due)}" if due else ""
    # One full stop: a title's own "." ends inside the quotes; a "?" or "!" ends the sentence.
    what = " ".join(title.split()).rstrip(" .")
    end = " " if what.endswith(("?", "!")) else ". "
    return f"An action was agreed: “{what}”{end}It is owned by {owner}{when}."


def record_action(
    s: Session,
    event: SafetyEvent,
    action_id: int,
    title: str,
    owner_id: int,
    due: dt.date | None,
    *,
    today: dt.date,
    recorded_by: int | None,
) -> None:
    """The "action" step of a report an action was made from, and the report's status.

    A report that was new or under review becomes "action planned" (an ORM change, so
    a review opened before it is refused with what changed, not overwritten).
    """
    add_step(
        s,
        event.id,
        "action",
        today,
        action_sentence(title, owner_role(s, owner_id), due),
        told_on=today,
        action_id=action_id,
        recorded_by=recorded_by,
    )
    if event.status in ("new", "under_review"):
        event.status = "action_planned"


def _order(step: str) -> int:
    return STEPS.index(step) if step in STEPS else len(STEPS)


def steps_of(s: Session, event_id: int) -> list[StepRow]:
    """A report's steps: the acknowledgement first, then by their day, then in the
    journey's order (a fix before a lasting change of the same day), then as recorded."""
    rows = s.execute(
        select(ReportStep.step, ReportStep.on_date, ReportStep.sentence, ReportStep.id).where(
            ReportStep.event_id == event_id
        )
    ).all()
    rows = sorted(rows, key=lambda r: (r[0] != "acknowledged", r[1], _order(r[0]), r[3]))
    return [StepRow(step, LABELS.get(step, step), on, sentence) for step, on, sentence, _ in rows]


def joined_steps(s: Session, event_id: int, root_id: int, joined_on: dt.date) -> list[StepRow]:
    """The journey of a report joined with another: its own steps, the day it was joined,
    then what happened to the other report (never that report's own acknowledgement,
    whose day belongs to its reporter)."""
    own = steps_of(s, event_id)
    theirs = [r for r in steps_of(s, root_id) if r.step != "acknowledged"]
    return [*own, StepRow("joined", LABELS["joined"], joined_on, JOINED), *theirs]


@audit.requires("event.triage")
def record_step(
    db: Database,
    actor: Actor,
    event_id: int,
    step: str,
    sentence: str | None = None,
    *,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> StepRow:
    """A reviewer records a local fix, sharing or a system change, dated, with a sentence
    for the reporter (the default sentence when none is written); audited."""
    today = today or dt.date.today()
    validation.choice(step, list(RECORDED_BY_HAND), "a step of the journey", field="step")
    clean = validation.text(
        sentence if sentence is not None and sentence.strip() else DEFAULT_SENTENCES[step],
        "The sentence for the reporter",
        field="sentence",
        max_len=MAX_SENTENCE,
        check_identifiers=True,
    )
    assert clean is not None
    day = on or today
    if day > today:
        raise ValidationError("The step's date is in the future. Please check it.", "on")
    with db.write() as s:
        event = s.get(SafetyEvent, event_id)
        if event is None or event.unit_id != actor.unit_id:
            raise NotFound("That report is not on this unit.")
        if day < event.reported_on:
            raise ValidationError(
                f"The step's date is before the report was made ({dates.day(event.reported_on)}).",
                "on",
            )
        # The report's row is locked first, as the messages do: two reviewers recording
        # the same step at the same moment queue here and the second is told.
        s.execute(select(SafetyEvent.id).where(SafetyEvent.id == event_id).with_for_update())
        twin = s.execute(
            select(ReportStep.id, Person.display_name)
            .outerjoin(Person, Person.id == ReportStep.recorded_by_id)
            .where(
                ReportStep.event_id == event_id,
                ReportStep.step == step,
                ReportStep.on_date == day,
            )
            .limit(1)
        ).first()
        if twin is not None:
            who = twin[1] or "Someone"
            when = "today" if day == today else f"on {dates.day(day)}"
            raise ValidationError(f"{who} already recorded {_SAID[step]} {when}.", "step")
        add_step(s, event.id, step, day, clean, told_on=today, recorded_by=actor.person_id)
        audit.record(
            s,
            "event.step",
            actor=actor,
            target=f"event:{event_id}",
            detail={"step": step, "on": day.isoformat()},
        )
    return StepRow(step, LABELS[step], day, clean)
