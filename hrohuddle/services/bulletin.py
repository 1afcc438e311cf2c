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
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, dates, validation
from hrohuddle.services.dates import local_date
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import taxonomy
from hrohuddle.store.database import Database
from hrohuddle.store.models import Action, Huddle, Person, ReportStep, SafetyEvent, Unit

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
    #: In the bulletin: the other reports of the week with the same summary, told here.
    also: tuple[int, ...] = ()

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
            SafetyEvent.reported_on,
            ReportStep.huddle_id,
        )
        .join(ReportStep, ReportStep.event_id == SafetyEvent.id)
        .where(SafetyEvent.unit_id == unit_id, ReportStep.step.in_(DONE_STEPS), *conds)
        .order_by(ReportStep.on_date, ReportStep.id)
    ).all()
    latest: dict[int, Done] = {}
    for event_id, kind, category, summary, step, on_date, told, me_too, reported, huddle in rows:
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
            # In the unit's voice: the board and the weekly report are read by everyone,
            # and a step's sentence may have been written to the reporter ("Your…").
            for_the_unit(step, told, on_date, reported, at_huddle=huddle is not None),
            int(me_too or 0),
        )
    return list(latest.values())


def _and(names: list[str]) -> str:
    """Names as a sentence says them: "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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
#: The steps the bulletin tells, the most for the unit last.
TOLD_STEPS = ("local_fix", "shared", "action", "system_change")
#: A reporter's own words are quoted up to this length (the page is one A4 sheet).
QUOTE_CHARS = 240
#: The reviewers' words are kept to this length for the same reason.
TEXT_CHARS = 320
#: A sentence written to the reporter ("Your good catch was…", "What you reported…").
_TO_THE_REPORTER = re.compile(r"\b(you|your|yours|yourself|yourselves)\b", re.IGNORECASE)


def for_the_unit(
    step: str,
    told: str | None,
    on: dt.date,
    reported_on: dt.date,
    *,
    action: tuple[str, str, dt.date | None] | None = None,
    at_huddle: bool = False,
) -> str:
    """What was done, as the staff room reads it: an action by its title, the owner's
    role and due day; a step's sentence when the reviewer wrote it for everyone, and a
    plain wording when it was written to the reporter ("Your…", "You…")."""
    words = sentence(told)
    for_everyone = bool(words) and not _TO_THE_REPORTER.search(words)
    if step == "action":
        if action is not None:
            title, owner, due = action
            what = " ".join(title.split()).rstrip(" .")
            when = f", due {dates.day(due)}" if due else ""
            return f"Action agreed: “{what}”, owned by {owner}{when}."
        return words if for_everyone else f"An action was agreed on {dates.day(on)}."
    if step == "system_change":
        if for_everyone:
            return f"A lasting change: {words[:1].lower() + words[1:]}"
        return f"A lasting change to how the unit works, made on {dates.day(on)}."
    if step == "shared":
        if for_everyone:
            return words
        where = "at the huddle" if at_huddle else "with the team"
        return f"Shared {where} on {dates.day(on)}."
    if for_everyone:
        return words
    if on == reported_on:
        return "Fixed on the unit the same day."
    return f"Fixed on the unit on {dates.day(on)}."


def reported_times(n: int) -> str:
    """ "Reported 3 times." for a line that stands for several reports; else nothing."""
    return f" Reported {n} times." if n > 1 else ""


@dataclass(frozen=True)
class Learning:
    """One report the unit learned from this week, in the reviewers' words."""

    event_id: int
    kind: str  # display label
    category: str  # display label
    step: str  # shared
    on_date: dt.date
    text: str  # the reviewer's summary (or kind and category) and what was shared
    quote: str | None  # the reporter's own words, only when they agreed
    me_too: int
    #: The other reports of the week with the same summary, told on this line.
    also: tuple[int, ...] = ()


@dataclass(frozen=True)
class GoodCatch:
    """A good catch of the week, recognised: named only when its reporter asked."""

    event_id: int
    category: str  # display label
    on_date: dt.date
    text: str  # the reviewer's summary, or the category, and what was done this week
    quote: str | None  # the reporter's own words, only when they agreed
    named: str | None  # the reporter(s), only with recognise_by_name
    me_too: int
    #: The other good catches of the week with the same summary, told on this line.
    also: tuple[int, ...] = ()


@dataclass(frozen=True)
class Bulletin:
    """The unit safety bulletin of one week: one A4 page for the staff room and the board."""

    unit_name: str
    unit_code: str
    week_start: dt.date
    learning: list[Learning]
    done: list[Done]
    good_catches: list[GoodCatch]
    #: Reports received this week (every kind, named and anonymous, joined ones too).
    reports: int
    #: Of those, how many were joined with another report about the same thing.
    joined: int = 0
    #: Of those, how many were good catches (not joined).
    new_catches: int = 0

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def week_label(self) -> str:
        iso = self.week_start.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"

    @property
    def thank_you(self) -> str:
        """One sentence of thanks with the week's count of reports, the same count as
        "Closing the loop" once the joined ones are taken away."""
        n = self.reports
        catches = self.new_catches
        below = " Below: what the unit did and shared this week, for reports of earlier weeks too."
        if n == 0:
            return "No reports were made this week. Seen something? Say so: it helps." + (
                below if not self.empty else ""
            )
        what = "the 1 report" if n == 1 else f"the {n} reports"
        if self.joined:
            what += f" made this week ({self.joined} joined with another)."
            if catches:
                what += " 1 was a good catch." if catches == 1 else f" {catches} were good catches."
            return f"Thank you for {what} Every one was read.{below}"
        extra = ""
        if catches:
            extra = f", {catches} of them {'a good catch' if catches == 1 else 'good catches'}"
        return f"Thank you for {what} made this week{extra}. Every one was read.{below}"

    @property
    def empty(self) -> bool:
        return not (self.learning or self.done or self.good_catches)


@dataclass
class _Told:
    """A report's steps in the week, read once."""

    kind: str
    category: str
    summary: str | None
    narrative: str | None
    words: bool
    me_too: int
    reported_on: dt.date
    steps: list[tuple[str, dt.date, str, tuple[str, str, dt.date | None] | None, bool]]


@audit.requires("huddle.view")
def build(db: Database, actor: Actor, week_start: dt.date) -> Bulletin:
    """The bulletin of the week starting ``week_start`` (moved back to its Monday).

    Everyone on the unit reads it, as they read the printed copy in the staff room:
    it holds only what the reviewers wrote for the unit and what reporters agreed to.

    Written for the staff room, one line per report: "You said, we did" lists the
    reports whose journey reached action or system change in the week; the good
    catches, those reported or shared in the week; the shared learning, the other
    reports shared in the week. A report appears once in the whole bulletin (a report
    joined with another is told by that one), and reports of one section with the same
    summary share a line ("Reported 3 times"). What was done is told in the unit's
    voice (``for_the_unit``), never in a sentence written to the reporter. A reporter's
    own words only with their consent and after a fresh identifier check.
    """
    from hrohuddle.services import journey
    from hrohuddle.services.personal_names import unit_roster

    monday = week_start - dt.timedelta(days=week_start.weekday())
    if monday > dt.date.today():
        iso = monday.isocalendar()
        raise ValidationError(
            f"{iso[0]}-W{iso[1]:02d} has not started yet; choose a week that has."
        )
    until = monday + dt.timedelta(days=7)
    roster = unit_roster(db, actor.unit_id)
    tax = taxonomy()
    with db.read() as s:
        unit = s.get(Unit, actor.unit_id)
        if unit is None:
            raise ValidationError("That unit does not exist.")
        told: dict[int, _Told] = {}
        owners: dict[int, str] = {}
        step_rows = s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.kind,
                SafetyEvent.category,
                SafetyEvent.reviewer_summary,
                SafetyEvent.narrative,
                SafetyEvent.words_may_be_shared,
                SafetyEvent.me_too_count,
                SafetyEvent.reported_on,
                ReportStep.step,
                ReportStep.on_date,
                ReportStep.sentence,
                ReportStep.huddle_id,
                Action.title,
                Action.owner_id,
                Action.due_on,
            )
            .join(ReportStep, ReportStep.event_id == SafetyEvent.id)
            .outerjoin(Action, Action.id == ReportStep.action_id)
            .where(
                SafetyEvent.unit_id == unit.id,
                SafetyEvent.merged_into_id.is_(None),
                ReportStep.step.in_(TOLD_STEPS),
                ReportStep.on_date >= monday,
                ReportStep.on_date < until,
            )
            .order_by(ReportStep.on_date, ReportStep.id)
        ).all()
        for (
            eid, kind, cat, summary, narrative, words, me_too, reported_on,
            step, on, text, huddle_id, title, owner_id, due,
        ) in step_rows:  # fmt: skip
            r = told.setdefault(
                eid,
                _Told(
                    kind, cat, summary, narrative, bool(words), int(me_too or 0), reported_on, []
                ),
            )
            action = None
            if title is not None:
                if owner_id is not None and owner_id not in owners:
                    owners[owner_id] = journey.owner_role(s, owner_id)
                role = owners.get(owner_id, "the unit") if owner_id is not None else "the unit"
                action = (title, role, due)
            r.steps.append((step, on, text, action, huddle_id is not None))
        # Good catches that reached the unit this week, told or not.
        catch_rows = s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.category,
                SafetyEvent.reviewer_summary,
                SafetyEvent.narrative,
                SafetyEvent.words_may_be_shared,
                SafetyEvent.me_too_count,
                SafetyEvent.reported_on,
            ).where(
                SafetyEvent.unit_id == unit.id,
                SafetyEvent.kind == "good_catch",
                SafetyEvent.reported_on >= monday,
                SafetyEvent.reported_on < until,
                SafetyEvent.merged_into_id.is_(None),
            )
        ).all()
        for eid, cat, summary, narrative, words, me_too, reported_on in catch_rows:
            told.setdefault(
                eid,
                _Told(
                    "good_catch", cat, summary, narrative, bool(words),
                    int(me_too or 0), reported_on, [],
                ),
            )  # fmt: skip
        named: dict[int, str] = {}
        catch_ids = [eid for eid, r in told.items() if r.kind == "good_catch"]
        if catch_ids:
            named = {
                eid: name
                for eid, name in s.execute(
                    select(SafetyEvent.id, Person.display_name)
                    .join(Person, Person.id == SafetyEvent.reporter_id)
                    .where(
                        SafetyEvent.id.in_(catch_ids),
                        SafetyEvent.recognise_by_name.is_(True),
                        SafetyEvent.anonymous.is_(False),
                    )
                ).all()
                if name
            }
        # Every report of the week, the joined ones too, so that the thank-you adds up.
        reports, joined = s.execute(
            select(
                func.count(SafetyEvent.id),
                func.count(SafetyEvent.merged_into_id),
            ).where(
                SafetyEvent.unit_id == unit.id,
                SafetyEvent.reported_on >= monday,
                SafetyEvent.reported_on < until,
            )
        ).one()
        new_catches = sum(1 for eid, *_rest in catch_rows if eid in told)
    # Each report in one section: an action or lasting change first, then a good catch,
    # then what was shared; reports with one summary share a line, in the best section.
    entries: dict[str, list[tuple[int, int, _Told, Any]]] = {}
    order: dict[int, tuple[dt.date, int]] = {}
    for eid, r in told.items():
        said = sentence(r.summary)
        plain = about(tax.label("kinds", r.kind), tax.label("categories", r.category))
        done_steps = [st for st in r.steps if st[0] in DONE_STEPS]
        shared = [st for st in r.steps if st[0] == "shared"]
        latest: Any
        if done_steps:
            rank, latest, key = 0, done_steps[-1], said or plain
        elif r.kind == "good_catch":
            latest = r.steps[-1] if r.steps else None
            key = said or f"A good catch about {tax.label('categories', r.category).lower()}."
            rank = 1
        elif shared:
            rank, latest, key = 2, shared[-1], said or plain
        else:
            continue  # a local fix alone is the reporter's news, not the unit's
        order[eid] = ((latest[1] if latest is not None else r.reported_on), eid)
        entries.setdefault(key.lower(), []).append((rank, eid, r, latest))

    def latest_first(
        group: list[tuple[int, _Told, Any]],
    ) -> list[tuple[int, _Told, Any]]:
        return sorted(group, key=lambda g: order[g[0]], reverse=True)

    lines: list[dict[str, list[tuple[int, _Told, Any]]]] = [{}, {}, {}]
    for key, members in entries.items():
        best = min(m[0] for m in members)
        lead = [(e, r, st) for rank, e, r, st in members if rank == best]
        rest = [(e, r, st) for rank, e, r, st in members if rank != best]
        lines[best][key] = latest_first(lead) + latest_first(rest)
    done_lines, catch_lines, learning_lines = lines

    def did(r: _Told, st: tuple[Any, ...]) -> str:
        step, on, text, action, at_huddle = st
        return for_the_unit(step, text, on, r.reported_on, action=action, at_huddle=at_huddle)

    quoted: set[str] = set()

    def quote(group: list[tuple[int, _Told, Any]]) -> str | None:
        """The agreed words of a line's one report, if not already on the page. A line
        of several reports quotes none: beside a thank-you to one of their reporters,
        another's words would read as theirs."""
        if len(group) != 1:
            return None
        for _eid, r, _st in group:
            if r.words:
                words = reporter_words(r.narrative, roster)
                if words and words not in quoted:
                    quoted.add(words)
                    return words
        return None

    done: list[Done] = []
    for group in done_lines.values():
        eid, r, st = group[0]
        kind_label, cat_label = tax.label("kinds", r.kind), tax.label("categories", r.category)
        said = sentence(r.summary) or about(kind_label, cat_label)
        done.append(
            Done(
                eid,
                kind_label,
                cat_label,
                st[0],
                st[1],
                shorten(said + reported_times(len(group)), TEXT_CHARS),
                shorten(did(r, st), TEXT_CHARS),
                max(g[1].me_too for g in group),  # the most any one of them has
                tuple(sorted(g[0] for g in group[1:])),
            )
        )
    learning: list[Learning] = []
    for group in learning_lines.values():
        eid, r, st = group[0]
        kind_label, cat_label = tax.label("kinds", r.kind), tax.label("categories", r.category)
        said = sentence(r.summary) or about(kind_label, cat_label)
        learning.append(
            Learning(
                eid,
                kind_label,
                cat_label,
                st[0],
                st[1],
                shorten(f"{said}{reported_times(len(group))} {did(r, st)}", TEXT_CHARS),
                quote(group),
                max(g[1].me_too for g in group),  # the most any one of them has
                tuple(sorted(g[0] for g in group[1:])),
            )
        )
    catches: list[GoodCatch] = []
    for group in catch_lines.values():
        eid, r, st = group[0]
        cat_label = tax.label("categories", r.category)
        # The line starts with its category: a report not yet summarised says no more.
        said = sentence(r.summary) or "A good catch."
        what = f" {did(r, st)}" if st is not None else ""
        names = sorted({named[g[0]] for g in group if g[0] in named})
        catches.append(
            GoodCatch(
                eid,
                cat_label,
                st[1] if st is not None else r.reported_on,
                shorten(f"{said}{reported_times(len(group))}{what}", TEXT_CHARS),
                quote(group),
                _and(names) if names else None,
                max(g[1].me_too for g in group),  # the most any one of them has
                tuple(sorted(g[0] for g in group[1:])),
            )
        )
    by_day = sorted(done, key=lambda d: (d.on_date, d.event_id))
    return Bulletin(
        unit.name,
        unit.code,
        monday,
        sorted(learning, key=lambda i: (i.on_date, i.event_id)),
        by_day,
        sorted(catches, key=lambda g: (g.on_date, g.event_id)),
        int(reports or 0),
        int(joined or 0),
        new_catches,
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
