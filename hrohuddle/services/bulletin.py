"""Shared learning: "you said, we did", read by the huddle board, the weekly report
and the unit's safety bulletin; and the bulletin itself.

Every line is written from the reviewers' words (the report's reviewer summary and
the journey step's sentence), never from the reporter's own narrative. The bulletin
alone may quote a reporter, and only one who agreed (``words_may_be_shared``): their
words are checked for patient identifiers and colleagues' names again, and left out
when anything is found. A good catch names its reporter only when they asked to be
named (``recognise_by_name``, never for an anonymous report).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, validation
from hrohuddle.services.dates import local_date
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.models import Huddle, Person, ReportStep, SafetyEvent, Unit

#: The journey steps that count as "we did".
DONE_STEPS = ("action", "system_change")


@dataclass(frozen=True)
class Done:
    """One report whose journey reached action or system change in a period."""

    event_id: int
    kind: str  # display label, e.g. "Near miss"
    category: str  # display label
    step: str  # action | system_change
    on_date: dt.date
    said: str  # the reviewer's summary, or the kind and category when there is none
    did: str  # the step's sentence for the reporter
    me_too: int = 0  # how many others said they have seen this too

    def line(self) -> str:
        return f"You said: {self.said} We did: {self.did}"


def you_said_we_did(db: Database, unit_id: int, since: dt.date, until: dt.date) -> list[Done]:
    """Reports of the unit whose journey reached action or system change on a day in
    ``[since, until)``, oldest first; a report counted once, by its latest such step."""
    with db.read() as s:
        return _done(s, unit_id, ReportStep.on_date >= since, ReportStep.on_date < until)


#: With no huddle closed before it, a board looks back this far for "you said, we did".
FIRST_BOARD_DAYS = 7


@audit.requires("huddle.view")
def since_last_huddle(db: Database, actor: Actor, huddle_id: int) -> list[Done]:
    """ "You said, we did" for a huddle's look back: the reports whose journey reached
    action or system change since the unit's last closed huddle before it.

    A step counts when it was recorded after that huddle ended, or is dated a later
    day; a closed huddle keeps what it showed (steps recorded before it ended).
    """
    with db.read() as s:
        h = s.get(Huddle, huddle_id)
        if h is None or h.unit_id != actor.unit_id:
            return []
        previous = s.execute(
            select(Huddle.ended_at)
            .where(
                Huddle.unit_id == h.unit_id,
                Huddle.id != h.id,
                Huddle.status == "closed",
                Huddle.ended_at.is_not(None),
                Huddle.started_at < h.started_at,
            )
            .order_by(Huddle.started_at.desc())
            .limit(1)
        ).scalar()
        conds: list[Any] = []
        if previous is not None:
            conds.append(
                or_(
                    ReportStep.created_at >= previous,
                    ReportStep.on_date > local_date(previous),
                )
            )
        else:
            conds.append(ReportStep.on_date >= h.huddle_date - dt.timedelta(days=FIRST_BOARD_DAYS))
        if h.ended_at is not None:
            conds.append(ReportStep.created_at <= h.ended_at)
        return _done(s, h.unit_id, *conds)


def _done(s: Session, unit_id: int, *conds: Any) -> list[Done]:
    tax = taxonomy()
    rows = s.execute(
        select(
            SafetyEvent.id,
            SafetyEvent.kind,
            SafetyEvent.category,
            SafetyEvent.reviewer_summary,
            ReportStep.step,
            ReportStep.on_date,
            ReportStep.sentence,
            SafetyEvent.me_too_count,
        )
        .join(ReportStep, ReportStep.event_id == SafetyEvent.id)
        .where(SafetyEvent.unit_id == unit_id, ReportStep.step.in_(DONE_STEPS), *conds)
        .order_by(ReportStep.on_date, ReportStep.id)
    ).all()
    latest: dict[int, Done] = {}
    for event_id, kind, category, summary, step, on_date, told, me_too in rows:
        kind_label = tax.label("kinds", kind)
        category_label = tax.label("categories", category)
        said = sentence(summary) or about(kind_label, category_label)
        latest.pop(event_id, None)  # re-inserted, so the dict keeps date order
        latest[event_id] = Done(
            event_id,
            kind_label,
            category_label,
            step,
            on_date,
            said,
            sentence(told),
            int(me_too or 0),
        )
    return list(latest.values())


def about(kind: str, category: str) -> str:
    """A report named by its kind and category, with the article it takes: "An
    incident about falls.", "A near miss about medication."."""
    noun = kind.lower()
    article = "An" if noun[:1] in ("a", "e", "i", "o", "u") else "A"
    return f"{article} {noun} about {category.lower()}."


def sentence(text: str | None) -> str:
    """Text on one line, ending as a sentence ends."""
    words = " ".join((text or "").split())
    if words and words[-1] not in ".!?":
        words += "."
    return words


# -- the unit safety bulletin -------------------------------------------------------------
#: The journey steps that are the week's shared learning.
SHARED_STEPS = ("shared", "system_change")
#: A reporter's own words are quoted up to this length (the page is one A4 sheet).
QUOTE_CHARS = 240
#: The reviewers' words are kept to this length for the same reason.
TEXT_CHARS = 320


@dataclass(frozen=True)
class Learning:
    """One report the unit learned from this week, in the reviewers' words."""

    event_id: int
    kind: str  # display label
    category: str  # display label
    step: str  # shared | system_change
    on_date: dt.date
    text: str  # the reviewer's summary (or kind and category) and what was shared
    quote: str | None  # the reporter's own words, only when they agreed
    me_too: int


@dataclass(frozen=True)
class GoodCatch:
    """A good catch of the week, recognised: named only when its reporter asked."""

    event_id: int
    category: str  # display label
    on_date: dt.date
    text: str  # the reviewer's summary, or the category
    quote: str | None  # the reporter's own words, only when they agreed
    named: str | None  # the reporter, only with recognise_by_name
    me_too: int


@dataclass(frozen=True)
class Bulletin:
    """The unit safety bulletin of one week: one A4 page for the staff room and the board."""

    unit_name: str
    unit_code: str
    week_start: dt.date
    learning: list[Learning]
    done: list[Done]
    good_catches: list[GoodCatch]
    #: Reports received this week (every kind, named and anonymous): the thank-you.
    reports: int

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def week_label(self) -> str:
        iso = self.week_start.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"

    @property
    def thank_you(self) -> str:
        """One sentence of thanks with the week's count of reports."""
        n = self.reports
        catches = len(self.good_catches)
        if n == 0:
            return "No reports reached the unit this week. Seen something? Say so: it helps."
        what = "1 report" if n == 1 else f"{n} reports"
        extra = ""
        if catches:
            extra = f", {catches} of them {'a good catch' if catches == 1 else 'good catches'}"
        return f"Thank you for {what} this week{extra}. Every one was read."

    @property
    def empty(self) -> bool:
        return not (self.learning or self.done or self.good_catches)


@audit.requires("huddle.view")
def build(db: Database, actor: Actor, week_start: dt.date) -> Bulletin:
    """The bulletin of the week starting ``week_start`` (moved back to its Monday).

    Everyone on the unit reads it, as they read the printed copy in the staff room:
    it holds only what the reviewers wrote for the unit and what reporters agreed to.

    "You said, we did" lists the reports whose journey reached action or system
    change in the week; the shared learning, those shared (or changed for good) that
    are not already there; the good catches, those reported in the week. A report
    appears once. Written from the reviewers' summaries and step sentences; a
    reporter's own words only with their consent and after a fresh identifier check.
    """
    monday = week_start - dt.timedelta(days=week_start.weekday())
    if monday > dt.date.today():
        iso = monday.isocalendar()
        raise ValidationError(
            f"{iso[0]}-W{iso[1]:02d} has not started yet; choose a week that has."
        )
    until = monday + dt.timedelta(days=7)
    from hrohuddle.services.personal_names import unit_roster

    roster = unit_roster(db, actor.unit_id)
    tax = taxonomy()
    with db.read() as s:
        unit = s.get(Unit, actor.unit_id)
        if unit is None:
            raise ValidationError("That unit does not exist.")
        done = _done(s, unit.id, ReportStep.on_date >= monday, ReportStep.on_date < until)
        told = {d.event_id for d in done}
        shared_rows = s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.kind,
                SafetyEvent.category,
                SafetyEvent.reviewer_summary,
                SafetyEvent.narrative,
                SafetyEvent.words_may_be_shared,
                SafetyEvent.me_too_count,
                ReportStep.step,
                ReportStep.on_date,
                ReportStep.sentence,
            )
            .join(ReportStep, ReportStep.event_id == SafetyEvent.id)
            .where(
                SafetyEvent.unit_id == unit.id,
                ReportStep.step.in_(SHARED_STEPS),
                ReportStep.on_date >= monday,
                ReportStep.on_date < until,
            )
            .order_by(ReportStep.on_date, ReportStep.id)
        ).all()
        learned: dict[int, Learning] = {}
        for eid, kind, cat, summary, narrative, words, me_too, step, on, told_text in shared_rows:
            if eid in told:
                continue
            kind_label = tax.label("kinds", kind)
            cat_label = tax.label("categories", cat)
            said = sentence(summary) or about(kind_label, cat_label)
            text = shorten(f"{said} {sentence(told_text)}".strip(), TEXT_CHARS)
            learned.pop(eid, None)
            learned[eid] = Learning(
                eid,
                kind_label,
                cat_label,
                step,
                on,
                text,
                reporter_words(narrative, roster) if words else None,
                int(me_too or 0),
            )
        # The week is counted by the day each report reached the unit.
        catches = []
        for eid, cat, on, summary, narrative, words, named, name, anonymous, me_too in s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.category,
                SafetyEvent.reported_on,
                SafetyEvent.reviewer_summary,
                SafetyEvent.narrative,
                SafetyEvent.words_may_be_shared,
                SafetyEvent.recognise_by_name,
                Person.display_name,
                SafetyEvent.anonymous,
                SafetyEvent.me_too_count,
            )
            .outerjoin(Person, Person.id == SafetyEvent.reporter_id)
            .where(
                SafetyEvent.unit_id == unit.id,
                SafetyEvent.kind == "good_catch",
                SafetyEvent.reported_on >= monday,
                SafetyEvent.reported_on < until,
                SafetyEvent.merged_into_id.is_(None),
            )
            .order_by(SafetyEvent.reported_on, SafetyEvent.id)
        ).all():
            cat_label = tax.label("categories", cat)
            catches.append(
                GoodCatch(
                    eid,
                    cat_label,
                    on,
                    shorten(sentence(summary), TEXT_CHARS)
                    or f"A good catch about {cat_label.lower()}.",
                    reporter_words(narrative, roster) if words else None,
                    name if (named and not anonymous and name) else None,
                    int(me_too or 0),
                )
            )
        reports = s.scalar(
            select(func.count(SafetyEvent.id)).where(
                SafetyEvent.unit_id == unit.id,
                SafetyEvent.reported_on >= monday,
                SafetyEvent.reported_on < until,
                SafetyEvent.merged_into_id.is_(None),
            )
        )
        return Bulletin(
            unit.name,
            unit.code,
            monday,
            list(learned.values()),
            done,
            catches,
            int(reports or 0),
        )


def shorten(text: str, limit: int) -> str:
    """Text on one line, cut to ``limit`` characters with an ellipsis."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def reporter_words(
    narrative: str | None, roster: list[str], limit: int = QUOTE_CHARS
) -> str | None:
    """The reporter's own words, shortened, if they pass the identifier check again
    (patient identifiers and colleagues' names): else None. Only for a reporter who
    agreed to be quoted."""
    try:
        clean = validation.text(
            narrative,
            "The report",
            field="narrative",
            max_len=100_000,
            required=False,
            check_identifiers=True,
            roster=roster,
        )
    except ValidationError:  # an identifier or a name found: the words stay out
        return None
    return shorten(clean, limit) if clean else None
