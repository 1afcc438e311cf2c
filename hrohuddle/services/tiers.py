"""Tiers above the units: departments (tier 2) and the hospital (tier 3).

On a shared PostgreSQL server a hospital sets out its departments and the hospital
as data: each tier has a huddle at its own time, of its own target length, led by
its own role. Units belong to a department; a department to the hospital. People
hold tier roles beside their unit roles (``TierRole``): a tier's leaders read its
aggregates and escalations, never a single report or pulse answer.

A unit on its own SQLite file keeps one tier, its own: every tier feature says so
plainly (``require_shared``).

This module owns the structure and the scope; services.escalations, .department and
.lessons build on it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, dates, shifts, validation
from hrohuddle.services.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Escalation,
    Person,
    SharedLesson,
    Tier,
    TierHuddle,
    TierPlacement,
    TierRole,
    Unit,
)

DEPARTMENT = 2
HOSPITAL = 3
LEVEL_WORDS = {DEPARTMENT: "department", HOSPITAL: "hospital"}

#: A tier's roles, as its people read them. The tier's huddle is led by its leader_role.
TIER_ROLES: dict[str, str] = {
    "department_lead": "department lead",
    "duty_manager": "duty manager",
    "executive_on_call": "executive on call",
}

#: The roles each level takes. A department is led by its department lead. The duty
#: manager covers the whole site (out of hours, every department at once), so the role
#: sits on the hospital, from where it already reads every department below it.
ROLES_OF_LEVEL: dict[int, tuple[str, ...]] = {
    2: ("department_lead",),
    3: ("duty_manager", "executive_on_call"),
}

NEEDS_SHARED_SERVER = (
    "Departments and hospital huddles need the hospital's shared server: this "
    "workstation keeps the unit on its own file, so the unit is its only tier. Ask IT "
    "to move the unit to the shared PostgreSQL server to escalate to a department, "
    "see the department view or share lessons."
)

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$")
_HM = re.compile(r"^[0-9]{2}:[0-9]{2}$")


class NeedsSharedServer(ServiceError):
    """A tier feature was asked of a unit on its own SQLite file."""

    def __init__(self) -> None:
        super().__init__(NEEDS_SHARED_SERVER)


def shared(db: Database) -> bool:
    """Whether this database can hold tiers: a shared server, not one workstation's file."""
    return not db.is_sqlite


def require_shared(db: Database) -> None:
    if not shared(db):
        raise NeedsSharedServer()


@dataclass(frozen=True)
class TierRow:
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None
    parent_code: str | None
    huddle_time: str
    huddle_target_minutes: int
    leader_role: str
    #: The units directly in it (a department), by code.
    unit_codes: tuple[str, ...]
    version: int = 1
    #: The days its huddle meets, ISO weekdays (1 Monday .. 7 Sunday).
    huddle_days: tuple[int, ...] = (1, 2, 3, 4, 5)

    @property
    def days_words(self) -> str:
        return days_words(self.huddle_days)

    @property
    def level_words(self) -> str:
        return LEVEL_WORDS.get(self.level, f"tier {self.level}")

    @property
    def leader_words(self) -> str:
        return TIER_ROLES.get(self.leader_role, self.leader_role)


@dataclass(frozen=True)
class TierScope:
    """One tier a person holds a role on."""

    tier_id: int
    code: str
    name: str
    level: int
    role: str


# ---------------------------------------------------------------- reading


def _rows(s: Session) -> list[TierRow]:
    tiers = s.scalars(select(Tier).order_by(Tier.level.desc(), Tier.code)).all()
    codes = {t.id: t.code for t in tiers}
    units: dict[int, list[str]] = {}
    for unit in s.scalars(select(Unit).where(Unit.tier_id.is_not(None)).order_by(Unit.code)):
        units.setdefault(unit.tier_id or 0, []).append(unit.code)
    return [
        TierRow(
            t.id,
            t.code,
            t.name,
            t.level,
            t.parent_id,
            codes.get(t.parent_id) if t.parent_id else None,
            t.huddle_time,
            t.huddle_target_minutes,
            t.leader_role,
            tuple(units.get(t.id, ())),
            t.version,
            tuple(t.huddle_days or ()),
        )
        for t in tiers
    ]


def list_tiers(db: Database) -> list[TierRow]:
    """Every tier, the hospital first, each with its units. Names and times only: open
    to anyone signed in on the server (the lessons feed and the escalate box name them)."""
    if not shared(db):
        return []
    with db.read() as s:
        return _rows(s)


def tier_by_code(s: Session, code: str) -> Tier:
    tier = s.scalar(select(Tier).where(Tier.code == code.strip()))
    if tier is None:
        raise NotFound(f"There is no tier with the code {code.strip()!r}.")
    return tier


def department_of(s: Session, unit_id: int) -> Tier | None:
    """The department a unit is in now, or None."""
    tier_id = s.scalar(select(Unit.tier_id).where(Unit.id == unit_id))
    return s.get(Tier, tier_id) if tier_id is not None else None


def next_tier(s: Session, *, unit_id: int | None = None, tier_id: int | None = None) -> Tier | None:
    """Where an escalation goes next: a unit's department, a department's parent."""
    if unit_id is not None:
        return department_of(s, unit_id)
    tier = s.get(Tier, tier_id) if tier_id is not None else None
    return s.get(Tier, tier.parent_id) if tier is not None and tier.parent_id else None


def units_under(s: Session, tier_id: int, on: dt.date | None = None) -> list[int]:
    """Every unit in a tier: a department's own, or all the hospital's departments'.

    Without ``on``, the units in it now. With ``on``, the units that were in it that day
    (``TierPlacement``): a department's past weeks keep the units it had then. A unit
    placed before placements were kept counts from the day it was created.
    """
    ids = {tier_id}
    frontier = [tier_id]
    while frontier:
        children = s.scalars(select(Tier.id).where(Tier.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    if on is None:
        return list(
            s.scalars(select(Unit.id).where(Unit.tier_id.in_(ids)).order_by(Unit.code)).all()
        )
    placed = set(
        s.scalars(
            select(TierPlacement.unit_id).where(
                TierPlacement.tier_id.in_(ids),
                TierPlacement.since <= on,
                TierPlacement.until.is_(None) | (TierPlacement.until > on),
            )
        )
    )
    never_placed = s.execute(
        select(Unit.id, Unit.created_at).where(
            Unit.tier_id.in_(ids), ~exists().where(TierPlacement.unit_id == Unit.id)
        )
    ).all()
    placed.update(uid for uid, created in never_placed if dates.local_date(created) <= on)
    if not placed:
        return []
    return list(s.scalars(select(Unit.id).where(Unit.id.in_(placed)).order_by(Unit.code)).all())


def week_day(monday: dt.date, today: dt.date) -> dt.date:
    """The day that decides which units a department's week shows: the week's last day,
    or ``today`` while the week is still running."""
    return min(monday + dt.timedelta(days=6), today)


def tiers_above(s: Session, unit_id: int) -> list[Tier]:
    """The unit's department, then its parent, up to the hospital."""
    out: list[Tier] = []
    tier = department_of(s, unit_id)
    while tier is not None and tier not in out:
        out.append(tier)
        tier = s.get(Tier, tier.parent_id) if tier.parent_id else None
    return out


def scope_of(s: Session, person_id: int) -> list[TierScope]:
    """The tiers a person holds a role on, read afresh (a revoked role ends at once)."""
    rows = s.execute(
        select(Tier.id, Tier.code, Tier.name, Tier.level, TierRole.role)
        .join(TierRole, TierRole.tier_id == Tier.id)
        .where(TierRole.person_id == person_id)
        .order_by(Tier.level, Tier.code)
    ).all()
    return [TierScope(*r) for r in rows]


@audit.requires(None)
def my_tiers(db: Database, actor: Actor) -> list[TierScope]:
    """The tiers the signed-in person leads or reads; none on a single workstation."""
    if not shared(db) or actor.person_id == 0:
        return []
    with db.read() as s:
        return scope_of(s, actor.person_id)


def require_tier(s: Session, actor: Actor, tier_id: int) -> TierScope | None:
    """Refuse unless ``actor`` holds a role on ``tier_id`` or on a tier above it.

    The command line (person 0, acting for IT) may read every tier; it returns None.
    """
    if actor.person_id == 0:
        return None
    held = {t.tier_id: t for t in scope_of(s, actor.person_id)}
    tier = s.get(Tier, tier_id)
    seen: set[int] = set()
    while tier is not None and tier.id not in seen:
        if tier.id in held:
            return held[tier.id]
        seen.add(tier.id)
        tier = s.get(Tier, tier.parent_id) if tier.parent_id else None
    raise PermissionDenied(
        "Only the tier's leaders may see its escalations and figures.", action="tier.view"
    )


# ---------------------------------------------------------------- setting out


def _code(code: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise ValidationError(
            "A tier code is 1 to 16 letters, digits, hyphens or underscores, such as MED or HOSP.",
            "code",
        )
    return code


def parse_days(text: str) -> list[int]:
    """The days a tier meets, from "mon-fri", "every day" or "mon,wed,fri"."""
    words = text.strip().lower().replace(" ", "")
    if words in ("everyday", "daily", "mon-sun"):
        return [1, 2, 3, 4, 5, 6, 7]
    days: set[int] = set()
    for part in filter(None, words.split(",")):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValidationError(
                f"“{text}” is not a set of days: give mon-fri, every day, or days such as "
                "mon,wed,fri.",
                "huddle_days",
            )
        a = DAY_NAMES.index(first) + 1
        b = DAY_NAMES.index(last) + 1 if last else a
        if b < a:
            raise ValidationError(
                f"“{part}” runs backwards: give the first day first, such as mon-fri.",
                "huddle_days",
            )
        days.update(range(a, b + 1))
    if not days:
        raise ValidationError("A tier's huddle meets on at least one day.", "huddle_days")
    return sorted(days)


def days_words(days: tuple[int, ...] | list[int]) -> str:
    """The days in words: "Monday to Friday", "every day", "Monday, Wednesday, Friday"."""
    ordered = sorted(set(days))
    if ordered == list(range(1, 8)):
        return "every day"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{_DAY_WORDS[ordered[0] - 1]} to {_DAY_WORDS[ordered[-1] - 1]}"
    return ", ".join(_DAY_WORDS[d - 1] for d in ordered)


def _leader_role(role: str) -> str:
    if role not in TIER_ROLES:
        raise ValidationError(
            f"“{role}” is not a tier role: choose one of {', '.join(TIER_ROLES)}.", "leader_role"
        )
    return role


def _fitting_role(role: str, level: int, name: str, field: str = "role") -> str:
    """A role the tier's level takes: refused in plain words otherwise."""
    role = _leader_role(role)
    fits = ROLES_OF_LEVEL.get(level, ())
    if role not in fits:
        words = " or ".join(f"the {TIER_ROLES[r]}" for r in fits)
        raise ValidationError(
            f"A {LEVEL_WORDS.get(level, 'tier')} has no {TIER_ROLES[role]}: {name} takes {words}.",
            field,
        )
    return role


def _huddle_time(text: str) -> str:
    """A tier's huddle time, strictly HH:MM ("09:05", not "9:5")."""
    if not _HM.match((text or "").strip()):
        raise ValidationError(
            f"“{text}” is not a time of day as HH:MM, such as 09:00.", "huddle_time"
        )
    return shifts.format_hm(shifts.parse_hm(text))


def _minutes(value: int) -> int:
    if not 5 <= int(value) <= 60:
        raise ValidationError("A tier's huddle lasts 5 to 60 minutes.", "huddle_target_minutes")
    return int(value)


def _days(days: list[int] | None) -> list[int]:
    out = sorted(set(days or [1, 2, 3, 4, 5]))
    if not out or not set(out) <= set(range(1, 8)):
        raise ValidationError("A tier's huddle days are weekdays 1 (Monday) to 7.", "huddle_days")
    return out


def _hospital(s: Session) -> Tier | None:
    return s.scalar(select(Tier).where(Tier.level == HOSPITAL).order_by(Tier.id).limit(1))


def _parent(s: Session, parent_code: str, level: int) -> Tier:
    parent = tier_by_code(s, parent_code)
    if level == HOSPITAL:
        raise ValidationError(
            f"The hospital is the top tier: it sits in nothing, so leave out “in {parent.code}”.",
            "parent",
        )
    if parent.level != HOSPITAL:
        raise ValidationError(
            f"{parent.name} is a department, not the hospital: a department sits in the hospital.",
            "parent",
        )
    return parent


def _require_it(actor: Actor) -> None:
    """The hospital's tiers are set out by IT on the server, not by one unit's admin."""
    if actor.person_id != 0:
        raise PermissionDenied(
            "The hospital's departments and tiers are set out by IT on the server "
            "(hrohuddle tier), not from one unit's workstation.",
            action="unit.configure",
        )


@audit.requires("unit.configure")
def create_tier(
    db: Database,
    actor: Actor,
    *,
    code: str,
    name: str,
    level: int,
    parent_code: str | None = None,
    huddle_time: str = "09:00",
    huddle_target_minutes: int = 15,
    leader_role: str | None = None,
    huddle_days: list[int] | None = None,
) -> TierRow:
    """Add a department (level 2, in the hospital) or the hospital (level 3).

    One hospital per server. A department named without a parent goes into the hospital
    when there is one (the returned row's ``parent_code`` says so). The leader role must
    be one the level takes (``ROLES_OF_LEVEL``).
    """
    require_shared(db)
    _require_it(actor)
    code = _code(code)
    title = validation.text(name, "The tier's name", field="name", max_len=120)
    if level not in LEVEL_WORDS:
        raise ValidationError("A tier is a department (2) or the hospital (3).", "level")
    when = _huddle_time(huddle_time)
    days = _days(huddle_days)
    minutes = _minutes(huddle_target_minutes)
    role = _fitting_role(
        leader_role or ("department_lead" if level == DEPARTMENT else "executive_on_call"),
        level,
        f"the {LEVEL_WORDS[level]}",
        "leader_role",
    )
    with db.write() as s:
        if s.scalar(select(Tier.id).where(Tier.code == code)) is not None:
            raise ValidationError(f"There is already a tier with the code {code}.", "code")
        parent: Tier | None = None
        if parent_code:
            parent = _parent(s, parent_code, level)
        hospital = _hospital(s)
        if level == HOSPITAL and hospital is not None:
            raise ValidationError(
                f"This server already has its hospital, {hospital.code} ({hospital.name}): "
                "one hospital per server. Change it with hrohuddle tier change.",
                "level",
            )
        if parent is None and level == DEPARTMENT:
            parent = hospital
        tier = Tier(
            code=code,
            name=title,
            level=level,
            parent_id=parent.id if parent else None,
            huddle_time=when,
            huddle_days=days,
            huddle_target_minutes=minutes,
            leader_role=role,
        )
        s.add(tier)
        s.flush()
        audit.record(s, "tier.created", actor=actor, target=f"tier:{code}")
        return next(r for r in _rows(s) if r.id == tier.id)


@audit.requires("unit.configure")
def place_unit(
    db: Database,
    actor: Actor,
    unit_code: str,
    tier_code: str | None,
    *,
    on: dt.date | None = None,
) -> int:
    """Put a unit in a department, or move it to another (None: out of any), from ``on``
    (default today). Returns how many open escalations moved with it.

    Its history stays with the unit: figures are the unit's, wherever it sits, and each
    placement is kept with its dates (``TierPlacement``), so a department's past weeks
    keep the units it had then. A unit's first department counts from the day the unit
    was created: there was no other before it. Its open escalations move with it to the
    new department. Placing a unit where it already is changes nothing.
    """
    require_shared(db)
    _require_it(actor)
    day = on or dt.date.today()
    with db.write() as s:
        unit = s.scalar(select(Unit).where(Unit.code == unit_code.strip()))
        if unit is None:
            raise NotFound(f"There is no unit with the code {unit_code.strip()!r}.")
        tier = tier_by_code(s, tier_code) if tier_code else None
        if tier is not None and tier.level != DEPARTMENT:
            raise ValidationError(
                f"{tier.name} is not a department: a unit sits in a department.", "tier"
            )
        before = unit.tier_id
        after = tier.id if tier else None
        if before == after:
            return 0
        created = dates.local_date(unit.created_at)
        ever_placed = bool(s.scalar(select(exists().where(TierPlacement.unit_id == unit.id))))
        current = s.scalar(
            select(TierPlacement).where(
                TierPlacement.unit_id == unit.id, TierPlacement.until.is_(None)
            )
        )
        if current is None and before is not None:
            # Placed before placements were kept: in it since the unit began.
            current = TierPlacement(unit_id=unit.id, tier_id=before, since=min(created, day))
            s.add(current)
            ever_placed = True
        if current is not None:
            if current.since >= day:
                s.delete(current)  # placed and moved the same day: it was never there
            else:
                current.until = day
        if after is not None:
            since = day if ever_placed else min(created, day)
            s.add(TierPlacement(unit_id=unit.id, tier_id=after, since=since))
        unit.tier_id = after
        moved = 0
        if before is not None and after is not None:
            for esc in s.scalars(
                select(Escalation).where(
                    Escalation.unit_id == unit.id,
                    Escalation.tier_id == before,
                    Escalation.status == "open",
                )
            ):
                esc.tier_id = after
                moved += 1
        audit.record(
            s,
            "tier.unit_placed",
            actor=actor,
            unit_id=unit.id,
            target=f"unit:{unit.code}",
            detail={
                "tier": tier.code if tier else None,
                "on": day.isoformat(),
                "escalations_moved": moved,
            },
        )
        return moved


def department_code_of(db: Database, unit_code: str) -> str | None:
    """The code of the department a unit is in now (None: in none)."""
    require_shared(db)
    with db.read() as s:
        unit = s.scalar(select(Unit).where(Unit.code == unit_code.strip()))
        if unit is None:
            raise NotFound(f"There is no unit with the code {unit_code.strip()!r}.")
        tier = s.get(Tier, unit.tier_id) if unit.tier_id is not None else None
        return tier.code if tier else None


def units_of_person_named(db: Database, name: str) -> list[str]:
    """The codes of the units with someone called ``name`` (case and spacing ignored):
    IT names a tier's leader without knowing which unit they work on."""
    wanted = " ".join(name.split()).casefold()
    with db.read() as s:
        rows = s.execute(
            select(Unit.code, Person.display_name).join(Person, Person.unit_id == Unit.id)
        ).all()
    return sorted({code for code, shown in rows if " ".join(shown.split()).casefold() == wanted})


@audit.requires("unit.configure")
def change_tier(
    db: Database,
    actor: Actor,
    code: str,
    *,
    name: str | None = None,
    parent_code: str | None = None,
    huddle_time: str | None = None,
    huddle_target_minutes: int | None = None,
    leader_role: str | None = None,
    huddle_days: list[int] | None = None,
) -> TierRow:
    """Correct a tier: its name, the hospital it is in, its huddle's time, length, days
    and leader. What is left out stays as it was; the same rules as ``create_tier``."""
    require_shared(db)
    _require_it(actor)
    with db.write() as s:
        tier = tier_by_code(s, code)
        changed: dict[str, object] = {}
        if name is not None:
            title = validation.text(name, "The tier's name", field="name", max_len=120)
            if title is None:
                raise ValidationError("A tier needs a name.", "name")
            tier.name = title
            changed["name"] = title
        if parent_code is not None:
            tier.parent_id = _parent(s, parent_code, tier.level).id
            changed["in"] = parent_code.strip()
        if huddle_time is not None:
            tier.huddle_time = _huddle_time(huddle_time)
            changed["time"] = tier.huddle_time
        if huddle_target_minutes is not None:
            tier.huddle_target_minutes = _minutes(huddle_target_minutes)
            changed["minutes"] = tier.huddle_target_minutes
        if huddle_days is not None:
            tier.huddle_days = _days(huddle_days)
            changed["days"] = list(tier.huddle_days)
        if leader_role is not None:
            tier.leader_role = _fitting_role(leader_role, tier.level, tier.name, "leader_role")
            changed["leader"] = tier.leader_role
        if changed:
            tier.version = (tier.version or 1) + 1
            audit.record(s, "tier.changed", actor=actor, target=f"tier:{tier.code}", detail=changed)
        s.flush()
        return next(r for r in _rows(s) if r.id == tier.id)


@audit.requires("unit.configure")
def remove_tier(db: Database, actor: Actor, code: str) -> int:
    """Remove a tier set out by mistake: only while nothing holds it (units now or in
    the past, departments, escalations, huddles, lessons). Its roles go with it;
    returns how many. Otherwise refused, saying exactly what holds it."""
    require_shared(db)
    _require_it(actor)
    with db.write() as s:
        tier = tier_by_code(s, code)

        held: list[str] = []
        units_now = s.scalars(select(Unit.code).where(Unit.tier_id == tier.id)).all()
        if units_now:
            held.append(f"its units ({', '.join(sorted(units_now))}): move them with tier place")
        else:
            past = s.scalars(
                select(Unit.code)
                .join(TierPlacement, TierPlacement.unit_id == Unit.id)
                .where(TierPlacement.tier_id == tier.id)
            ).all()
            if past:
                held.append(
                    f"the units it held before ({', '.join(sorted(set(past)))}), whose past "
                    "weeks it still reports"
                )
        below = s.scalars(select(Tier.code).where(Tier.parent_id == tier.id)).all()
        if below:
            held.append(f"its departments ({', '.join(sorted(below))})")
        for count_of, words in (
            (
                s.scalar(select(func.count(Escalation.id)).where(Escalation.tier_id == tier.id)),
                ("escalation", "escalations"),
            ),
            (
                s.scalar(select(func.count(TierHuddle.id)).where(TierHuddle.tier_id == tier.id)),
                ("huddle", "huddles"),
            ),
            (
                s.scalar(
                    select(func.count(SharedLesson.id)).where(SharedLesson.tier_id == tier.id)
                ),
                ("shared lesson", "shared lessons"),
            ),
        ):
            if count_of:
                held.append(f"{count_of} {words[0] if count_of == 1 else words[1]}")
        if held:
            raise ValidationError(
                f"{tier.code} ({tier.name}) cannot be removed: it holds "
                + "; ".join(held)
                + ". Correct it with hrohuddle tier change instead.",
                "tier",
            )
        roles = s.scalars(select(TierRole).where(TierRole.tier_id == tier.id)).all()
        for r in roles:
            s.delete(r)
        s.delete(tier)
        audit.record(
            s,
            "tier.removed",
            actor=actor,
            target=f"tier:{tier.code}",
            detail={"name": tier.name, "roles_removed": len(roles)},
        )
        return len(roles)


@audit.requires("unit.configure")
def grant_role(db: Database, actor: Actor, tier_code: str, person_id: int, role: str) -> bool:
    """Give a person a role on a tier (one role per person and tier; a second replaces
    it). The role must be one the tier's level takes. Returns False when the person
    already held that very role (nothing changed)."""
    require_shared(db)
    _require_it(actor)
    _leader_role(role)
    with db.write() as s:
        tier = tier_by_code(s, tier_code)
        role = _fitting_role(role, tier.level, f"{tier.name} ({tier.code})")
        if s.get(Person, person_id) is None:
            raise NotFound("There is no such person.")
        held = s.get(TierRole, (person_id, tier.id))
        if held is not None and held.role == role:
            return False
        if held is None:
            s.add(TierRole(person_id=person_id, tier_id=tier.id, role=role))
        else:
            held.role = role
        audit.record(
            s,
            "tier.role_granted",
            actor=actor,
            target=f"person:{person_id}",
            detail={"tier": tier.code, "role": role},
        )
        return True


@audit.requires("unit.configure")
def revoke_role(
    db: Database, actor: Actor, tier_code: str, person_id: int, role: str | None = None
) -> str | None:
    """Take a person's role on a tier away; returns the role taken (None: they held
    none). With ``role``, only that role: refused when they hold another."""
    require_shared(db)
    _require_it(actor)
    if role is not None:
        _leader_role(role)
    with db.write() as s:
        tier = tier_by_code(s, tier_code)
        held = s.get(TierRole, (person_id, tier.id))
        if held is None:
            return None
        if role is not None and held.role != role:
            raise ValidationError(
                f"That person is the {TIER_ROLES.get(held.role, held.role)} of {tier.code}, "
                f"not the {TIER_ROLES[role]}: nothing was taken away.",
                "role",
            )
        taken = held.role
        s.delete(held)
        audit.record(
            s,
            "tier.role_revoked",
            actor=actor,
            target=f"person:{person_id}",
            detail={"tier": tier.code, "role": taken},
        )
        return taken


def next_huddle_due(tier: Tier | TierRow, after: dt.datetime) -> dt.datetime:
    """When the tier's first huddle after ``after`` (naive UTC) is due, on a day it meets."""
    meets = set(tier.huddle_days or range(1, 8))
    day = dates.to_local(after).date()
    for _ in range(15):
        if day.isoweekday() in meets:
            due = huddle_due(tier, day)
            if due >= after:
                return due
        day += dt.timedelta(days=1)
    return huddle_due(tier, day)


def huddle_due(tier: Tier | TierRow, day: dt.date) -> dt.datetime:
    """When the tier's huddle is due on ``day``, in naive UTC as huddles' times are kept
    (the tier's huddle time is local wall-clock time)."""
    return dates.to_utc(dt.datetime.combine(day, shifts.parse_hm(tier.huddle_time)))


__all__ = [
    "DEPARTMENT",
    "HOSPITAL",
    "NEEDS_SHARED_SERVER",
    "ROLES_OF_LEVEL",
    "TIER_ROLES",
    "NeedsSharedServer",
    "TierRow",
    "TierScope",
    "change_tier",
    "create_tier",
    "days_words",
    "department_code_of",
    "department_of",
    "grant_role",
    "huddle_due",
    "list_tiers",
    "my_tiers",
    "next_huddle_due",
    "next_tier",
    "parse_days",
    "place_unit",
    "remove_tier",
    "require_shared",
    "require_tier",
    "revoke_role",
    "scope_of",
    "shared",
    "tier_by_code",
    "tiers_above",
    "units_of_person_named",
    "units_under",
    "week_day",
]
