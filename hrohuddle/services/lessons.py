"""Shared lessons: what one unit learned, shared with its department or the hospital.

A unit's reviewers (charge nurse, manager) share a de-identified lesson: a reviewer's
summary of a report, a good catch, or a change that worked. From a report, the lesson
starts from the reviewers' own words (the reviewer summary), never from the report's
narrative, and never names its reporter (nor the person a good catch would thank).
Its title and text are checked before they leave the unit (``outbound.check``): no
patient identifier, no name of anyone on the units that will read it (a first name or
a surname alone, a title and a surname), nothing that says who reported; refused with
what to remove.

Other units read the lessons shared with their department or the hospital in a feed
that names the sharing unit (units are not anonymous; reporters are), mark "we
adopted this" once per unit, and raise a lesson at their own huddle as its teaching
point. A tier's leaders read the lessons shared with the tiers they lead. Everything
is audited without its text. A unit on its own SQLite file has no one to share with
(``tiers.NeedsSharedServer``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, huddles, journey, outbound, tiers, validation
from hrohuddle.services.errors import NotFound, PermissionDenied, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Huddle,
    LessonAdoption,
    ReportStep,
    SafetyEvent,
    SharedLesson,
    Tier,
    Unit,
)

#: The kinds of lesson, as the feed names them.
KINDS: dict[str, str] = {
    "summary": "Lesson from a report",
    "good_catch": "Good catch",
    "change": "A change that worked",
}

MAX_TITLE = 200
MAX_TEXT = 2000

#: What the reporter reads in the report's journey when it becomes a shared lesson.
SHARED_SENTENCE = (
    "What you reported became a lesson shared with other units ({tier}), without your "
    "name, so that they can learn from it too."
)


@dataclass(frozen=True)
class LessonRow:
    """One lesson as the feed shows it: the sharing unit, never the reporter or sharer."""

    id: int
    kind: str
    kind_words: str
    title: str
    text: str
    unit_code: str
    unit_name: str
    tier_id: int
    tier_name: str
    tier_level: int
    shared_on: dt.date
    #: How many units said "we adopted this".
    adopted: int
    #: Whether the reader's unit did.
    adopted_by_us: bool
    #: Shared by the reader's own unit.
    ours: bool

    @property
    def shared_with(self) -> str:
        return tiers.LEVEL_WORDS.get(self.tier_level, "tier")


@dataclass(frozen=True)
class TierChoice:
    """A tier a unit may share with: its department, then the hospital."""

    id: int
    code: str
    name: str
    level: int

    @property
    def words(self) -> str:
        return f"{self.name} ({tiers.LEVEL_WORDS.get(self.level, 'tier')})"


@dataclass(frozen=True)
class LessonDraft:
    """A lesson to be shared from a report, before the reviewer edits it."""

    event_id: int
    kind: str
    title: str
    text: str


# ---------------------------------------------------------------- reading


def _visible_tiers(s: Session, actor: Actor) -> set[int]:
    """The tiers whose lessons the actor reads: those above their unit, and those they
    lead or read (with every tier below those)."""
    ids = {t.id for t in tiers.tiers_above(s, actor.unit_id)}
    if actor.person_id:
        frontier = [t.tier_id for t in tiers.scope_of(s, actor.person_id)]
        while frontier:
            ids.update(frontier)
            frontier = [
                c
                for c in s.scalars(select(Tier.id).where(Tier.parent_id.in_(frontier))).all()
                if c not in ids
            ]
    return ids


@audit.requires(None)
def share_targets(db: Database, actor: Actor) -> list[TierChoice]:
    """The tiers the actor's unit may share a lesson with: its department, then the
    hospital. Empty when the unit is in no department yet."""
    tiers.require_shared(db)
    with db.read() as s:
        return [
            TierChoice(t.id, t.code, t.name, t.level) for t in tiers.tiers_above(s, actor.unit_id)
        ]


@audit.requires(None)
def feed(db: Database, actor: Actor) -> list[LessonRow]:
    """The lessons shared with any tier above the actor's unit, the unit's own shared
    lessons, and (for a tier's leaders) the lessons of the tiers they lead; newest
    first, withdrawn ones left out. Each names its unit and how many units adopted it."""
    tiers.require_shared(db)
    with db.read() as s:
        visible = _visible_tiers(s, actor)
        q = (
            select(
                SharedLesson.id,
                SharedLesson.kind,
                SharedLesson.title,
                SharedLesson.text,
                Unit.code,
                Unit.name,
                Tier.id,
                Tier.name,
                Tier.level,
                SharedLesson.shared_on,
                SharedLesson.unit_id,
            )
            .join(Unit, Unit.id == SharedLesson.unit_id)
            .join(Tier, Tier.id == SharedLesson.tier_id)
            .where(SharedLesson.withdrawn.is_(False))
            .order_by(SharedLesson.shared_on.desc(), SharedLesson.id.desc())
        )
        if actor.person_id != 0:
            q = q.where(
                (SharedLesson.tier_id.in_(visible)) | (SharedLesson.unit_id == actor.unit_id)
            )
        rows = s.execute(q).all()
        ids = [r[0] for r in rows]
        counts: dict[int, int] = dict(
            s.execute(
                select(LessonAdoption.lesson_id, func.count())
                .where(LessonAdoption.lesson_id.in_(ids))
                .group_by(LessonAdoption.lesson_id)
            ).all()
        )
        ours = set(
            s.scalars(
                select(LessonAdoption.lesson_id).where(
                    LessonAdoption.lesson_id.in_(ids), LessonAdoption.unit_id == actor.unit_id
                )
            ).all()
        )
    return [
        LessonRow(
            lid,
            kind,
            KINDS.get(kind, kind),
            title,
            text,
            unit_code,
            unit_name,
            tier_id,
            tier_name,
            level,
            shared_on,
            int(counts.get(lid, 0)),
            lid in ours,
            unit_id == actor.unit_id,
        )
        for (
            lid,
            kind,
            title,
            text,
            unit_code,
            unit_name,
            tier_id,
            tier_name,
            level,
            shared_on,
            unit_id,
        ) in rows
    ]


# ---------------------------------------------------------------- sharing


def _shareable(event: SafetyEvent | None, actor: Actor) -> SafetyEvent:
    if event is None or event.unit_id != actor.unit_id:
        raise NotFound("That report is not on this unit.")
    if event.status != "closed" and not (event.reviewer_summary or "").strip():
        raise ValidationError(
            "A report is shared as a lesson once it is closed or has a reviewer's summary: "
            "the lesson is written from the reviewers' words.",
            "event",
        )
    return event


@audit.requires("event.triage")
def draft_from_report(db: Database, actor: Actor, event_id: int) -> LessonDraft:
    """A lesson to start from: the report's kind and category as its title, the
    reviewer's summary as its text. Never the narrative, never who reported it."""
    tiers.require_shared(db)
    tax = taxonomy()
    with db.read() as s:
        event = _shareable(s.get(SafetyEvent, event_id), actor)
        kind = "good_catch" if event.kind == "good_catch" else "summary"
        title = f"{tax.label('kinds', event.kind)}: {tax.label('categories', event.category)}"
        return LessonDraft(event.id, kind, title, " ".join((event.reviewer_summary or "").split()))


def _readers(s: Session, unit_id: int, tier_id: int) -> list[str]:
    """The names of everyone on the sharing unit and on every unit that will read it."""
    return outbound.readers(s, unit_id, tier_id)


def _checked(value: str | None, label: str, field: str, max_len: int, roster: list[str]) -> str:
    """Refused while it names anyone who will read it, says who reported, or holds a
    patient identifier (``outbound.check``)."""
    clean = outbound.check(value, label, field=field, max_len=max_len, roster=roster)
    assert clean is not None
    return clean


@audit.requires("event.triage")
def share(
    db: Database,
    actor: Actor,
    *,
    tier_id: int,
    kind: str,
    title: str,
    text: str,
    event_id: int | None = None,
    today: dt.date | None = None,
) -> int:
    """Share a lesson with the unit's department or the hospital; returns its id.

    The title and text are refused while they hold a patient identifier or the name
    of anyone on the units that will read it. From a report (``event_id``): the
    report must be closed or summarised, and may be shared once with each tier; its
    reporter reads in the report's journey that it became a shared lesson.
    """
    tiers.require_shared(db)
    today = today or dt.date.today()
    kind = validation.choice(kind, list(KINDS), "what kind of lesson it is", field="kind")
    with db.read() as s:
        above = {t.id: t for t in tiers.tiers_above(s, actor.unit_id)}
        if not above:
            raise ValidationError(
                "This unit is not in a department yet, so there is no one to share with. "
                "IT places units in departments on the shared server.",
                "tier",
            )
        if tier_id not in above:
            raise ValidationError(
                "Choose the unit's department or the hospital to share with.", "tier"
            )
        roster = _readers(s, actor.unit_id, tier_id)
        tier_name = above[tier_id].name
    clean_title = _checked(title, "The lesson's title", "title", MAX_TITLE, roster)
    clean_text = _checked(text, "The lesson's text", "text", MAX_TEXT, roster)
    with db.write() as s:
        if event_id is not None:
            # The report's row is locked first: two reviewers sharing it at once queue
            # here, and the second is told it is shared already.
            s.execute(select(SafetyEvent.id).where(SafetyEvent.id == event_id).with_for_update())
            event = _shareable(s.get(SafetyEvent, event_id), actor)
            twin = s.scalar(
                select(SharedLesson.shared_on).where(
                    SharedLesson.event_id == event.id,
                    SharedLesson.tier_id == tier_id,
                    SharedLesson.withdrawn.is_(False),
                )
            )
            if twin is not None:
                raise ValidationError(
                    f"This report was already shared with {tier_name} on "
                    f"{twin:%d %b %Y}. Withdraw that lesson first to share it again.",
                    "event",
                )
        lesson = SharedLesson(
            unit_id=actor.unit_id,
            tier_id=tier_id,
            kind=kind,
            title=clean_title,
            text=clean_text,
            event_id=event_id,
            shared_by_id=actor.person_id or None,
            shared_on=today,
        )
        s.add(lesson)
        s.flush()
        if event_id is not None and (
            s.scalar(
                select(ReportStep.id).where(
                    ReportStep.event_id == event_id,
                    ReportStep.step == "shared",
                    ReportStep.on_date == today,
                )
            )
            is None
        ):
            journey.add_step(
                s,
                event_id,
                "shared",
                today,
                SHARED_SENTENCE.format(tier=tier_name),
                told_on=today,
                recorded_by=actor.person_id or None,
            )
        audit.record(
            s,
            "lesson.shared",
            actor=actor,
            target=f"lesson:{lesson.id}",
            detail={"tier": above[tier_id].code, "kind": kind, "from_report": event_id is not None},
        )
        return lesson.id


# ---------------------------------------------------------------- after sharing


def _lesson_for_unit(
    s: Session, actor: Actor, lesson_id: int, *, lock: bool = False
) -> SharedLesson:
    """A lesson the actor's unit reads (shared above it, or its own), not withdrawn."""
    q = select(SharedLesson).where(SharedLesson.id == lesson_id)
    lesson = s.scalar(q.with_for_update() if lock else q)
    above = {t.id for t in tiers.tiers_above(s, actor.unit_id)}
    if (
        lesson is None
        or lesson.withdrawn
        or (lesson.tier_id not in above and lesson.unit_id != actor.unit_id)
    ):
        raise NotFound("That lesson is not shared with this unit, or was withdrawn.")
    return lesson


@audit.requires("event.triage")
def adopt(db: Database, actor: Actor, lesson_id: int, *, today: dt.date | None = None) -> None:
    """ "We adopted this": once per unit, by its charge nurse or manager."""
    tiers.require_shared(db)
    today = today or dt.date.today()
    with db.write() as s:
        # Locked: two workstations of one unit pressing at once count once.
        lesson = _lesson_for_unit(s, actor, lesson_id, lock=True)
        if lesson.unit_id == actor.unit_id:
            raise ValidationError("This is your unit's own lesson: other units adopt it.")
        held = s.get(LessonAdoption, (lesson.id, actor.unit_id))
        if held is not None:
            raise ValidationError(
                f"Your unit already adopted this lesson on {held.adopted_on:%d %b %Y}."
            )
        s.add(
            LessonAdoption(
                lesson_id=lesson.id,
                unit_id=actor.unit_id,
                adopted_on=today,
                adopted_by_id=actor.person_id or None,
            )
        )
        audit.record(s, "lesson.adopted", actor=actor, target=f"lesson:{lesson.id}")


@audit.requires("event.triage")
def withdraw(db: Database, actor: Actor, lesson_id: int) -> None:
    """Take a lesson back out of the feed: the sharing unit's reviewers only."""
    tiers.require_shared(db)
    with db.write() as s:
        lesson = s.scalar(
            select(SharedLesson).where(SharedLesson.id == lesson_id).with_for_update()
        )
        if lesson is None or lesson.withdrawn:
            raise NotFound("That lesson is not in the feed any more.")
        if lesson.unit_id != actor.unit_id:
            raise PermissionDenied(
                "Only the unit that shared a lesson may withdraw it.", action="lesson.withdraw"
            )
        lesson.withdrawn = True
        audit.record(s, "lesson.withdrawn", actor=actor, target=f"lesson:{lesson.id}")


def teaching_text(unit_name: str, title: str, text: str) -> str:
    """The teaching point a lesson makes on a unit's board, within an item's length."""
    from hrohuddle.services.bulletin import sentence, shorten

    return shorten(
        f"Lesson from {unit_name}: {sentence(title)} {sentence(text)}", huddles.MAX_ITEM_CHARS
    )


@audit.requires("huddle.contribute")
def raise_at_huddle(db: Database, actor: Actor, lesson_id: int) -> huddles.ItemRow:
    """Make a lesson the teaching point of the unit's open huddle (anyone on the unit may
    give a teaching point); refused when no huddle is open or it has its teaching point."""
    tiers.require_shared(db)
    with db.read() as s:
        lesson = _lesson_for_unit(s, actor, lesson_id)
        unit = s.get(Unit, lesson.unit_id)
        assert unit is not None
        text = teaching_text(unit.name, lesson.title, lesson.text)
        open_id = s.scalar(
            select(Huddle.id)
            .where(Huddle.unit_id == actor.unit_id, Huddle.status == "open")
            .order_by(Huddle.started_at.desc())
            .limit(1)
        )
        if open_id is not None:
            huddles.refuse_a_second_teaching_point(s, open_id)
    if open_id is None:
        raise ValidationError(
            "No huddle is open on the unit now. Start the huddle, then raise the lesson "
            "at it as its teaching point."
        )
    item = huddles.add_item(db, actor, open_id, "teach", text)
    with db.write() as s:
        audit.record(s, "lesson.raised", actor=actor, target=f"lesson:{lesson_id}")
    return item


__all__ = [
    "KINDS",
    "LessonDraft",
    "LessonRow",
    "TierChoice",
    "adopt",
    "draft_from_report",
    "feed",
    "raise_at_huddle",
    "share",
    "share_targets",
    "teaching_text",
    "withdraw",
]
