"""Units, people and roles: the unit's settings, its people and what each may do.

PINs and sign-in sessions live in ``signin``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrohuddle.services import audit, edits, signin, validation
from hrohuddle.services.errors import NotFound, ValidationError, ValidationErrors
from hrohuddle.services.permissions import ROLES, Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.unit_models import (
    Person,
    PersonRole,
    Unit,
    utcnow,
)

#: The longest name a person can have.
NAME_MAX = 80


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class UnitSettings:
    id: int
    code: str
    name: str
    huddle_target_minutes: int
    idle_lock_minutes: int
    min_group_size: int
    pulse_milestones: list[int]
    areas: list[str]
    day_shift_start: str
    night_shift_start: str
    feedback_target_pct: int = 90  # reporters who hear back within 7 days, per cent


@dataclass(frozen=True)
class PersonRow:
    id: int
    display_name: str
    profession: str
    is_learner: bool
    programme: str | None
    start_date: dt.date | None
    roles: tuple[str, ...]
    active: bool
    has_pin: bool
    #: Until when sign-in waits after wrong PINs (None when it does not).
    waits_until: dt.datetime | None = None
    wrong_pins: int = 0


@dataclass
class PersonInput:
    display_name: str
    profession: str
    roles: list[str]
    is_learner: bool = False
    programme: str | None = None
    start_date: dt.date | None = None
    active: bool = True
    pin: str | None = None


def list_units(db: Database) -> list[UnitRow]:
    with db.read() as s:
        return [UnitRow(u.id, u.code, u.name) for u in s.scalars(select(Unit).order_by(Unit.code))]


def _validate_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,15}", code):
        raise ValidationError(
            "The unit code is 1 to 16 letters, digits or dashes, for example 4W or ICU-2.", "code"
        )
    return code


def _validate_person(p: PersonInput) -> tuple[str, str]:
    name = validation.text(p.display_name, "The name", field="display_name", max_len=NAME_MAX)
    assert name is not None
    professions = unit_vocabulary().keys("professions")
    profession = validation.choice(p.profession, professions, "a profession", field="profession")
    if not p.roles:
        raise ValidationError("Give this person at least one role.", "roles")
    for role in p.roles:
        if role not in ROLES:
            raise ValidationError(f"“{role}” is not a role.", "roles")
    if p.programme is not None and len(p.programme) > 120:
        raise ValidationError(
            "The programme name is too long (120 characters at most).", "programme"
        )
    return name, profession


def check_person(data: PersonInput, *, new: bool) -> None:
    """Every problem with the person as typed at once (name, roles, PIN...), each for
    its field, as ValidationErrors; nothing when it can be saved."""
    problems: list[tuple[str, str]] = []
    try:
        _validate_person(data)
    except ValidationError as exc:
        problems.append((exc.field or "display_name", exc.message))
    if data.pin:
        try:
            signin.validate_pin(data.pin)
        except ValidationError as exc:
            problems.append(("pin", exc.message))
    elif new:
        problems.append(("pin", "Give the new person a PIN they can sign in with."))
    if len(problems) == 1:
        raise ValidationError(problems[0][1], problems[0][0])
    if problems:
        raise ValidationErrors(problems)


def create_unit(
    db: Database,
    *,
    code: str,
    name: str,
    admin: PersonInput,
) -> Actor:
    """Create a unit and its first admin (first run, or a new unit on a shared server)."""
    code = _validate_code(code)
    unit_name = validation.text(name, "The unit name", field="name", max_len=120)
    if "admin" not in admin.roles:
        admin.roles = [*admin.roles, "admin"]
    person_name, profession = _validate_person(admin)
    pin = signin.validate_pin(admin.pin or "")
    pin_hash = signin.hash_pin(db, pin)
    with db.write() as s:
        if s.scalar(select(Unit.id).where(Unit.code == code)) is not None:
            raise ValidationError(f"There is already a unit with the code {code}.", "code")
        unit = Unit(code=code, name=unit_name, areas=list(unit_vocabulary().data["default_areas"]))
        s.add(unit)
        s.flush()
        person = Person(
            unit_id=unit.id,
            display_name=person_name,
            profession=profession,
            is_learner=admin.is_learner,
            start_date=admin.start_date,
            pin_hash=pin_hash,
            roles=[PersonRole(role=r) for r in sorted(set(admin.roles))],
        )
        s.add(person)
        s.flush()
        audit.record(s, "unit.created", actor_id=person.id, unit_id=unit.id, target=code)
        return signin.actor_for(
            person, signin.open_session(s, person, signin.workstation_name(), None)
        )


def unit_settings(db: Database, unit_id: int) -> UnitSettings:
    with db.read() as s:
        u = s.get(Unit, unit_id)
        if u is None:
            raise NotFound("That unit does not exist.")
        return UnitSettings(
            u.id,
            u.code,
            u.name,
            u.huddle_target_minutes,
            u.idle_lock_minutes,
            u.min_group_size,
            [int(x) for x in u.pulse_milestones],
            [str(x) for x in u.areas],
            u.day_shift_start,
            u.night_shift_start,
            u.feedback_target_pct,
        )


@audit.requires("unit.configure")
def update_unit_settings(
    db: Database, actor: Actor, /, *, expected_version: int | None = None, **changes: Any
) -> UnitSettings:
    """Change the unit's settings; each change is checked and audited.

    With ``expected_version`` (``edits.unit_version`` when the form was filled), a save
    made after someone else's is refused with what they changed.
    """
    checks = {
        "name": lambda v: validation.text(v, "The unit name", field="name", max_len=120),
        "huddle_target_minutes": lambda v: _int_range(v, 5, 60, "The huddle target length"),
        "idle_lock_minutes": lambda v: _int_range(v, 1, 120, "The idle lock time"),
        "min_group_size": lambda v: _int_range(
            v, 3, 50, "The minimum group size", why=" Below 3, answers could identify people."
        ),
        "feedback_target_pct": lambda v: _int_range(
            v,
            50,
            100,
            "The target for reporters who hear back within 7 days",
            why=" It is a per cent of reports, for example 90.",
        ),
        "pulse_milestones": _milestones,
        "areas": _areas,
    }
    from hrohuddle.services import loop_measure

    if "min_group_size" in changes:
        # The size in force until now is noted first: learner figures of weeks that
        # ended under it keep it, whatever it becomes (and the new one after the save).
        loop_measure.note_group_size(db, actor.unit_id)
    with db.write() as s:
        unit = s.get(Unit, actor.unit_id)
        if unit is None:
            raise NotFound("That unit does not exist.")
        for key in changes:
            if key not in checks:
                raise ValidationError(f"“{key}” is not a unit setting.")
        clean = {key: checks[key](value) for key, value in changes.items()}
        edits.check(
            unit.version,
            expected_version,
            "the unit's settings",
            [(key.replace("_", " "), getattr(unit, key), value) for key, value in clean.items()],
        )
        changed = {}
        for key, value in clean.items():
            if getattr(unit, key) != value:
                setattr(unit, key, value)
                changed[key] = value
        if changed:
            unit.version += 1
            audit.record(s, "unit.settings_changed", actor=actor, detail=changed)
    if "min_group_size" in changed:
        loop_measure.note_group_size(db, actor.unit_id)
    return unit_settings(db, actor.unit_id)


def _int_range(value: Any, lo: int, hi: int, label: str, why: str = "") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label} must be a whole number.") from None
    if not lo <= number <= hi:
        raise ValidationError(f"{label} must be between {lo} and {hi}.{why}")
    return number


def _milestones(value: Any) -> list[int]:
    days = sorted({_int_range(v, 1, 730, "A pulse milestone (days after starting)") for v in value})
    if not days:
        raise ValidationError("Give at least one pulse milestone.")
    return days


def _areas(value: Any) -> list[str]:
    areas = []
    for v in value:
        name = validation.text(str(v), "An area name", field="areas", max_len=60, required=False)
        if name and name not in areas:
            areas.append(name)
    return areas


@audit.requires(None)
def list_people(db: Database, actor: Actor, *, include_inactive: bool = False) -> list[PersonRow]:
    """Everyone on the actor's unit (names, professions and roles)."""
    with db.read() as s:
        q = select(Person).where(Person.unit_id == actor.unit_id).order_by(Person.display_name)
        if not include_inactive:
            q = q.where(Person.active.is_(True))
        # Programmes, start dates and sign-in trouble are for those who manage people or
        # precept learners; everyone else needs names, professions and roles only.
        details = actor.can("people.manage") or actor.can("observation.view_all")
        now = utcnow()
        return [
            PersonRow(
                p.id,
                p.display_name,
                p.profession,
                p.is_learner,
                p.programme if details else None,
                p.start_date if details else None,
                tuple(sorted(r.role for r in p.roles)),
                p.active,
                p.pin_hash is not None,
                p.locked_until if details and p.locked_until and p.locked_until > now else None,
                p.failed_attempts if details else 0,
            )
            for p in s.scalars(q)
        ]


@audit.requires("people.manage")
def save_person(
    db: Database,
    actor: Actor,
    data: PersonInput,
    person_id: int | None = None,
    *,
    expected_version: int | None = None,
) -> int:
    """Add a person (with a PIN) or change one; role changes are audited.

    With ``expected_version`` (``edits.person_version`` when the form was filled), a
    change saved after someone else's is refused with what they changed.
    """
    check_person(data, new=person_id is None)
    name, profession = _validate_person(data)
    pin_hash = signin.hash_pin(db, data.pin) if data.pin else None
    roles = sorted(set(data.roles))
    with db.write() as s:
        clash = s.scalar(
            select(Person.id).where(
                Person.unit_id == actor.unit_id,
                Person.display_name == name,
                Person.id != (person_id or 0),
            )
        )
        if clash is not None:
            raise ValidationError(
                f"Someone on this unit is already called “{name}”. "
                "Add an initial to tell them apart.",
                "display_name",
            )
        if person_id is None:
            person = Person(unit_id=actor.unit_id, display_name=name, profession=profession)
            s.add(person)
            old_roles: list[str] = []
        else:
            found = s.get(Person, person_id)
            if found is None or found.unit_id != actor.unit_id:
                raise NotFound("That person is not on this unit.")
            person = found
            old_roles = sorted(r.role for r in person.roles)
            edits.check(
                person.version,
                expected_version,
                f"{person.display_name}'s details",
                [
                    ("the name", person.display_name, name),
                    ("the profession", person.profession, profession),
                    ("the roles", ", ".join(old_roles), ", ".join(roles)),
                    ("active", person.active, data.active),
                ],
            )
            person.version += 1
            if person.id == actor.person_id and "admin" in old_roles and "admin" not in roles:
                raise ValidationError(
                    "You cannot remove your own admin role; ask another admin.", "roles"
                )
            if "admin" in old_roles and person.active and ("admin" not in roles or not data.active):
                _keep_an_admin(s, person)
        person.display_name = name
        person.profession = profession
        person.is_learner = data.is_learner
        person.programme = (data.programme or "").strip() or None
        person.start_date = data.start_date
        person.active = data.active
        if pin_hash:
            person.pin_hash = pin_hash
            person.failed_attempts = 0
            person.locked_until = None
        if old_roles != roles:
            person.roles = [PersonRole(role=r) for r in roles]
        s.flush()
        if person_id is None:
            audit.record(
                s,
                "person.added",
                actor=actor,
                target=f"person:{person.id}",
                detail={"roles": roles},
            )
        else:
            audit.record(s, "person.changed", actor=actor, target=f"person:{person.id}")
            if pin_hash:
                audit.record(s, "person.pin_reset", actor=actor, target=f"person:{person.id}")
        if old_roles != roles and person_id is not None:
            audit.record(
                s,
                "person.roles_changed",
                actor=actor,
                target=f"person:{person.id}",
                detail={"from": old_roles, "to": roles},
            )
        return person.id


def _keep_an_admin(s: Session, person: Person) -> None:
    """Refuse to leave the unit without an active admin (nobody could manage it)."""
    others = s.scalar(
        select(func.count(Person.id))
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(
            Person.unit_id == person.unit_id,
            Person.id != person.id,
            Person.active.is_(True),
            PersonRole.role == "admin",
        )
    )
    if not others:
        raise ValidationError(
            f"{person.display_name} is the unit's only admin. Make someone else an admin "
            "first, or nobody could manage people and settings.",
            "roles",
        )


def find_person(db: Database, unit_id: int, name: str) -> int:
    """The person on the unit called ``name`` (case and spacing ignored), for IT's commands."""
    return find_person_named(db, unit_id, name)[0]


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_person_named(db: Database, unit_id: int, name: str) -> tuple[int, str]:
    """The id and the name as stored of the person called ``name`` (case and spacing ignored)."""
    wanted = " ".join(name.split()).casefold()
    with db.read() as s:
        everyone = [
            (int(pid), str(shown))
            for pid, shown in s.execute(
                select(Person.id, Person.display_name).where(Person.unit_id == unit_id)
            )
        ]
    found = [
        (pid, shown) for pid, shown in everyone if " ".join(shown.split()).casefold() == wanted
    ]
    if found:
        return found[0]
    # Part of a name ("Ben") is never taken for one person; the ones it could be are named.
    partly = sorted(
        shown
        for _pid, shown in everyone
        if wanted
        and any(
            " ".join(words).casefold().startswith(wanted)
            for words in (shown.split()[i:] for i in range(len(shown.split())))
        )
    )
    if len(partly) > 1:
        raise NotFound(
            f"“{name}” matches several people on this unit: {', '.join(partly)}. "
            "Give the whole name."
        )
    if partly:
        raise NotFound(
            f"Nobody on this unit is called “{name}”; did you mean {partly[0]}? "
            "Give the whole name."
        )
    raise NotFound(f"Nobody on this unit is called “{name}”. Check the spelling.")
