"""Preceptors' observations of learners: logged, acknowledged, and seen only by those who may.

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
from hrohuddle.services import audit, edits, validation
from hrohuddle.services.errors import (
    NotFound,
    PermissionDenied,
    ResourceFileError,
    ValidationError,
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


@audit.requires(None)
def my_learners(db: Database, actor: Actor) -> list[tuple[int, str]]:
    """Learners the actor precepts today (everyone's learners, for a manager)."""
    today = dt.date.today()
    with db.read() as s:
        q = select(Person.id, Person.display_name).where(
            Person.unit_id == actor.unit_id, Person.is_learner.is_(True), Person.active.is_(True)
        )
        if not actor.can("observation.view_all"):
            q = q.where(
                Person.id.in_(
                    select(PreceptorAssignment.learner_id).where(
                        PreceptorAssignment.preceptor_id == actor.person_id,
                        PreceptorAssignment.starts_on <= today,
                        (PreceptorAssignment.ends_on.is_(None))
                        | (PreceptorAssignment.ends_on >= today),
                    )
                )
            )
        return [(int(i), str(n)) for i, n in s.execute(q.order_by(Person.display_name))]


@audit.requires(None)
def assign(
    db: Database, actor: Actor, preceptor_id: int, learner_id: int, starts_on: dt.date | None = None
) -> None:
    """Pair a preceptor with a learner (managers and admins)."""
    if not (actor.can("observation.view_all") or actor.can("people.manage")):
        audit.require(actor, "observation.view_all")
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
            raise ValidationError(f"{lea.display_name} is not marked as a learner.")
        if pre.id == lea.id:
            raise ValidationError("A preceptor cannot precept themselves.")
        s.add(
            PreceptorAssignment(
                preceptor_id=pre.id, learner_id=lea.id, starts_on=starts_on or dt.date.today()
            )
        )
        audit.record(
            s,
            "preceptor.assigned",
            actor=actor,
            target=f"person:{lea.id}",
            detail={"preceptor": pre.id},
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
    """A preceptor logs what they saw a learner do."""
    today = today or dt.date.today()
    data = scale_data(unit_scale(db, actor.unit_id))
    levels = [int(lv["value"]) for lv in data["levels"]]
    if rating not in levels:
        raise ValidationError(
            f"The rating is one of {min(levels)} to {max(levels)} on the scale.", "rating"
        )
    validation.choice(setting, [x["key"] for x in data["settings"]], "a setting", field="setting")
    allowed_domains = [x["key"] for x in data["ipec_domains"]]
    if not domains:
        raise ValidationError("Choose at least one competency domain.", "domains")
    for d in domains:
        validation.choice(d, allowed_domains, "competency domains from the list", field="domains")
    catalogue = behaviour_catalogue(db)
    for b in behaviours:
        if b not in catalogue:
            raise ValidationError(
                f"“{b}” is not a behaviour on the unit's checklists.", "behaviours"
            )
    if observed_on > today:
        raise ValidationError("The observation date is in the future.", "observed_on")
    clean_strengths = validation.text(
        strengths,
        "Strengths",
        field="strengths",
        max_len=2000,
        required=False,
        check_identifiers=True,
    )
    clean_next = validation.text(
        next_steps,
        "Next steps",
        field="next_steps",
        max_len=2000,
        required=False,
        check_identifiers=True,
    )
    if learner_id == actor.person_id:
        raise ValidationError("You cannot log an observation of yourself.", "learner")
    with db.write() as s:
        learner = s.get(Person, learner_id)
        if learner is None or learner.unit_id != actor.unit_id or not learner.is_learner:
            raise ValidationError("Choose a learner on this unit.", "learner")
        if learner.start_date and observed_on < learner.start_date:
            raise ValidationError(
                f"{learner.display_name} started on {learner.start_date:%d %B %Y}; the "
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


def _may_see(s: Session, actor: Actor, learner_id: int) -> bool:
    if actor.person_id == learner_id:
        return True
    if actor.can("observation.view_all"):
        return True
    return actor.can("observation.log") and _precepts(
        s, actor.person_id, learner_id, dt.date.today()
    )


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
        rows = s.scalars(
            select(LearnerObservation)
            .where(LearnerObservation.learner_id == learner_id)
            .order_by(LearnerObservation.observed_on.desc(), LearnerObservation.id.desc())
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
    ratings = sorted((r.observed_on, r.rating) for r in rows)
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
