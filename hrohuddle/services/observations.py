"""Preceptors' observations of learners: logged, acknowledged, and seen only by those who may.

Over 600 lines because the preceptor pairings kept here decide who may log and who may see
an observation (``_precepts``, ``_may_see``), so logging, reading and pairing share one
rule.

Visibility: a learner sees their own; a preceptor those of the learners they
precept; a manager everyone's on the unit. Viewing and printing are audited.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrohuddle.paths import resources_dir
from hrohuddle.services import audit, dates, edits, validation
from hrohuddle.services.errors import (
    NotFound,
    PermissionDenied,
    ResourceFileError,
    ValidationError,
    ValidationErrors,
)
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import load_yaml
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    AppMeta,
    ChecklistItem,
    ChecklistTemplate,
    LearnerObservation,
    Person,
    PreceptorAssignment,
    utcnow,
)


@functools.cache
def scale_data(scale_key: str | None = None) -> dict[str, Any]:
    """The entrustment scale in use, with settings, IPEC domains and observation contexts.

    resources/scales/entrustment.yaml holds several scales; ``scale_key`` picks one
    (default: the file's ``default_scale``). The result carries that scale's ``key``,
    ``title``, ``short`` (its source), ``ward_note`` and ``levels`` at the top.
    """
    data = load_yaml(resources_dir() / "scales" / "entrustment.yaml")
    scales = {str(sc["key"]): sc for sc in data.get("scales", [])}
    chosen = scale_key or str(data.get("default_scale", ""))
    if chosen not in scales:
        raise ResourceFileError(f"The data file entrustment.yaml has no scale “{chosen}”.")
    merged = dict(data)
    merged.update({k: scales[chosen][k] for k in ("key", "title", "short", "ward_note", "levels")})
    return merged


def scales() -> list[tuple[str, str]]:
    """Every entrustment scale in the data file: (key, title with its source)."""
    data = load_yaml(resources_dir() / "scales" / "entrustment.yaml")
    return [(str(sc["key"]), f"{sc['title']} — {sc['short']}") for sc in data.get("scales", [])]


def settings(*, checklists: bool = False) -> list[tuple[str, str]]:
    """The one vocabulary of settings, (key, label) in the data file's order.

    Observations, checklist sessions, the learner summary and the exports all name
    a setting by these keys and labels (resources/scales/entrustment.yaml,
    ``settings``); ``checklists`` keeps the ones a checklist session can be watched
    in (``checklist_settings``, keys of the same list).
    """
    data = load_yaml(resources_dir() / "scales" / "entrustment.yaml")
    pairs = [(str(x["key"]), str(x["label"])) for x in data.get("settings") or []]
    if not checklists:
        return pairs
    wanted = [str(k) for k in data.get("checklist_settings") or []]
    known = dict(pairs)
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ResourceFileError(
            "The data file entrustment.yaml names checklist settings that are not among "
            f"its settings: {', '.join(unknown)}."
        )
    return [(k, known[k]) for k in wanted]


def setting_label(key: str) -> str:
    """A setting's name as every screen and report writes it (the key when unknown)."""
    return dict(settings()).get(key, key)


def _scale_setting(unit_id: int) -> str:
    # Kept in app_meta, keyed by unit, so the choice needs no change to the units table.
    return f"unit:{unit_id}:entrustment_scale"


def unit_scale(db: Database, unit_id: int) -> str:
    """The scale the unit logs new observations on (the data file's default until chosen)."""
    with db.read() as s:
        row = s.get(AppMeta, _scale_setting(unit_id))
    if row is not None and row.value in dict(scales()):
        return row.value
    return str(scale_data()["key"])


@audit.requires("unit.configure")
def choose_scale(db: Database, actor: Actor, scale_key: str) -> None:
    """The unit admin chooses the scale for new observations; earlier ones keep theirs."""
    validation.choice(scale_key, [k for k, _t in scales()], "an entrustment scale", field="scale")
    with db.write() as s:
        row = s.get(AppMeta, _scale_setting(actor.unit_id))
        if row is None:
            s.add(AppMeta(key=_scale_setting(actor.unit_id), value=scale_key))
        else:
            row.value = scale_key
        audit.record(
            s, "unit.settings_changed", actor=actor, detail={"entrustment_scale": scale_key}
        )


def scale_levels(scale_key: str) -> dict[int, str]:
    """Value -> label of a scale, to read an observation with the scale it was made on."""
    try:
        levels = scale_data(scale_key)["levels"]
    except ResourceFileError:
        levels = scale_data()["levels"]
    return {int(lv["value"]): str(lv["label"]) for lv in levels}


@dataclass(frozen=True)
class ObservationRow:
    id: int
    learner_id: int
    learner: str
    preceptor_id: int
    preceptor: str
    observed_on: dt.date
    setting: str
    domains: list[str]
    behaviours: list[str]
    rating: int
    strengths: str | None
    next_steps: str | None
    acknowledged_at: dt.datetime | None
    learner_reply: str | None
    scale_key: str = "o_score"
    version: int = 1


@dataclass
class Progress:
    learner: str
    start_date: dt.date | None
    count: int
    by_domain: dict[str, int]
    ratings: list[tuple[dt.date, int]]
    latest: int | None
    trend: str
    never_observed: list[str] = field(default_factory=list)


def behaviour_catalogue(db: Database) -> dict[str, str]:
    """Code -> text of every behaviour on the active checklists (the shared catalogue)."""
    with db.read() as s:
        rows = s.execute(
            select(ChecklistItem.code, ChecklistItem.text)
            .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistItem.template_id)
            .where(ChecklistTemplate.status == "active", ChecklistItem.is_overall.is_(False))
            .order_by(ChecklistTemplate.key, ChecklistTemplate.version, ChecklistItem.position)
        ).all()
    return {code: text for code, text in rows}


def _precepts(s: Session, preceptor_id: int, learner_id: int, on: dt.date) -> bool:
    return (
        s.scalar(
            select(PreceptorAssignment.id).where(
                PreceptorAssignment.preceptor_id == preceptor_id,
                PreceptorAssignment.learner_id == learner_id,
                PreceptorAssignment.starts_on <= on,
                (PreceptorAssignment.ends_on.is_(None)) | (PreceptorAssignment.ends_on >= on),
            )
        )
        is not None
    )


@dataclass(frozen=True)
class LearnerChoice:
    """A learner the actor may open, and whether the pairing is still current."""

    person_id: int
    name: str
    current: bool
    ended_on: dt.date | None = None


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    preceptor_id: int
    preceptor: str
    learner_id: int
    learner: str
    starts_on: dt.date
    ends_on: dt.date | None

    def current(self, today: dt.date) -> bool:
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)


@audit.requires(None)
def my_learners(db: Database, actor: Actor) -> list[tuple[int, str]]:
    """Learners the actor precepts today (everyone's learners, for a manager)."""
    return [(c.person_id, c.name) for c in learner_choices(db, actor) if c.current]


@audit.requires(None)
def learner_choices(db: Database, actor: Actor) -> list[LearnerChoice]:
    """Current learners first (by name), then past ones with the day the pairing ended.

    A manager sees every active learner on the unit as current.
    """
    today = dt.date.today()
    with db.read() as s:
        if actor.can("observation.view_all"):
            q = select(Person.id, Person.display_name).where(
                Person.unit_id == actor.unit_id,
                Person.is_learner.is_(True),
                Person.active.is_(True),
            )
            return [
                LearnerChoice(int(i), str(n), True)
                for i, n in s.execute(q.order_by(Person.display_name))
            ]
        rows = s.execute(
            select(
                PreceptorAssignment.learner_id,
                Person.display_name,
                PreceptorAssignment.starts_on,
                PreceptorAssignment.ends_on,
            )
            .join(Person, Person.id == PreceptorAssignment.learner_id)
            .where(
                PreceptorAssignment.preceptor_id == actor.person_id,
                Person.unit_id == actor.unit_id,
                PreceptorAssignment.starts_on <= today,
            )
        ).all()
    current: dict[int, str] = {}
    past: dict[int, tuple[str, dt.date]] = {}
    for lid, name, _start, ends in rows:
        if ends is None or ends >= today:
            current[int(lid)] = str(name)
        else:
            last = past.get(int(lid))
            if last is None or ends > last[1]:
                past[int(lid)] = (str(name), ends)
    out = [LearnerChoice(i, n, True) for i, n in sorted(current.items(), key=lambda kv: kv[1])]
    out += [
        LearnerChoice(i, n, False, ended)
        for i, (n, ended) in sorted(past.items(), key=lambda kv: kv[1][0])
        if i not in current
    ]
    return out


def _assignment_rows(s: Session, unit_id: int) -> list[AssignmentRow]:
    names = dict(
        s.execute(select(Person.id, Person.display_name).where(Person.unit_id == unit_id)).all()
    )
    rows = s.scalars(
        select(PreceptorAssignment)
        .join(Person, Person.id == PreceptorAssignment.learner_id)
        .where(Person.unit_id == unit_id)
        .order_by(PreceptorAssignment.starts_on.desc(), PreceptorAssignment.id.desc())
    ).all()
    return [
        AssignmentRow(
            a.id,
            a.preceptor_id,
            str(names.get(a.preceptor_id, "?")),
            a.learner_id,
            str(names.get(a.learner_id, "?")),
            a.starts_on,
            a.ends_on,
        )
        for a in rows
    ]


@audit.requires("preceptor.assign")
def assignments(db: Database, actor: Actor, *, current_only: bool = False) -> list[AssignmentRow]:
    """Every pairing on the unit, newest first (only those running today if asked)."""
    today = dt.date.today()
    with db.read() as s:
        rows = _assignment_rows(s, actor.unit_id)
    return [r for r in rows if r.current(today)] if current_only else rows


@audit.requires("preceptor.assign")
def assign(
    db: Database,
    actor: Actor,
    preceptor_id: int,
    learner_id: int,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> int:
    """Pair a preceptor with a learner from ``starts_on`` (today) until ``ends_on`` (open).

    Refused when the same pair already overlaps those dates. Audited.
    """
    start = starts_on or dt.date.today()
    if ends_on is not None and ends_on < start:
        raise ValidationError("The pairing cannot end before it starts.", "ends_on")
    with db.write() as s:
        pre, lea = s.get(Person, preceptor_id), s.get(Person, learner_id)
        if (
            pre is None
            or lea is None
            or pre.unit_id != actor.unit_id
            or lea.unit_id != actor.unit_id
        ):
            raise NotFound("Both people must be on this unit.")
        if not lea.is_learner:
            raise ValidationError(f"{lea.display_name} is not marked as a learner.", "learner")
        if pre.id == lea.id:
            raise ValidationError("A preceptor cannot precept themselves.", "preceptor")
        if not pre.active or not lea.active:
            raise ValidationError("Both people must be active.", "preceptor")
        overlap = s.scalar(
            select(PreceptorAssignment.id).where(
                PreceptorAssignment.preceptor_id == pre.id,
                PreceptorAssignment.learner_id == lea.id,
                (PreceptorAssignment.ends_on.is_(None)) | (PreceptorAssignment.ends_on >= start),
                *([PreceptorAssignment.starts_on <= ends_on] if ends_on else []),
            )
        )
        if overlap is not None:
            raise ValidationError(
                f"{pre.display_name} already precepts {lea.display_name} on those dates.",
                "preceptor",
            )
        row = PreceptorAssignment(
            preceptor_id=pre.id, learner_id=lea.id, starts_on=start, ends_on=ends_on
        )
        s.add(row)
        s.flush()
        audit.record(
            s,
            "preceptor.assigned",
            actor=actor,
            target=f"person:{lea.id}",
            detail={
                "preceptor": pre.id,
                "assignment": row.id,
                "starts_on": start.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        )
        return row.id


@audit.requires("preceptor.assign")
def end_assignment(
    db: Database, actor: Actor, assignment_id: int, ends_on: dt.date | None = None
) -> None:
    """End a pairing on ``ends_on`` (today); the preceptor keeps the learner as a past one."""
    end = ends_on or dt.date.today()
    with db.write() as s:
        row = s.get(PreceptorAssignment, assignment_id)
        learner = s.get(Person, row.learner_id) if row is not None else None
        if row is None or learner is None or learner.unit_id != actor.unit_id:
            raise NotFound("That pairing is not on this unit.")
        if end < row.starts_on:
            raise ValidationError(
                f"The pairing started on {dates.day(row.starts_on)}; it cannot end before.",
                "ends_on",
            )
        row.ends_on = end
        audit.record(
            s,
            "preceptor.ended",
            actor=actor,
            target=f"person:{row.learner_id}",
            detail={
                "preceptor": row.preceptor_id,
                "assignment": row.id,
                "ends_on": end.isoformat(),
            },
        )


@audit.requires("observation.log")
def log(
    db: Database,
    actor: Actor,
    learner_id: int,
    *,
    observed_on: dt.date,
    setting: str,
    domains: list[str],
    behaviours: list[str],
    rating: int,
    strengths: str | None,
    next_steps: str | None,
    today: dt.date | None = None,
) -> int:
    """A preceptor logs what they saw a learner do.

    Every problem with the input is reported at once (``ValidationErrors``), each
    with the field it belongs to.
    """
    today = today or dt.date.today()
    data = scale_data(unit_scale(db, actor.unit_id))
    problems: list[tuple[str, str]] = []
    levels = [int(lv["value"]) for lv in data["levels"]]
    if rating not in levels:
        problems.append(
            ("rating", f"Choose a rating from {min(levels)} to {max(levels)} on the scale.")
        )
    if setting not in dict(settings()):
        problems.append(("setting", "Choose a setting from the list."))
    allowed_domains = [x["key"] for x in data["ipec_domains"]]
    if not domains:
        problems.append(("domains", "Choose at least one competency domain."))
    elif any(d not in allowed_domains for d in domains):
        problems.append(("domains", "Choose competency domains from the list."))
    catalogue = behaviour_catalogue(db)
    unknown = [b for b in behaviours if b not in catalogue]
    if unknown:
        problems.append(
            ("behaviours", f"“{unknown[0]}” is not a behaviour on the unit's checklists.")
        )
    if observed_on > today:
        problems.append(("observed_on", "The observation date is in the future."))
    clean: dict[str, str | None] = {}
    for key, value, label in (
        ("strengths", strengths, "Strengths"),
        ("next_steps", next_steps, "Next steps"),
    ):
        try:
            clean[key] = validation.text(
                value, label, field=key, max_len=2000, required=False, check_identifiers=True
            )
        except ValidationError as exc:
            problems.append((key, exc.message))
    if learner_id == actor.person_id:
        problems.insert(0, ("learner", "You cannot log an observation of yourself."))
    if problems:
        raise ValidationErrors(problems)
    clean_strengths, clean_next = clean["strengths"], clean["next_steps"]
    with db.write() as s:
        learner = s.get(Person, learner_id)
        if learner is None or learner.unit_id != actor.unit_id or not learner.is_learner:
            raise ValidationError("Choose a learner on this unit.", "learner")
        if learner.start_date and observed_on < learner.start_date:
            raise ValidationError(
                f"{learner.display_name} started on {dates.day(learner.start_date)}; the "
                "observation is dated before that.",
                "observed_on",
            )
        if not _precepts(s, actor.person_id, learner_id, observed_on):
            raise PermissionDenied(
                f"You are not {learner.display_name}'s preceptor on that "
                "date. Ask the manager to pair you."
            )
        obs = LearnerObservation(
            unit_id=actor.unit_id,
            learner_id=learner_id,
            preceptor_id=actor.person_id,
            observed_on=observed_on,
            setting=setting,
            domains=sorted(set(domains)),
            behaviours=list(dict.fromkeys(behaviours)),
            scale_key=str(data["key"]),
            rating=rating,
            strengths=clean_strengths,
            next_steps=clean_next,
        )
        s.add(obs)
        s.flush()
        audit.record(
            s,
            "observation.logged",
            actor=actor,
            target=f"observation:{obs.id}",
            detail={"learner": learner_id},
        )
        return obs.id


def _may_see(s: Session, actor: Actor, learner_id: int) -> str | None:
    """ "all", "own" (a past preceptor: only what they logged) or None."""
    if actor.person_id == learner_id:
        return "all"
    if actor.can("observation.view_all"):
        return "all"
    if not actor.can("observation.log"):
        return None
    if _precepts(s, actor.person_id, learner_id, dt.date.today()):
        return "all"
    ever = s.scalar(
        select(PreceptorAssignment.id).where(
            PreceptorAssignment.preceptor_id == actor.person_id,
            PreceptorAssignment.learner_id == learner_id,
        )
    )
    return "own" if ever is not None else None


@audit.requires(None)
def observations(db: Database, actor: Actor, learner_id: int) -> list[ObservationRow]:
    """A learner's observations, newest first, if the actor may see them (audited)."""
    with db.read() as s:
        learner = s.get(Person, learner_id)
        if learner is None or learner.unit_id != actor.unit_id:
            raise NotFound("That learner is not on this unit.")
        allowed = _may_see(s, actor, learner_id)
    if not allowed:
        raise PermissionDenied(
            "You may see only your own observations, or those of the learners you precept.",
            action="observation.view_all",
        )
    with db.write() as s:
        if actor.person_id != learner_id:
            audit.record(s, "observation.viewed", actor=actor, target=f"person:{learner_id}")
        people = dict(
            s.execute(
                select(Person.id, Person.display_name).where(Person.unit_id == actor.unit_id)
            ).all()
        )
        q = select(LearnerObservation).where(LearnerObservation.learner_id == learner_id)
        if allowed == "own":
            q = q.where(LearnerObservation.preceptor_id == actor.person_id)
        rows = s.scalars(
            q.order_by(LearnerObservation.observed_on.desc(), LearnerObservation.id.desc())
        )
        return [
            ObservationRow(
                o.id,
                o.learner_id,
                people.get(o.learner_id, "?"),
                o.preceptor_id,
                people.get(o.preceptor_id, "?"),
                o.observed_on,
                o.setting,
                list(o.domains or []),
                list(o.behaviours or []),
                o.rating,
                o.strengths,
                o.next_steps,
                o.acknowledged_at,
                o.learner_reply,
                o.scale_key,
                o.version,
            )
            for o in rows
        ]


@audit.requires(None)
def acknowledge(
    db: Database,
    actor: Actor,
    observation_id: int,
    reply: str | None = None,
    *,
    expected_version: int | None = None,
) -> dt.datetime:
    """The learner acknowledges an observation, and may reply; returns when it was.

    With ``expected_version`` (the row's version as shown), an acknowledgement from a
    screen that did not show the latest reply or edit is refused with what changed,
    instead of silently replacing an earlier reply.
    """
    clean = validation.text(
        reply, "Your reply", field="reply", max_len=2000, required=False, check_identifiers=True
    )
    with db.write() as s:
        obs = s.get(LearnerObservation, observation_id)
        if obs is None or obs.unit_id != actor.unit_id:
            raise NotFound("That observation is not on this unit.")
        if obs.learner_id != actor.person_id:
            raise PermissionDenied("Only the learner observed can acknowledge this.")
        edits.check(
            obs.version,
            expected_version,
            "this observation",
            [("your reply", obs.learner_reply, clean or obs.learner_reply)],
            [("the strengths", obs.strengths), ("the next steps", obs.next_steps)],
        )
        obs.acknowledged_at = obs.acknowledged_at or utcnow()
        if clean:
            obs.learner_reply = clean
        audit.record(
            s, "observation.acknowledged", actor=actor, target=f"observation:{observation_id}"
        )
        return obs.acknowledged_at


@audit.requires(None)
def progress(db: Database, actor: Actor, learner_id: int) -> Progress:
    """Observations over the onboarding period: by domain, latest and trend, never observed."""
    rows = observations(db, actor, learner_id)
    with db.read() as s:
        learner = s.get(Person, learner_id)
        assert learner is not None
        name, start = learner.display_name, learner.start_date
    by_domain: dict[str, int] = {}
    seen: set[str] = set()
    for r in rows:
        for d in r.domains:
            by_domain[d] = by_domain.get(d, 0) + 1
        seen.update(r.behaviours)
    # Oldest first; the same day's observations in the order they were logged.
    ratings = [(r.observed_on, r.rating) for r in reversed(rows)]
    trend = "not enough observations yet"
    if len(ratings) >= 3:
        half = len(ratings) // 2
        early = sum(v for _d, v in ratings[:half]) / half
        late = sum(v for _d, v in ratings[half:]) / (len(ratings) - half)
        trend = "rising" if late - early >= 0.5 else "falling" if early - late >= 0.5 else "steady"
    catalogue = behaviour_catalogue(db)
    never = [text for code, text in catalogue.items() if code not in seen]
    return Progress(
        name,
        start,
        len(rows),
        by_domain,
        ratings,
        ratings[-1][1] if ratings else None,
        trend,
        never,
    )
