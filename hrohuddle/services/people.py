"""Units, people, roles and sign-in with a PIN."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from hrohuddle.services import audit, edits, validation
from hrohuddle.services.errors import NotFound, SignInRefused, ValidationError
from hrohuddle.services.permissions import ROLES, Actor
from hrohuddle.services.vocabulary import unit_vocabulary
from hrohuddle.store.database import Database
from hrohuddle.store.unit_models import Person, PersonRole, Unit, utcnow

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MAX_FAILURES = 5
LOCK_MINUTES = 15
PIN_MIN, PIN_MAX = 4, 12


@functools.cache
def _hasher() -> PasswordHasher:
    # argon2id, RFC 9106's second recommended option (64 MiB, 3 passes).
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.ID)


def hash_pin(pin: str) -> str:
    return _hasher().hash(pin)


def _pin_matches(stored: str | None, pin: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored:
        # Same work either way, so a missing PIN cannot be told apart by timing.
        _hasher().hash(pin)
        return False
    try:
        return _hasher().verify(stored, pin)
    except (VerificationError, InvalidHashError):
        return False


def validate_pin(pin: str) -> str:
    """A PIN of 4 to 12 digits that is not one digit repeated or a straight run."""
    if not re.fullmatch(r"\d+", pin or ""):
        raise ValidationError("A PIN is made of digits only.", "pin")
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise ValidationError(f"A PIN has {PIN_MIN} to {PIN_MAX} digits.", "pin")
    if len(set(pin)) == 1:
        raise ValidationError("A PIN cannot be one digit repeated; choose another.", "pin")
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):
        raise ValidationError(
            "A PIN cannot be a run of digits like 1234 or 4321; choose another.", "pin"
        )
    return pin


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


@dataclass(frozen=True)
class RosterEntry:
    id: int
    display_name: str
    profession: str
    locked: bool


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


def has_units(db: Database) -> bool:
    with db.read() as s:
        return bool(s.scalar(select(func.count(Unit.id))))


def _validate_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,15}", code):
        raise ValidationError(
            "The unit code is 1 to 16 letters, digits or dashes, for example 4W or ICU-2.", "code"
        )
    return code


def _validate_person(p: PersonInput) -> tuple[str, str]:
    name = validation.text(p.display_name, "The name", field="display_name", max_len=80)
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
    pin = validate_pin(admin.pin or "")
    pin_hash = hash_pin(pin)
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
        return _actor(person)


def _actor(p: Person) -> Actor:
    return Actor(
        person_id=p.id,
        unit_id=p.unit_id,
        display_name=p.display_name,
        profession=p.profession,
        is_learner=p.is_learner,
        roles=frozenset(r.role for r in p.roles),
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
        )


def update_unit_settings(
    db: Database, actor: Actor, *, expected_version: int | None = None, **changes: Any
) -> UnitSettings:
    """Change the unit's settings; each change is checked and audited.

    With ``expected_version`` (``edits.unit_version`` when the form was filled), a save
    made after someone else's is refused with what they changed.
    """
    audit.authorize(db, actor, "unit.configure")
    checks = {
        "name": lambda v: validation.text(v, "The unit name", field="name", max_len=120),
        "huddle_target_minutes": lambda v: _int_range(v, 5, 60, "The huddle target length"),
        "idle_lock_minutes": lambda v: _int_range(v, 1, 120, "The idle lock time"),
        "min_group_size": lambda v: _int_range(
            v, 3, 50, "The minimum group size", why=" Below 3, answers could identify people."
        ),
        "pulse_milestones": _milestones,
        "areas": _areas,
    }
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


def signin_roster(db: Database, unit_id: int) -> list[RosterEntry]:
    """Active people who can sign in, by name."""
    now = utcnow()
    with db.read() as s:
        rows = s.execute(
            select(Person.id, Person.display_name, Person.profession, Person.locked_until)
            .where(Person.unit_id == unit_id, Person.active.is_(True), Person.pin_hash.is_not(None))
            .order_by(Person.display_name)
        ).all()
    return [RosterEntry(r[0], r[1], r[2], bool(r[3] and r[3] > now)) for r in rows]


def sign_in(db: Database, person_id: int, pin: str, *, now: dt.datetime | None = None) -> Actor:
    """The signed-in Actor, or SignInRefused with a message for the person at the screen.

    Five wrong PINs in a row lock the person out for fifteen minutes; the count
    is kept in the database, so a restart does not reset it.
    """
    now = now or utcnow()
    with db.read() as s:
        person = s.get(Person, person_id)
        stored = person.pin_hash if person is not None and person.active else None
        locked_until = person.locked_until if person is not None else None
    if locked_until and locked_until > now:
        minutes = max(1, round((locked_until - now).total_seconds() / 60))
        raise SignInRefused(
            f"Too many wrong PINs. Sign-in is locked for about {minutes} more minute"
            f"{'s' if minutes != 1 else ''}, or until an admin resets the PIN."
        )
    ok = _pin_matches(stored, pin or "")
    with db.write() as s:
        person = s.get(Person, person_id)
        if person is None or not person.active:
            raise SignInRefused("That person cannot sign in here.")
        if not ok:
            person.failed_attempts += 1
            left = MAX_FAILURES - person.failed_attempts
            if left <= 0:
                person.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                person.failed_attempts = 0
                audit.record(s, "signin.locked_out", actor_id=person.id, unit_id=person.unit_id)
                message = (
                    f"Wrong PIN. Sign-in is now locked for {LOCK_MINUTES} minutes; "
                    "an admin can reset the PIN sooner."
                )
            else:
                audit.record(s, "signin.failed", actor_id=person.id, unit_id=person.unit_id)
                message = (
                    f"Wrong PIN. {left} more tr{'ies' if left != 1 else 'y'} before sign-in locks."
                )
        else:
            if not person.roles:
                audit.record(s, "signin.no_role", actor_id=person.id, unit_id=person.unit_id)
                message = "You have no role on this unit yet. Ask the unit admin to give you one."
                ok = False
            else:
                person.failed_attempts = 0
                person.locked_until = None
                audit.record(s, "signin", actor_id=person.id, unit_id=person.unit_id)
                return _actor(person)
    raise SignInRefused(message)


def sign_out(db: Database, actor: Actor, *, reason: str = "signed out") -> None:
    with db.write() as s:
        audit.record(s, "signout", actor=actor, detail={"reason": reason})


def list_people(db: Database, actor: Actor, *, include_inactive: bool = False) -> list[PersonRow]:
    """Everyone on the actor's unit (names, professions and roles)."""
    with db.read() as s:
        q = select(Person).where(Person.unit_id == actor.unit_id).order_by(Person.display_name)
        if not include_inactive:
            q = q.where(Person.active.is_(True))
        return [
            PersonRow(
                p.id,
                p.display_name,
                p.profession,
                p.is_learner,
                p.programme,
                p.start_date,
                tuple(sorted(r.role for r in p.roles)),
                p.active,
                p.pin_hash is not None,
            )
            for p in s.scalars(q)
        ]


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
    audit.authorize(db, actor, "people.manage")
    name, profession = _validate_person(data)
    pin_hash = hash_pin(validate_pin(data.pin)) if data.pin else None
    if person_id is None and pin_hash is None:
        raise ValidationError("Give the new person a PIN they can sign in with.", "pin")
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


def change_own_pin(db: Database, actor: Actor, old_pin: str, new_pin: str) -> None:
    new_pin = validate_pin(new_pin)
    with db.read() as s:
        person = s.get(Person, actor.person_id)
        stored = person.pin_hash if person else None
    if not _pin_matches(stored, old_pin):
        raise ValidationError("Your current PIN is not right.", "old_pin")
    new_hash = hash_pin(new_pin)
    with db.write() as s:
        person = s.get(Person, actor.person_id)
        if person is None:
            raise NotFound("Your account no longer exists.")
        person.pin_hash = new_hash
        audit.record(s, "person.pin_changed", actor=actor, target=f"person:{actor.person_id}")
