"""Onboarding psychological-safety pulses, anonymous by construction.

Over 600 lines because inviting, answering and publishing keep one set of anonymity rules
(quarters, milestones kept only for a large enough group, suppression) that is checked best
read in one place.

Who has answered (invitations) and what was answered (responses) live in two
tables with nothing joining them. An answer is stored with the unit's other answers
written again in a shuffled order (services.anonymity.release_pulse); it keeps a
random id, the quarter in which it was sent and its milestone, the milestone only
when at least the minimum group size of people who answered could have sent it in
that quarter. An invitation keeps whether it was answered, never when.

Results are published per closed quarter only, so that a figure never changes once
shown and two printouts cannot be subtracted. Within a quarter, groups by milestone
are shown only when their answers and their complete answers both reach the minimum
group size, with complementary suppression (analytics.suppression.hidden_cells);
every mean and share is over complete answers only; comments are shown per quarter,
shuffled and undated, only when there are at least ``COMMENT_MIN`` of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hrohuddle.analytics import scoring, suppression
from hrohuddle.paths import resources_dir
from hrohuddle.services import anonymity, audit, dates, validation
from hrohuddle.services.errors import NotFound, ResourceFileError, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import load_yaml
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Person,
    PulseInvitation,
    PulsePublication,
    PulseResponse,
    Unit,
)
from hrohuddle.wording import count, verb

#: A pulse not answered within this many days of its milestone is no longer offered.
OFFER_DAYS = anonymity.OFFER_DAYS
#: Comments are shown only for a quarter with at least this many (or the minimum group
#: size, if that is larger): a comment is more recognisable than a number.
COMMENT_MIN = 10
POOLED_LABEL = "Milestone not kept"


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    reverse: bool


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    title: str
    source: str
    points: int
    labels: dict[int, str]
    favourable_from: int
    items: list[Item]
    scale_items: list[str]
    comment_label: str
    comment_max: int

    @property
    def scale_specs(self) -> list[scoring.ScaleItem]:
        by_code = {i.code: i for i in self.items}
        return [scoring.ScaleItem(c, by_code[c].reverse) for c in self.scale_items]


def parse_instrument(path: Path) -> Instrument:
    """Read and check an instrument file; a problem names the file and what is wrong."""
    data = load_yaml(path)
    try:
        scale = data["scale"]
        points = int(scale["points"])
        items = [
            Item(str(i["code"]), str(i["text"]), bool(i.get("reverse", False)))
            for i in data["items"]
        ]
        codes = {i.code for i in items}
        scale_items = [str(c) for c in data["scale_items"]]
        missing = [c for c in scale_items if c not in codes]
        if missing:
            raise ResourceFileError(
                f"The instrument file {path.name} lists scale items that are not among its "
                f"items: {', '.join(missing)}."
            )
        if len(codes) != len(items):
            raise ResourceFileError(f"The instrument file {path.name} repeats an item code.")
        return Instrument(
            key=str(data["key"]),
            version=int(data["version"]),
            title=str(data["title"]),
            source=str(data.get("source", "")),
            points=points,
            labels={int(k): str(v) for k, v in scale["labels"].items()},
            favourable_from=int(scale["favourable_from"]),
            items=items,
            scale_items=scale_items,
            comment_label=str(data.get("comment", {}).get("label", "Comment")),
            comment_max=int(data.get("comment", {}).get("max_chars", 1000)),
        )
    except ResourceFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ResourceFileError(
            f"The instrument file {path.name} is missing or has a bad value for {exc}."
        ) from exc


@functools.cache
def instrument() -> Instrument:
    return parse_instrument(resources_dir() / "instruments" / "onboarding_pulse.yaml")


quarter_of = anonymity.quarter_of
quarter_bounds = anonymity.quarter_bounds


# -- invitations -------------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    invitation_id: int
    milestone_day: int
    due_on: dt.date


def schedule(db: Database, person_id: int) -> int:
    """Create the person's invitations from their start date; returns how many were added.

    A person without a start date gets none (the admin screen says so).
    """
    with db.write() as s:
        person = s.get(Person, person_id)
        if person is None or person.start_date is None or not person.active:
            return 0
        unit = s.get(Unit, person.unit_id)
        assert unit is not None
        have = set(
            s.scalars(
                select(PulseInvitation.milestone_day).where(PulseInvitation.person_id == person_id)
            )
        )
        added = 0
        for day in unit.pulse_milestones:
            if int(day) not in have:
                s.add(
                    PulseInvitation(
                        person_id=person_id,
                        milestone_day=int(day),
                        due_on=person.start_date + dt.timedelta(days=int(day)),
                    )
                )
                added += 1
        return added


@audit.requires(None)
def due_pulse(
    db: Database, actor: Actor, *, today: dt.date | None = None, include_postponed: bool = False
) -> Due | None:
    """The earliest pulse due for the actor today (postponed ones come back the next day,
    or at once when the person opens it themselves: ``include_postponed``)."""
    today = today or dt.date.today()
    schedule(db, actor.person_id)
    with db.read() as s:
        inv = s.scalar(
            select(PulseInvitation)
            .where(
                PulseInvitation.person_id == actor.person_id,
                PulseInvitation.status == "pending",
                PulseInvitation.due_on <= today,
                PulseInvitation.due_on >= today - dt.timedelta(days=OFFER_DAYS),
            )
            .order_by(PulseInvitation.due_on)
        )
        if inv is None:
            return None
        if not include_postponed and inv.postponed_until and inv.postponed_until > today:
            return None
        return Due(inv.id, inv.milestone_day, inv.due_on)


@audit.requires(None)
def postpone(
    db: Database, actor: Actor, invitation_id: int, *, today: dt.date | None = None
) -> dt.date:
    """Ask again tomorrow: postponed, never lost. Returns the day it is offered again."""
    today = today or dt.date.today()
    with db.write() as s:
        inv = s.get(PulseInvitation, invitation_id)
        if inv is None or inv.person_id != actor.person_id:
            raise NotFound("That pulse is not yours.")
        inv.postponed_until = today + dt.timedelta(days=1)
        return inv.postponed_until


# -- answering ---------------------------------------------------------------------------
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def names_in(text: str, names: list[str]) -> list[str]:
    """The full names from ``names`` that ``text`` contains, in any case.

    A name counts when all its words appear together, in its order or surname first
    ("Sol Staff", "STAFF, sol"); a single word that is also part of a name ("charge",
    "rose") is an ordinary word and is not flagged.
    """
    words = _words(text)
    found = []
    for name in names:
        parts = _words(name)
        if len(parts) < 2:
            continue
        n = len(parts)
        windows = {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}
        if tuple(parts) in windows or tuple(parts[-1:] + parts[:-1]) in windows:
            found.append(name)
    return found


def _check_comment(db: Database, actor: Actor, comment: str | None, inst: Instrument) -> str | None:
    clean = validation.text(
        comment,
        "The comment",
        field="comment",
        max_len=inst.comment_max,
        required=False,
        check_identifiers=True,
    )
    if not clean:
        return None
    with db.read() as s:
        names = list(s.scalars(select(Person.display_name).where(Person.unit_id == actor.unit_id)))
    if names_in(clean, names):
        raise ValidationError(
            "The comment seems to name someone on the unit. Please leave names out, so "
            "that no one can be identified.",
            "comment",
        )
    return clean


@audit.requires(None)
def submit(
    db: Database,
    actor: Actor,
    invitation_id: int,
    answers: dict[str, int | None],
    comment: str | None = None,
    *,
    today: dt.date | None = None,
    local_now: dt.datetime | None = None,
) -> None:
    """Store the answers, with no link to the person, and mark the invitation answered.

    Both happen in one transaction, so a crash loses nothing and a second send (a
    double click) is refused. The unit's answers are written again with this one,
    shuffled (services.anonymity.release_pulse): none is the newest.
    """
    inst = instrument()
    local_now = local_now or (
        dt.datetime.combine(today, dt.datetime.now().time()) if today else dt.datetime.now()
    )
    clean_answers: dict[str, int] = {}
    codes = {i.code for i in inst.items}
    for code, value in answers.items():
        if code not in codes:
            raise ValidationError(f"“{code}” is not a question of this pulse.")
        if value is None:
            continue
        if not isinstance(value, int) or not 1 <= value <= inst.points:
            raise ValidationError(f"Answers are from 1 to {inst.points}.")
        clean_answers[code] = value
    if not clean_answers and not comment:
        raise ValidationError("Answer at least one question, or choose Later.")
    clean_comment = _check_comment(db, actor, comment, inst)
    with db.write() as s:
        # Locked for the transaction: of two sends (a double click, two screens) one wins.
        inv = s.get(PulseInvitation, invitation_id, with_for_update=True)
        if inv is None or inv.person_id != actor.person_id:
            raise NotFound("That pulse is not yours.")
        if inv.status != "pending":
            raise ValidationError("This pulse has already been answered. Thank you.")
        inv.status = "done"
        inv.postponed_until = None
        unit = s.get(Unit, actor.unit_id)
        assert unit is not None
        anonymity.release_pulse(
            s,
            unit,
            {
                "instrument_key": inst.key,
                "instrument_version": inst.version,
                "milestone_day": inv.milestone_day,
                "answers": clean_answers,
                "comment": clean_comment,
            },
            local_now=local_now,
        )
    # Nothing is released here: an anonymous report's batch leaving now would leave
    # at the moment of this newcomer's answer (see anonymity.release_due).


# -- results -----------------------------------------------------------------------------
@dataclass
class GroupResult:
    """One published row. Every figure is over complete answers; ``n`` counts all."""

    label: str
    n: int
    hidden: bool
    complete: int = 0
    scale_mean: float | None = None
    favourable_share: float | None = None
    favourable_n: int = 0  # item answers behind the share
    item_means: dict[str, float] = field(default_factory=dict)


@dataclass
class PeriodResult:
    period: str
    first_day: dt.date
    last_day: dt.date
    groups: list[GroupResult]
    total: GroupResult
    comments: list[str]
    comments_hidden: bool
    notes: list[str]
    min_size: int = 0  # the minimum group size this quarter is published with


@dataclass
class Results:
    min_size: int
    comment_min: int
    periods: list[PeriodResult]  # closed quarters, newest first
    open_period: str
    open_period_closes: dt.date
    notes: list[str]


@dataclass(frozen=True)
class Answer:
    """A released answer as the results read it."""

    milestone_day: int | None
    period: str | None
    answers: dict[str, int]
    comment: str | None


def comment_min(min_size: int) -> int:
    return max(COMMENT_MIN, min_size)


def is_complete(answers: dict[str, Any], inst: Instrument) -> bool:
    return all(answers.get(i.code) is not None for i in inst.items)


def group_label(milestone: int | None) -> str:
    return POOLED_LABEL if milestone is None else f"Day {milestone}"


def tabulate(period: str, rows: list[Answer], inst: Instrument, min_size: int) -> PeriodResult:
    """Everything published for one closed quarter, suppressed (pure; no database).

    The screen, the CSV export and the weekly report all print what this returns;
    tests/test_disclosure.py proves with linear algebra that nothing hidden in it can
    be worked out, alone or together with every other quarter.
    """
    buckets: dict[str, list[Answer]] = {}
    for r in rows:
        buckets.setdefault(group_label(r.milestone_day), []).append(r)
    sizes = {g: (len(v), sum(is_complete(a.answers, inst) for a in v)) for g, v in buckets.items()}
    hidden = suppression.hidden_cells(sizes, min_size)
    groups = [
        _aggregate(g, buckets[g], inst, hidden=g in hidden) for g in sorted(buckets, key=_sort_key)
    ]
    total = _aggregate(
        "All milestones", rows, inst, hidden=not suppression.total_shown_multi(sizes, min_size)
    )
    notes = []
    if total.hidden:
        notes.append(
            f"Nothing is shown for {period}: fewer than {min_size} answers, or fewer than "
            f"{min_size} complete answers, were received in it."
        )
    elif hidden:
        notes.append(
            f"{count(len(hidden), 'group')} hidden in {period}: a group is shown only with at "
            f"least {min_size} answers and {min_size} complete answers, and further groups are "
            "hidden so that no hidden group can be worked out from the total."
        )
    partial = total.n - total.complete
    if not total.hidden and partial:
        notes.append(
            f"{count(partial, 'partial answer')} {verb(partial, 'is', 'are')} counted but "
            "left out of every mean and share."
        )
    if not total.hidden and any(r.milestone_day is None for r in rows):
        notes.append(
            f"“{POOLED_LABEL}”: answers from milestones that fewer than {min_size} people "
            "answered in the quarter are kept without their milestone."
        )
    texts = [r.comment for r in rows if r.comment]
    needed = comment_min(min_size)
    comments_hidden = bool(texts) and (len(texts) < needed or total.hidden)
    comments: list[str] = []
    if texts and not comments_hidden:
        # An order that follows neither the order of answering nor the groups.
        comments = sorted(texts, key=lambda t: hashlib.sha256(t.encode()).hexdigest())
    elif comments_hidden:
        notes.append(
            f"Comments for {period} are hidden: they are shown only when there are at least "
            f"{needed} of them in the quarter."
        )
    first, last = quarter_bounds(period)
    return PeriodResult(
        period, first, last, groups, total, comments, comments_hidden, notes, min_size
    )


def publish(
    rows: list[Answer],
    today: dt.date,
    inst: Instrument,
    min_size: int,
    first_k: dict[str, int] | None = None,
) -> list[PeriodResult]:
    """What is published on ``today``: every quarter closed by then, newest first (pure).

    An answer's quarter is the quarter in which it was sent, so nothing can join a
    quarter after it has closed: every later publication repeats the same figures.
    ``first_k`` holds the minimum group size each quarter was first published with;
    a quarter published now for the first time is added to it. A quarter is always
    published with the larger of that and ``min_size``, so lowering the unit's
    minimum never shows a group that was hidden (raising it may hide more).
    """
    first_k = {} if first_k is None else first_k
    by_period: dict[str, list[Answer]] = {}
    for r in rows:
        if r.period is not None and quarter_bounds(r.period)[1] < today:
            by_period.setdefault(r.period, []).append(r)
    out = []
    for p in sorted(by_period, reverse=True):
        first_k.setdefault(p, min_size)
        out.append(tabulate(p, by_period[p], inst, max(min_size, first_k[p])))
    return out


def _first_published(db: Database, unit_id: int) -> dict[str, int]:
    with db.read() as s:
        return {
            p: int(k)
            for p, k in s.execute(
                select(PulsePublication.period, PulsePublication.min_size).where(
                    PulsePublication.unit_id == unit_id
                )
            )
        }


def _record_first_published(db: Database, unit_id: int, new: dict[str, int]) -> None:
    """Keep the minimum group size of each quarter's first publication (the first wins)."""
    if not new:
        return
    with db.write() as s:
        have = set(
            s.scalars(
                select(PulsePublication.period).where(
                    PulsePublication.unit_id == unit_id, PulsePublication.period.in_(list(new))
                )
            )
        )
        for period, k in new.items():
            if period not in have:
                s.add(PulsePublication(unit_id=unit_id, period=period, min_size=k))


@audit.requires("pulse.results")
def results(db: Database, actor: Actor, *, today: dt.date | None = None) -> Results:
    """Every closed quarter's suppressed figures, newest first; the open quarter waits."""
    if today is None:
        anonymity.release_due(db)  # never with a past date: a closed quarter stays closed
    today = today or dt.date.today()
    inst = instrument()
    with db.read() as s:
        unit = s.get(Unit, actor.unit_id)
        assert unit is not None
        min_size = unit.min_group_size
        people_count = s.scalar(
            select(func.count(Person.id)).where(Person.unit_id == actor.unit_id, Person.active)
        )
        raw = s.execute(
            select(
                PulseResponse.milestone_day,
                PulseResponse.period,
                PulseResponse.answers,
                PulseResponse.comment,
            ).where(
                PulseResponse.unit_id == actor.unit_id, PulseResponse.instrument_key == inst.key
            )
        ).all()
    rows = [Answer(m, p, dict(a or {}), c) for m, p, a, c in raw]
    open_period = quarter_of(today)
    closes = quarter_bounds(open_period)[1] + dt.timedelta(days=1)
    first_k = _first_published(db, actor.unit_id)
    known = dict(first_k)
    periods = publish(rows, today, inst, min_size, first_k)
    _record_first_published(db, actor.unit_id, {p: k for p, k in first_k.items() if p not in known})
    notes = [
        f"Results are published per quarter once it has closed, so that a figure never "
        f"changes after it is shown. {open_period} is published on {dates.day(closes)}."
    ]
    if int(people_count or 0) < min_size:
        notes.insert(
            0,
            f"This unit has fewer than {min_size} people, the smallest group shown: no pulse "
            "result can be shown without identifying someone.",
        )
    kept_higher = [p.period for p in periods if p.min_size > min_size]
    if kept_higher:
        notes.append(
            f"{', '.join(kept_higher)}: shown with the minimum group size each was first "
            f"published with, which is larger than {min_size}, so that lowering it never "
            "shows what was hidden."
        )
    if any(r.period is None for r in rows):
        notes.append(
            f"Some answers came from quarters in which fewer than {min_size} newcomers had "
            "answered in all; they are kept without a quarter and never shown."
        )
    return Results(min_size, comment_min(min_size), periods, open_period, closes, notes)


def _sort_key(label: str) -> tuple[int, str]:
    m = re.fullmatch(r"Day (\d+)", label)
    return (int(m.group(1)), "") if m else (10_000, label)


def _aggregate(label: str, rows: list[Answer], inst: Instrument, *, hidden: bool) -> GroupResult:
    if hidden:
        return GroupResult(label, 0, True)  # not even its size leaves the service
    result = GroupResult(label, len(rows), False)
    specs = inst.scale_specs
    complete = [r.answers for r in rows if is_complete(r.answers, inst)]
    result.complete = len(complete)
    if not complete:
        return result
    scores = [scoring.scale_score(a, specs, points=inst.points) for a in complete]
    result.scale_mean = sum(x for x in scores if x is not None) / len(complete)
    favourable = sum(
        scoring.favourable(
            a[spec.code], reverse=spec.reverse, points=inst.points, threshold=inst.favourable_from
        )
        for a in complete
        for spec in specs
    )
    result.favourable_n = len(complete) * len(specs)
    result.favourable_share = favourable / result.favourable_n
    result.item_means = {
        item.code: sum(
            scoring.item_value(a[item.code], reverse=item.reverse, points=inst.points)
            for a in complete
        )
        / len(complete)
        for item in inst.items
    }
    return result


EXPORT_HEADER = [
    "quarter",
    "first_day",
    "last_day",
    "group",
    "answers",
    "complete_answers",
    "scale_mean",
    "favourable_share",
    "favourable_item_answers",
]


@audit.requires(None)
def export_rows(db: Database, actor: Actor) -> tuple[list[str], list[list[Any]]]:
    """The same suppressed figures as the screen, every closed quarter, for CSV."""
    res = results(db, actor)
    inst = instrument()
    header = [*EXPORT_HEADER, *[f"mean_{i.code}" for i in inst.items]]
    out: list[list[Any]] = []
    for p in res.periods:
        for g in [*p.groups, p.total]:
            lead = [p.period, p.first_day.isoformat(), p.last_day.isoformat(), g.label]
            if g.hidden:
                out.append(
                    [*lead, f"hidden: fewer than {p.min_size} or hidden", "", "", "", ""]
                    + ["" for _ in inst.items]
                )
                continue
            out.append(
                [
                    *lead,
                    g.n,
                    g.complete,
                    _r(g.scale_mean),
                    _r(g.favourable_share),
                    g.favourable_n,
                    *[_r(g.item_means.get(i.code)) for i in inst.items],
                ]
            )
    return header, out


def _r(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"
