"""Onboarding psychological-safety pulses, anonymous by construction.

Who has answered (invitations) and what was answered (responses) live in two
tables with nothing joining them: a response has a random id, the week (not the
day or time), the milestone, a start-quarter cohort and a broad profession group,
and nothing in it names the invitation it answers (the two commit together, so an
answer is stored once and the pulse is never offered again after it).
Results are shown only for groups of at least the unit's minimum size, with
complementary suppression (analytics.suppression).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hrohuddle.analytics import scoring, suppression
from hrohuddle.paths import resources_dir
from hrohuddle.services import audit, validation
from hrohuddle.services.errors import NotFound, ResourceFileError, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import load_yaml
from hrohuddle.store.database import Database
from hrohuddle.store.models import Person, PulseInvitation, PulseResponse, Unit

#: A pulse not answered within this many days of its milestone is no longer offered.
OFFER_DAYS = 30
PROFESSION_GROUPS = {"nursing": "Nursing", "medicine": "Medicine"}
OTHER_GROUP = "Allied health and other"


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
    def scale_specs(self) -> list[scoring.ItemSpec]:
        by_code = {i.code: i for i in self.items}
        return [scoring.ItemSpec(c, by_code[c].reverse) for c in self.scale_items]


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


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def cohort_of(start: dt.date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def profession_group(profession: str) -> str:
    return PROFESSION_GROUPS.get(profession, OTHER_GROUP)


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


def due_pulse(db: Database, actor: Actor, *, today: dt.date | None = None) -> Due | None:
    """The earliest pulse due for the actor today (postponed ones come back the next day)."""
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
        if inv is None or (inv.postponed_until and inv.postponed_until > today):
            return None
        return Due(inv.id, inv.milestone_day, inv.due_on)


def postpone(
    db: Database, actor: Actor, invitation_id: int, *, today: dt.date | None = None
) -> None:
    """Ask again tomorrow: postponed, never lost."""
    today = today or dt.date.today()
    with db.write() as s:
        inv = s.get(PulseInvitation, invitation_id)
        if inv is None or inv.person_id != actor.person_id:
            raise NotFound("That pulse is not yours.")
        inv.postponed_until = today + dt.timedelta(days=1)


# -- answering ---------------------------------------------------------------------------
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
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", clean)}
    for name in names:
        parts = [p.lower() for p in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", name)]
        if parts and any(p in words for p in parts):
            raise ValidationError(
                "The comment seems to name someone on the unit. Please leave names out, so "
                "that no one can be identified.",
                "comment",
            )
    return clean


def submit(
    db: Database,
    actor: Actor,
    invitation_id: int,
    answers: dict[str, int | None],
    comment: str | None = None,
    *,
    today: dt.date | None = None,
) -> None:
    """Store the answers with no link to the person, then mark the invitation done."""
    inst = instrument()
    today = today or dt.date.today()
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
    with db.read() as s:
        inv = s.get(PulseInvitation, invitation_id)
        person = s.get(Person, actor.person_id)
        if inv is None or inv.person_id != actor.person_id or person is None:
            raise NotFound("That pulse is not yours.")
        if inv.status == "done":
            raise ValidationError("This pulse has already been answered. Thank you.")
        milestone = inv.milestone_day
        cohort = cohort_of(person.start_date or today)
        group = profession_group(person.profession)
    week = week_start(today)
    # One transaction: a double press or a crash can neither count an answer twice nor
    # leave the pulse pending after its answer is stored. Nothing in either row names
    # the other; they only commit together.
    with db.write() as s:
        inv2 = s.execute(
            select(PulseInvitation).where(PulseInvitation.id == invitation_id).with_for_update()
        ).scalar_one_or_none()
        if inv2 is None:
            raise NotFound("That pulse is not yours.")
        if inv2.status == "done":
            raise ValidationError("This pulse has already been answered. Thank you.")
        s.add(
            PulseResponse(
                id=uuid.uuid4().hex,
                unit_id=actor.unit_id,
                instrument_key=inst.key,
                instrument_version=inst.version,
                milestone_day=milestone,
                cohort=cohort,
                profession_group=group,
                week_start=week,
                answers=clean_answers,
                comment=clean_comment,
            )
        )
        inv2.status = "done"
        inv2.completed_week = week


# -- results -----------------------------------------------------------------------------
@dataclass
class GroupResult:
    label: str
    n: int
    hidden: bool
    complete: int = 0
    scale_mean: float | None = None
    favourable_share: float | None = None
    item_means: dict[str, float] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


@dataclass
class Results:
    by: str
    min_size: int
    groups: list[GroupResult]
    total: GroupResult
    notes: list[str]


def results(db: Database, actor: Actor, by: str = "milestone") -> Results:
    """Aggregates by milestone, cohort or profession group, suppressed below the minimum."""
    audit.authorize(db, actor, "pulse.results")
    if by not in ("milestone", "cohort", "profession"):
        raise ValidationError("Group results by milestone, cohort or profession.")
    inst = instrument()
    with db.read() as s:
        unit = s.get(Unit, actor.unit_id)
        assert unit is not None
        min_size = unit.min_group_size
        rows = s.execute(
            select(
                PulseResponse.milestone_day,
                PulseResponse.cohort,
                PulseResponse.profession_group,
                PulseResponse.answers,
                PulseResponse.comment,
            ).where(
                PulseResponse.unit_id == actor.unit_id, PulseResponse.instrument_key == inst.key
            )
        ).all()
    buckets: dict[str, list[tuple[dict[str, Any], str | None]]] = {}
    for milestone, cohort, group, answers, comment in rows:
        label = {"milestone": f"Day {milestone}", "cohort": cohort, "profession": group}[by]
        buckets.setdefault(label, []).append((answers or {}, comment))
    counts = {k: len(v) for k, v in buckets.items()}
    hidden = suppression.hidden_groups(counts, min_size)
    groups = []
    for label in sorted(buckets, key=_sort_key):
        groups.append(_aggregate(label, buckets[label], inst, hidden=label in hidden))
    everything = [r for v in buckets.values() for r in v]
    total = _aggregate(
        "All", everything, inst, hidden=not suppression.total_shown(counts, min_size)
    )
    notes = []
    if hidden:
        notes.append(
            f"{len(hidden)} group(s) hidden: fewer than {min_size} answers, or hidden so that "
            "a small group cannot be worked out from the total. Pooling more cohorts, or "
            "waiting for more answers, will reveal them."
        )
    partial = sum(g.n - g.complete for g in groups if not g.hidden)
    if partial:
        notes.append(f"{partial} partial answer(s) count in item means but not in scale scores.")
    return Results(by, min_size, groups, total, notes)


def _sort_key(label: str) -> tuple[int, str]:
    m = re.fullmatch(r"Day (\d+)", label)
    return (int(m.group(1)), "") if m else (10_000, label)


def _aggregate(
    label: str, rows: list[tuple[dict[str, Any], str | None]], inst: Instrument, *, hidden: bool
) -> GroupResult:
    result = GroupResult(label, len(rows), hidden)
    if hidden:
        return result
    specs = inst.scale_specs
    scores = []
    favourable = total_answers = 0
    sums: dict[str, list[int]] = {}
    for answers, comment in rows:
        score = scoring.scale_score(answers, specs, points=inst.points)
        if score is not None:
            scores.append(score)
        for spec in specs:
            value = answers.get(spec.code)
            if value is None:
                continue
            total_answers += 1
            favourable += scoring.favourable(
                value, reverse=spec.reverse, points=inst.points, threshold=inst.favourable_from
            )
        for item in inst.items:
            value = answers.get(item.code)
            if value is not None:
                sums.setdefault(item.code, []).append(
                    scoring.item_value(value, reverse=item.reverse, points=inst.points)
                )
        if comment:
            result.comments.append(comment)
    result.complete = len(scores)
    result.scale_mean = sum(scores) / len(scores) if scores else None
    result.favourable_share = favourable / total_answers if total_answers else None
    result.item_means = {k: sum(v) / len(v) for k, v in sums.items()}
    result.comments.sort()  # no order that follows the order of answering
    return result


def export_rows(db: Database, actor: Actor, by: str) -> tuple[list[str], list[list[Any]]]:
    """The same suppressed aggregates as the screen, for CSV."""
    res = results(db, actor, by)
    inst = instrument()
    header = [
        "group",
        "responses",
        "complete",
        "scale_mean",
        "favourable_share",
        *[f"mean_{i.code}" for i in inst.items],
    ]
    out: list[list[Any]] = []
    for g in [*res.groups, res.total]:
        if g.hidden:
            out.append(
                [
                    g.label,
                    f"fewer than {res.min_size} or hidden",
                    "",
                    "",
                    "",
                    *["" for _ in inst.items],
                ]
            )
            continue
        out.append(
            [
                g.label,
                g.n,
                g.complete,
                _r(g.scale_mean),
                _r(g.favourable_share),
                *[_r(g.item_means.get(i.code)) for i in inst.items],
            ]
        )
    return header, out


def _r(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"
