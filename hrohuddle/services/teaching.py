"""Good catch to teaching point: the charge nurse offers the huddle a good catch whose
reporter agreed that it be used to teach (``SafetyEvent.teaching_consent``).

The offer is written from the reviewer's summary; the reporter's own words only when
they agreed to be quoted, checked again for identifiers and colleagues' names. The
teaching point is linked to the report (``HuddleItem.event_id``), and the good catch
is recognised at the same huddle: by the reporter's name only when they asked to be
named (``recognise_by_name``; never for an anonymous report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, huddles, validation
from hrohuddle.services.errors import NotFound, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import taxonomy, unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.models import HuddleItem, Person, SafetyEvent, utcnow

#: Good catches reported this many days back are offered.
OFFER_DAYS = 30


@dataclass(frozen=True)
class Offer:
    """An agreed good catch, as the charge nurse is offered it."""

    event_id: int
    reported_on: dt.date
    category: str  # display label
    text: str  # the teaching point it would make
    #: The text is the reporter's own words (they agreed), not the reviewer's summary.
    own_words: bool
    #: The reporter, when they asked to be named; else None.
    named: str | None


@audit.requires("huddle.run")
def offers(db: Database, actor: Actor, *, today: dt.date | None = None) -> list[Offer]:
    """Good catches of the last 30 days whose reporter agreed they may teach, newest
    first, leaving out those already a huddle's teaching point."""
    from hrohuddle.services.bulletin import reporter_words, sentence, shorten
    from hrohuddle.services.personal_names import unit_roster

    today = today or dt.date.today()
    roster = unit_roster(db, actor.unit_id)
    used = (
        select(HuddleItem.event_id)
        .where(
            HuddleItem.section == "teach",
            HuddleItem.deleted.is_(False),
            HuddleItem.event_id.is_not(None),
        )
        .scalar_subquery()
    )
    labels = taxonomy().labels_by_key("categories")
    out: list[Offer] = []
    with db.read() as s:
        rows = s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.reported_on,
                SafetyEvent.category,
                SafetyEvent.reviewer_summary,
                SafetyEvent.narrative,
                SafetyEvent.words_may_be_shared,
                SafetyEvent.recognise_by_name,
                SafetyEvent.anonymous,
                Person.display_name,
            )
            .outerjoin(Person, Person.id == SafetyEvent.reporter_id)
            .where(
                SafetyEvent.unit_id == actor.unit_id,
                SafetyEvent.kind == "good_catch",
                SafetyEvent.teaching_consent.is_(True),
                SafetyEvent.merged_into_id.is_(None),
                SafetyEvent.reported_on >= today - dt.timedelta(days=OFFER_DAYS),
                SafetyEvent.reported_on <= today,
                SafetyEvent.id.not_in(used),
            )
            .order_by(SafetyEvent.reported_on.desc(), SafetyEvent.id.desc())
            .limit(50)
        ).all()
    for eid, on, cat, summary, narrative, words, named, anonymous, name in rows:
        category = labels.get(cat, cat)
        text = shorten(sentence(summary), huddles.MAX_ITEM_CHARS)
        own = False
        if not text and words:
            quoted = reporter_words(narrative, roster, huddles.MAX_ITEM_CHARS)
            if quoted:
                text, own = quoted, True
        if not text:
            text = f"A good catch about {category.lower()}: what stopped it, and how."
        out.append(Offer(eid, on, category, text, own, name if named and not anonymous else None))
    return out


@audit.requires("huddle.run")
def teach_from(
    db: Database,
    actor: Actor,
    huddle_id: int,
    event_id: int,
    text: str,
    *,
    given_by: int | None = None,
    hro_principle: str | None = None,
) -> huddles.ItemRow:
    """Make an agreed good catch the huddle's teaching point, linked to its report, and
    recognise it: "Good catch by NAME" only when the reporter asked to be named."""
    from hrohuddle.services.personal_names import unit_roster

    roster = unit_roster(db, actor.unit_id)
    clean = validation.text(
        text,
        "The teaching point",
        field="text",
        max_len=huddles.MAX_ITEM_CHARS,
        check_identifiers=True,
        roster=roster,
        allowed_names=roster,
    )
    assert clean is not None
    if hro_principle is not None:
        validation.choice(
            hro_principle,
            unit_vocabulary().keys("hro_principles"),
            "an HRO principle",
            field="hro_principle",
        )
    with db.write() as s:
        h = huddles.unit_huddle(s, actor, huddle_id)
        event = s.get(SafetyEvent, event_id)
        if (
            event is None
            or event.unit_id != actor.unit_id
            or event.kind != "good_catch"
            or not event.teaching_consent
        ):
            raise NotFound("That good catch is not one its reporter agreed to teach from.")
        huddles.refuse_a_second_teaching_point(s, h.id)
        giver = s.get(Person, given_by if given_by is not None else actor.person_id)
        if giver is None or giver.unit_id != actor.unit_id:
            raise ValidationError("Choose who gave the teaching point from this unit.", "given_by")
        reporter = s.get(Person, event.reporter_id) if event.reporter_id else None
        named = reporter.display_name if (event.recognise_by_name and reporter) else None
        item = HuddleItem(
            huddle_id=h.id,
            section="teach",
            text=clean,
            hro_principle=hro_principle,
            author_id=giver.id,
            event_id=event.id,
            position=_next_position(s, h.id, "teach"),
        )
        s.add(item)
        recognised = s.scalar(
            select(func.count(HuddleItem.id)).where(
                HuddleItem.huddle_id == h.id,
                HuddleItem.section == "recognise",
                HuddleItem.event_id == event.id,
                HuddleItem.deleted.is_(False),
            )
        )
        if not recognised:
            thanks = (
                f"Good catch by {named}: today's teaching point."
                if named
                else "Good catch: today's teaching point. Thank you to whoever spoke up."
            )
            s.add(
                HuddleItem(
                    huddle_id=h.id,
                    section="recognise",
                    text=thanks,
                    author_id=actor.person_id,
                    event_id=event.id,
                    position=_next_position(s, h.id, "recognise"),
                )
            )
        h.revision += 1
        h.updated_at = utcnow()
        s.flush()
        return huddles.ItemRow(
            item.id,
            item.section,
            None,
            item.text,
            item.hro_principle,
            giver.display_name,
            item.updated_at,
            None,
            author_id=giver.id,
            author_profession=giver.profession,
            author_is_learner=giver.is_learner,
            event_id=event.id,
        )


@audit.requires("huddle.view")
def named_reporters(db: Database, actor: Actor, event_ids: Iterable[int]) -> dict[int, str]:
    """The reporters of these good catches of the unit who asked to be named when
    recognised (``recognise_by_name``; never an anonymous report's): event id to name.
    Good catches whose reporters did not ask are left out."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    with db.read() as s:
        rows = s.execute(
            select(SafetyEvent.id, Person.display_name)
            .join(Person, Person.id == SafetyEvent.reporter_id)
            .where(
                SafetyEvent.unit_id == actor.unit_id,
                SafetyEvent.id.in_(ids),
                SafetyEvent.kind == "good_catch",
                SafetyEvent.recognise_by_name.is_(True),
                SafetyEvent.anonymous.is_(False),
            )
        ).all()
    return {int(eid): str(name) for eid, name in rows}


def _next_position(s: Session, huddle_id: int, section: str) -> int:
    s.flush()
    position = s.scalar(
        select(func.coalesce(func.max(HuddleItem.position), 0) + 1).where(
            HuddleItem.huddle_id == huddle_id, HuddleItem.section == section
        )
    )
    return int(position or 1)
