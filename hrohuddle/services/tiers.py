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

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, dates, shifts, validation
from hrohuddle.services.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import Escalation, Person, Tier, TierRole, Unit

DEPARTMENT = 2
HOSPITAL = 3
LEVEL_WORDS = {DEPARTMENT: "department", HOSPITAL: "hospital"}

#: A tier's roles, as its people read them. The tier's huddle is led by its leader_role.
TIER_ROLES: dict[str, str] = {
    "department_lead": "department lead",
    "duty_manager": "duty manager",
    "executive_on_call": "executive on call",
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


def units_under(s: Session, tier_id: int) -> list[int]:
    """Every unit in a tier: a department's own, or all the hospital's departments'."""
    ids = {tier_id}
    frontier = [tier_id]
    while frontier:
        children = s.scalars(select(Tier.id).where(Tier.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return list(s.scalars(select(Unit.id).where(Unit.tier_id.in_(ids)).order_by(Unit.code)).all())


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
    """Add a department (level 2, in a hospital) or the hospital (level 3)."""
    require_shared(db)
    _require_it(actor)
    code = _code(code)
    title = validation.text(name, "The tier's name", field="name", max_len=120)
    if level not in LEVEL_WORDS:
        raise ValidationError("A tier is a department (2) or the hospital (3).", "level")
    when = shifts.format_hm(shifts.parse_hm(huddle_time))
    days = sorted(set(huddle_days or [1, 2, 3, 4, 5]))
    if not days or not set(days) <= set(range(1, 8)):
        raise ValidationError("A tier's huddle days are weekdays 1 (Monday) to 7.", "huddle_days")
    if not 5 <= int(huddle_target_minutes) <= 60:
        raise ValidationError("A tier's huddle lasts 5 to 60 minutes.", "huddle_target_minutes")
    role = _leader_role(
        leader_role or ("department_lead" if level == DEPARTMENT else "executive_on_call")
    )
    with db.write() as s:
        if s.scalar(select(Tier.id).where(Tier.code == code)) is not None:
            raise ValidationError(f"There is already a tier with the code {code}.", "code")
        parent: Tier | None = None
        if parent_code:
            parent = tier_by_code(s, parent_code)
            if parent.level <= level:
                raise ValidationError(
                    f"{parent.name} is not above a {LEVEL_WORDS[level]}: a department sits "
                    "in the hospital.",
                    "parent",
                )
        tier = Tier(
            code=code,
            name=title,
            level=level,
            parent_id=parent.id if parent else None,
            huddle_time=when,
            huddle_days=days,
            huddle_target_minutes=int(huddle_target_minutes),
            leader_role=role,
        )
        s.add(tier)
        s.flush()
        audit.record(s, "tier.created", actor=actor, target=f"tier:{code}")
        return next(r for r in _rows(s) if r.id == tier.id)


@audit.requires("unit.configure")
def place_unit(db: Database, actor: Actor, unit_code: str, tier_code: str | None) -> int:
    """Put a unit in a department, or move it to another (None: out of any).

    Its history stays with the unit (figures are the unit's, wherever it sits); its
    open escalations move with it to the new department. Returns how many moved.
    """
    require_shared(db)
    _require_it(actor)
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
        unit.tier_id = tier.id if tier else None
        moved = 0
        if before is not None and tier is not None and before != tier.id:
            for esc in s.scalars(
                select(Escalation).where(
                    Escalation.unit_id == unit.id,
                    Escalation.tier_id == before,
                    Escalation.status == "open",
                )
            ):
                esc.tier_id = tier.id
                moved += 1
        audit.record(
            s,
            "tier.unit_placed",
            actor=actor,
            unit_id=unit.id,
            target=f"unit:{unit.code}",
            detail={"tier": tier.code if tier else None, "escalations_moved": moved},
        )
        return moved


@audit.requires("unit.configure")
def grant_role(db: Database, actor: Actor, tier_code: str, person_id: int, role: str) -> None:
    """Give a person a role on a tier (one role per person and tier; a second replaces it)."""
    require_shared(db)
    _require_it(actor)
    role = _leader_role(role)
    with db.write() as s:
        tier = tier_by_code(s, tier_code)
        if s.get(Person, person_id) is None:
            raise NotFound("There is no such person.")
        held = s.get(TierRole, (person_id, tier.id))
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


@audit.requires("unit.configure")
def revoke_role(db: Database, actor: Actor, tier_code: str, person_id: int) -> bool:
    require_shared(db)
    _require_it(actor)
    with db.write() as s:
        tier = tier_by_code(s, tier_code)
        held = s.get(TierRole, (person_id, tier.id))
        if held is None:
            return False
        s.delete(held)
        audit.record(
            s,
            "tier.role_revoked",
            actor=actor,
            target=f"person:{person_id}",
            detail={"tier": tier.code},
        )
        return True


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
    "TIER_ROLES",
    "NeedsSharedServer",
    "TierRow",
    "TierScope",
    "create_tier",
    "days_words",
    "department_of",
    "grant_role",
    "huddle_due",
    "list_tiers",
    "my_tiers",
    "next_huddle_due",
    "next_tier",
    "parse_days",
    "place_unit",
    "require_shared",
    "require_tier",
    "revoke_role",
    "scope_of",
    "shared",
    "tier_by_code",
    "tiers_above",
    "units_under",
]
