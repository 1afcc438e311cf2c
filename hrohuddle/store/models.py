"""The unit's data, for all five workflows, as SQLAlchemy 2.x typed models.

Portable SQL only: the same models run on SQLite and PostgreSQL. Vocabularies
(event kinds, categories, harm levels, roles) are stored as short strings whose
meaning lives in resources/, so that a new taxonomy version needs no schema change.

The unit, its people and the audit chain are declared in ``unit_models`` (the
sign-in screen needs no more) and re-exported here: import models from this module.
As there, annotations are evaluated when each class is defined.
"""

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from hrohuddle.store.unit_models import (
    AppMeta,
    AuditEntry,
    AuditHead,
    Base,
    Person,
    PersonRole,
    Tier,
    Unit,
    utcnow,
)

__all__ = [
    "Action",
    "AnonymousOutbox",
    "AppMeta",
    "AuditEntry",
    "AuditHead",
    "Base",
    "ChecklistItem",
    "ChecklistResponse",
    "ChecklistSession",
    "ChecklistTemplate",
    "Draft",
    "Escalation",
    "Huddle",
    "HuddleAttendance",
    "HuddleItem",
    "LearnerObservation",
    "LessonAdoption",
    "MeToo",
    "Person",
    "PersonRole",
    "PreceptorAssignment",
    "PulseInvitation",
    "PulsePublication",
    "PulseResponse",
    "ReportMessage",
    "ReportStep",
    "SafetyEvent",
    "SharedLesson",
    "Tier",
    "TierHuddle",
    "TierRole",
    "Unit",
    "WeeklyCensus",
    "utcnow",
]


class PreceptorAssignment(Base):
    """Which preceptor precepts which learner, and for how long."""

    __tablename__ = "preceptor_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    preceptor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)


class Huddle(Base):
    __tablename__ = "huddles"
    __table_args__ = (UniqueConstraint("unit_id", "huddle_date", "shift"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    huddle_date: Mapped[dt.date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(8))  # day | night
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    led_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reflection: Mapped[dict[str, Any]] = mapped_column(default=dict)
    closing_note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


Index("ix_huddles_unit_started", Huddle.unit_id, Huddle.started_at)
# The open huddle among a unit's open ones, not by walking years of closed ones.
Index("ix_huddles_unit_status", Huddle.unit_id, Huddle.status)


class HuddleAttendance(Base):
    """One row per signed-up person present, or a head count by profession."""

    __tablename__ = "huddle_attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    huddle_id: Mapped[int] = mapped_column(ForeignKey("huddles.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    profession: Mapped[str] = mapped_column(String(40))
    head_count: Mapped[int] = mapped_column(Integer, default=1)


class HuddleItem(Base):
    __tablename__ = "huddle_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    huddle_id: Mapped[int] = mapped_column(ForeignKey("huddles.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(16))  # look_back|look_ahead|teach|recognise
    category: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("safety_events.id"))
    hro_principle: Mapped[str | None] = mapped_column(String(40))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Action(Base):
    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open|closed|cancelled
    origin: Mapped[str] = mapped_column(
        String(16), default="manual"
    )  # huddle|event|checklist|manual
    huddle_id: Mapped[int | None] = mapped_column(ForeignKey("huddles.id"))
    huddle_item_id: Mapped[int | None] = mapped_column(ForeignKey("huddle_items.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("safety_events.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closing_note: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


Index("ix_actions_unit_status_created", Action.unit_id, Action.status, Action.created_at)


class SafetyEvent(Base):
    """A captured report. An anonymous one keeps no reporter and a coarse date."""

    __tablename__ = "safety_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    harm: Mapped[str | None] = mapped_column(String(20))
    stopped_by: Mapped[str | None] = mapped_column(String(20))
    narrative: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    shift: Mapped[str] = mapped_column(String(8))
    area: Mapped[str | None] = mapped_column(String(60))
    noticed_by: Mapped[str | None] = mapped_column(String(20))
    contributing_factors: Mapped[list[Any]] = mapped_column(default=list)
    handover: Mapped[bool | None] = mapped_column(Boolean)
    prevention: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Anonymous reports only, both kept to the start of a shift: when it was filed and
    # when its batch was released (the huddle's look back reads the second).
    filed_shift: Mapped[dt.datetime | None] = mapped_column(DateTime)
    released_shift: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The one huddle whose look back takes this report up: the first started after it
    # reached the reports (services.huddles.start_or_resume claims it).
    look_back_huddle_id: Mapped[int | None] = mapped_column(ForeignKey("huddles.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    reporter_profession: Mapped[str | None] = mapped_column(String(40))
    reporter_is_learner: Mapped[bool | None] = mapped_column(Boolean)
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="new")
    status_reason: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reviewer_summary: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    feedback_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # A report sent twice (a double press, a crash before the draft was cleared) is stored once.
    submission_key: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Closing the loop (revision 0009). The first day the reporter was told something
    # beyond the automatic acknowledgement: a message, a step of the journey, feedback.
    first_feedback_on: Mapped[dt.date | None] = mapped_column(Date)
    # A named reporter's last look at the report (Home says when it moved since).
    reporter_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The reporter agreed that a good catch be a huddle's teaching point; and whether
    # the recognition may name them (never, for an anonymous report).
    teaching_consent: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    recognise_by_name: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    # The reporter agreed that their own words may be quoted in the bulletin.
    words_may_be_shared: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    # "I have seen this too": how many, never who (see MeToo).
    me_too_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A duplicate points at the report it was merged into; its reporter is shown where.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("safety_events.id"))
    __mapper_args__ = {"version_id_col": version}


# Covers the count of a half year's reports by week and kind (services/reporting.py).
Index(
    "ix_safety_events_unit_occurred_kind",
    SafetyEvent.unit_id,
    SafetyEvent.occurred_at,
    SafetyEvent.kind,
)
Index("ix_safety_events_unit_status", SafetyEvent.unit_id, SafetyEvent.status)
# Covers the count of reports still awaiting word (services/loop_measure.py).
Index(
    "ix_safety_events_unit_reported_feedback",
    SafetyEvent.unit_id,
    SafetyEvent.reported_on,
    SafetyEvent.first_feedback_on,
    SafetyEvent.merged_into_id,
)
Index("ix_safety_events_unit_released", SafetyEvent.unit_id, SafetyEvent.released_shift)
Index("ix_safety_events_unit_look_back", SafetyEvent.unit_id, SafetyEvent.look_back_huddle_id)
Index("ix_huddle_items_event", HuddleItem.event_id)
Index("ux_safety_events_submission_key", SafetyEvent.submission_key, unique=True)


class ReportMessage(Base):
    """One message of the conversation on a report, between its reviewers and reporter.

    A random key and no rowid (on SQLite), as the outbox: the table keeps no order of
    writing. ``position`` orders one report's conversation and nothing else. A message
    from an anonymous reporter is held in the outbox and released with its batch; it
    names no one and its time is the start of the shift it was sent in.
    """

    __tablename__ = "report_messages"
    __table_args__ = (
        UniqueConstraint("event_id", "position", name="ux_report_messages_position"),
        {"sqlite_with_rowid": False},
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("safety_events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(10))  # reviewer | reporter
    # The reviewer, or a named reporter; None for an anonymous reporter.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(12))  # question | answer | detail | again | note
    text: Mapped[str] = mapped_column(Text)
    # Naive UTC; a reporter's message keeps only the start of its shift.
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ReportStep(Base):
    """One step of a report's journey back to its reporter (Benn et al. 2009's modes).

    acknowledged | local_fix | shared | action | system_change, each dated, each with a
    sentence written for the reporter.
    """

    __tablename__ = "report_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("safety_events.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(16))
    on_date: Mapped[dt.date] = mapped_column(Date)
    sentence: Mapped[str] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    huddle_id: Mapped[int | None] = mapped_column(ForeignKey("huddles.id"))
    # Who recorded it; None for the automatic steps.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MeToo(Base):
    """ "I have seen this too": one row per person and report, naming no one.

    ``marker`` is a keyed hash of the person and the report, so that a second press
    counts once; the key is not in the database (services.me_too says which). No rowid,
    no time.
    """

    __tablename__ = "me_too"
    __table_args__ = {"sqlite_with_rowid": False}
    event_id: Mapped[int] = mapped_column(
        ForeignKey("safety_events.id", ondelete="CASCADE"), primary_key=True
    )
    marker: Mapped[str] = mapped_column(String(64), primary_key=True)


class EventCategoryV12(Base):
    """The Common Formats V1.2 category an event had before V2.0 (revision 0006).

    Kept so that re-classifying loses nothing: V2.0 retired the infection module,
    split surgery from anaesthesia and moved health IT out of the device module.
    """

    __tablename__ = "event_category_v1_2"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("safety_events.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(40))


class ChecklistTemplate(Base):
    """One version of a checklist, belonging to one unit: each unit manages its own."""

    __tablename__ = "checklist_templates"
    __table_args__ = (UniqueConstraint("unit_id", "key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    response_kind: Mapped[str] = mapped_column(String(12))  # observed | rating
    sources: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(10), default="active")  # draft|active|retired
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ChecklistItem(Base):
    __tablename__ = "checklist_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_templates.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    domain: Mapped[str | None] = mapped_column(String(60))
    hro_principle: Mapped[str | None] = mapped_column(String(40))
    ipec_competency: Mapped[str | None] = mapped_column(String(10))
    is_overall: Mapped[bool] = mapped_column(Boolean, default=False)


class ChecklistSession(Base):
    __tablename__ = "checklist_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"))
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    context: Mapped[str] = mapped_column(String(20))
    observed: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    overall_note: Mapped[str | None] = mapped_column(Text)


Index("ix_checklist_sessions_unit_started", ChecklistSession.unit_id, ChecklistSession.started_at)


class ChecklistResponse(Base):
    __tablename__ = "checklist_responses"
    __table_args__ = (UniqueConstraint("session_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_sessions.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    result: Mapped[str | None] = mapped_column(String(10))  # observed|missed|na
    rating: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class LearnerObservation(Base):
    __tablename__ = "learner_observations"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    preceptor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    observed_on: Mapped[dt.date] = mapped_column(Date)
    setting: Mapped[str] = mapped_column(String(40))
    domains: Mapped[list[Any]] = mapped_column(default=list)
    behaviours: Mapped[list[Any]] = mapped_column(default=list)
    scale_key: Mapped[str] = mapped_column(String(40))
    rating: Mapped[int] = mapped_column(Integer)
    strengths: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    learner_reply: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class PulseInvitation(Base):
    """Who is due a pulse. Never joined to what they answered, and no time of answering."""

    __tablename__ = "pulse_invitations"
    __table_args__ = (UniqueConstraint("person_id", "milestone_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    milestone_day: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|done
    postponed_until: Mapped[dt.date | None] = mapped_column(Date)


class PulseResponse(Base):
    """An anonymous answer, released in a shuffled batch: a random id and coarse groups only.

    ``period`` is the quarter in which it was sent; ``milestone_day`` is left empty
    when fewer than the minimum group size of people who answered that milestone
    could have sent it in that quarter, and ``period`` too when the quarter had fewer
    in all (services.anonymity). No cohort, profession or date is kept. No rowid on
    SQLite: rows lie in the order of their random keys, which are drawn afresh each
    time the unit's answers are written again.
    """

    __tablename__ = "pulse_responses"
    __table_args__ = {"sqlite_with_rowid": False}
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    instrument_key: Mapped[str] = mapped_column(String(60))
    instrument_version: Mapped[int] = mapped_column(Integer)
    milestone_day: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(8))  # release quarter, e.g. 2026-Q3
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str | None] = mapped_column(Text)


Index("ix_pulse_responses_unit_period", PulseResponse.unit_id, PulseResponse.period)


class PulsePublication(Base):
    """The minimum group size a closed quarter's results were first published with.

    Results are always computed with the larger of this and the unit's current
    minimum, so lowering the minimum cannot show a group that was hidden before.
    """

    __tablename__ = "pulse_publications"
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    min_size: Mapped[int] = mapped_column(Integer)


class AnonymousOutbox(Base):
    """Anonymous reports and pulse answers waiting for their shuffled release.

    A random key and no rowid (on SQLite), so that the table keeps no order of
    writing; the time is kept to the start of the shift. Rows leave in batches
    (services.anonymity.release_due) and are overwritten as they go (secure delete).
    """

    __tablename__ = "anonymous_outbox"
    __table_args__ = {"sqlite_with_rowid": False}
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(10))  # event | pulse
    filed_shift: Mapped[dt.datetime] = mapped_column(DateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The report form's random key (services.events.report), so that a report sent
    #: twice waits once; it is kept with the anonymous draft, never with a person.
    submission_key: Mapped[str | None] = mapped_column(String(32))


Index("ux_anonymous_outbox_submission_key", AnonymousOutbox.submission_key, unique=True)


class WeeklyCensus(Base):
    __tablename__ = "weekly_census"
    __table_args__ = (UniqueConstraint("unit_id", "week_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    patient_days: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class Draft(Base):
    """Text being typed, saved as it is typed, so that nothing is lost.

    An anonymous report's draft has no owner, a random id and key, and the time of
    its shift only (services.drafts.save_anonymous).
    """

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("owner_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(60), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# Tiered huddles (revision 0010): departments and the hospital above the units, on a
# shared server. A unit's people read their own unit and the lessons shared with it;
# a tier's leaders read their tier's aggregates and escalations, never a report or a
# pulse answer (services.tiers checks the scope).


class TierRole(Base):
    """Who leads or reads a tier: department_lead | duty_manager | executive_on_call."""

    __tablename__ = "tier_roles"
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    tier_id: Mapped[int] = mapped_column(
        ForeignKey("tiers.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(30))


class TierPlacement(Base):
    """Which department a unit was in, and from when to when (``until`` exclusive: the
    day it moved; None while it is still there). A department's past weeks show the
    units that were in it then, not the units it holds today."""

    __tablename__ = "tier_placements"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"), index=True)
    since: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)


class TierHuddle(Base):
    """One huddle of a tier on one day: when it was due, when it was held, who led it."""

    __tablename__ = "tier_huddles"
    __table_args__ = (UniqueConstraint("tier_id", "huddle_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"), index=True)
    huddle_date: Mapped[dt.date] = mapped_column(Date)
    # Naive UTC: the tier's huddle time on that day, as it was then.
    scheduled_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    led_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    note: Mapped[str | None] = mapped_column(Text)


class Escalation(Base):
    """An item or action sent up from a unit's huddle (or a tier's) to the next tier.

    ``unit_id`` is the unit it came from, always; ``tier_id`` the tier it is with now
    (it moves with its unit to a new department while open). Escalated further, it is
    answered "escalated" and a new row at the tier above points back (``parent_id``).
    """

    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))
    huddle_id: Mapped[int | None] = mapped_column(ForeignKey("huddles.id"))
    huddle_item_id: Mapped[int | None] = mapped_column(ForeignKey("huddle_items.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    tier_huddle_id: Mapped[int | None] = mapped_column(ForeignKey("tier_huddles.id"))
    title: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    # The explicit criteria it meets, by key (resources/tiers.yaml).
    criteria: Mapped[list[Any]] = mapped_column(default=list)
    needed: Mapped[str | None] = mapped_column(Text)
    needed_by: Mapped[dt.date | None] = mapped_column(Date)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # open | accepted | declined | escalated | resolved
    status: Mapped[str] = mapped_column(String(12), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(120))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    answered_role: Mapped[str | None] = mapped_column(String(30))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_in_id: Mapped[int | None] = mapped_column(ForeignKey("tier_huddles.id"))
    # The unit huddle whose board first showed the answer under follow-up.
    shown_in_huddle_id: Mapped[int | None] = mapped_column(ForeignKey("huddles.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


Index("ix_escalations_tier_status", Escalation.tier_id, Escalation.status)
Index("ix_escalations_unit_status", Escalation.unit_id, Escalation.status)


class SharedLesson(Base):
    """A de-identified lesson a unit shares with its department or the hospital.

    Never names a reporter; its text is checked for identifiers before it is stored.
    ``event_id`` only stops the same report being shared twice; it is never shown.
    """

    __tablename__ = "shared_lessons"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # summary | good_catch | change
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("safety_events.id"))
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    shared_on: Mapped[dt.date] = mapped_column(Date)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class LessonAdoption(Base):
    """ "We adopted this": one row per lesson and unit."""

    __tablename__ = "lesson_adoptions"
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("shared_lessons.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    adopted_on: Mapped[dt.date] = mapped_column(Date)
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
