"""Signing in with a PIN: the PIN secret and hashing, waits after wrong PINs, and
sign-in sessions opened, locked, resumed and ended."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import itertools
import os
import platform
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrohuddle.paths import DataPaths, write_private
from hrohuddle.services import audit
from hrohuddle.services.dates import to_local
from hrohuddle.services.errors import NotFound, SignInRefused, ValidationError
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.store.unit_models import (
    AuditEntry,
    Person,
    SignInSession,
    utcnow,
)
from hrohuddle.wording import count

if TYPE_CHECKING:
    from argon2 import PasswordHasher

#: Tries in a row made at once: after this many wrong PINs each further try waits.
FREE_TRIES = 3
#: The wait after the FREE_TRIES-th wrong PIN; it doubles with each further one.
FIRST_WAIT = dt.timedelta(seconds=30)
#: The longest wait. Short, so that a passer-by typing wrong PINs keeps a colleague
#: out for five minutes at most (a try during a wait is refused and not counted), yet
#: long enough that guessing a four-digit PIN at the screen takes weeks (README).
LONGEST_WAIT = dt.timedelta(minutes=5)
#: What counts as a wrong PIN typed for an account, for the notice at its next sign-in.
WRONG_PIN_ACTIONS = ("signin.failed", "pin_change.failed")
PIN_MIN, PIN_MAX = 4, 12
#: The rule in words, as forms show it.
PIN_RULE = f"{PIN_MIN} to {PIN_MAX} digits, not one digit repeated nor a run like 1234"

#: The secret mixed into every PIN before hashing, kept in a file beside the
#: database and never inside it, so that a copied database or backup alone does not
#: give up a four-digit PIN by trying all ten thousand.
SECRET_FILE_NAME = "pin-secret.key"
SECRET_ENV = "HROHUDDLE_PIN_SECRET_FILE"
#: Stored hashes made with the secret start with this; older ones are plain argon2id
#: of the PIN, still accepted and upgraded at the next sign-in.
PEPPERED = "hh1$"


@functools.cache
def _hasher() -> PasswordHasher:
    # argon2id, RFC 9106's second recommended option (64 MiB, 3 passes).
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.ID)


def secret_file(db: Database) -> Path:
    """Where this database's PIN secret lives: $HROHUDDLE_PIN_SECRET_FILE, else beside it.

    A SQLite database keeps it in the same folder as the database file (not in the
    backups folder); a server database, in this user's data folder, which each
    workstation of a shared server must be given the same copy of.
    """
    override = os.environ.get(SECRET_ENV)
    if override:
        return Path(override)
    file = db.file
    if file is not None:
        return file.parent / SECRET_FILE_NAME
    return DataPaths.default().data_dir / SECRET_FILE_NAME


class PinSecretMissing(SignInRefused):
    """The PIN secret file is gone while the database holds PINs made with it."""


def _read_secret(path: Path) -> bytes | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PinSecretMissing(
            f"The PIN secret file “{path}” cannot be read ({exc}). Nobody can sign in until "
            "IT restores it from its separate backup."
        ) from exc
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise PinSecretMissing(
            f"The PIN secret file “{path}” is damaged. Nobody can sign in until IT restores "
            "it from its separate backup."
        )
    return secret


def pin_secret(db: Database) -> bytes:
    """This database's PIN secret, made (owner-only) the first time one is needed.

    When the file is missing but the database already holds PINs made with it,
    nothing is made: a new secret would lock everyone out silently. The message says
    what to restore, and ``hrohuddle person reset-pin`` is the way back without it.
    """
    path = secret_file(db)
    secret = _read_secret(path)
    if secret is not None:
        return secret
    with db.read() as s:
        peppered = s.scalar(
            select(func.count(Person.id)).where(Person.pin_hash.like(f"{PEPPERED}%"))
        )
    if peppered:
        raise PinSecretMissing(
            f"The PIN secret file “{path}” is missing, so no PIN can be checked. IT keeps a "
            "copy apart from the database backups: put it back there. If it is lost for good, "
            "IT can make a new one with “hrohuddle person reset-pin NAME --new-secret” and "
            "then give everyone a new PIN."
        )
    try:
        _write_new_secret(path)
    except FileExistsError:  # another workstation made it a moment ago
        pass
    made = _read_secret(path)
    assert made is not None
    return made


def _write_new_secret(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, secrets.token_hex(32) + "\n", exclusive=True, encoding="ascii")


def _mix(secret: bytes, pin: str) -> str:
    return hmac.new(secret, pin.encode(), hashlib.sha256).hexdigest()


def hash_pin(db: Database, pin: str) -> str:
    """The PIN, mixed with this database's secret, hashed with argon2id."""
    return PEPPERED + _hasher().hash(_mix(pin_secret(db), pin))


def _pin_matches(db: Database, stored: str | None, pin: str) -> tuple[bool, bool]:
    """Whether the PIN is right, and whether its stored hash should be made anew."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored:
        # Same work either way, so a missing PIN cannot be told apart by timing.
        _hasher().hash(pin)
        return False, False
    try:
        if stored.startswith(PEPPERED):
            return _hasher().verify(stored[len(PEPPERED) :], _mix(pin_secret(db), pin)), False
        return _hasher().verify(stored, pin), True
    except (VerificationError, InvalidHashError):
        return False, False


def validate_pin(pin: str) -> str:
    """A PIN of 4 to 12 digits that is not one digit repeated or a straight run
    (``PIN_RULE`` says so in words)."""
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
class RosterEntry:
    """One name on the public sign-in list: nothing about wrong PINs or waits."""

    id: int
    display_name: str
    profession: str


def actor_for(p: Person, session_id: int | None) -> Actor:
    """The Actor ``p`` acts as in the sign-in session ``session_id``."""
    return Actor(
        person_id=p.id,
        unit_id=p.unit_id,
        display_name=p.display_name,
        profession=p.profession,
        is_learner=p.is_learner,
        roles=frozenset(r.role for r in p.roles),
        session_id=session_id,
    )


def signin_roster(db: Database, unit_id: int) -> list[RosterEntry]:
    """Active people who can sign in, by name.

    The list is for everyone at the screen, so it says nothing about wrong PINs;
    ``sign_in_wait`` tells the one who chose a name.
    """
    with db.read() as s:
        rows = s.execute(
            select(Person.id, Person.display_name, Person.profession)
            .where(Person.unit_id == unit_id, Person.active.is_(True), Person.pin_hash.is_not(None))
            .order_by(Person.display_name)
        ).all()
    return [RosterEntry(r[0], r[1], r[2]) for r in rows]


def sign_in_wait(db: Database, person_id: int, *, now: dt.datetime | None = None) -> str | None:
    """For the person who chose this name: whether sign-in waits after wrong PINs, in words."""
    now = now or utcnow()
    with db.read() as s:
        person = s.get(Person, person_id)
        if person is None or not person.locked_until or person.locked_until <= now:
            return None
        return (
            f"Sign-in for {person.display_name} waits after {person.failed_attempts} wrong "
            f"PINs: try again in {_in_words(person.locked_until - now)} (tries before then are "
            "refused and not counted), or ask an admin or IT to unlock it."
        )


def workstation_name() -> str:
    """This computer's name, as failed tries and sessions record it."""
    return (platform.node() or "unnamed workstation")[:120]


def wait_after(tries: int) -> dt.timedelta:
    """How long the account waits after ``tries`` wrong PINs in a row.

    None for the first FREE_TRIES - 1; 30 seconds after the FREE_TRIES-th, then
    doubling to LONGEST_WAIT: 3 tries at once, then 30 s, 1, 2, 4 and 5 minutes.
    """
    beyond = tries - FREE_TRIES
    if beyond < 0:
        return dt.timedelta(0)
    return min(LONGEST_WAIT, FIRST_WAIT * (1 << min(beyond, 16)))


def _in_words(delta: dt.timedelta) -> str:
    seconds = max(1, round(delta.total_seconds()))
    if seconds < 90:
        return count(seconds, "second")
    return count(round(seconds / 60), "minute")


@dataclass(frozen=True)
class _Try:
    person_id: int
    unit_id: int
    name: str
    stored: str | None
    tries: int


def _reserve_try(db: Database, person_id: int, now: dt.datetime, workstation: str) -> _Try:
    """Count a try before the PIN is checked, under the row's write lock.

    Parallel tries therefore queue here one by one: once the free tries are used,
    each further one must wait its turn, whether its PIN turns out right or wrong.
    """
    with db.write() as s:
        person = s.execute(
            select(Person).where(Person.id == person_id).with_for_update()
        ).scalar_one_or_none()
        if person is None or not person.active or not person.pin_hash:
            raise SignInRefused("That person cannot sign in here.")
        if person.locked_until and person.locked_until > now:
            audit.record(
                s,
                "signin.waiting",
                unit_id=person.unit_id,
                target=f"person:{person.id}",
                detail={"workstation": workstation},
            )
            raise SignInRefused(
                f"Too many wrong PINs for {person.display_name}. Try again in "
                f"{_in_words(person.locked_until - now)}; tries before then are refused and "
                "not counted. An admin can unlock the account."
            )
        person.failed_attempts += 1
        wait = wait_after(person.failed_attempts)
        if wait:
            person.locked_until = now + wait
        return _Try(
            person.id, person.unit_id, person.display_name, person.pin_hash, person.failed_attempts
        )


def _wrong_pin(db: Database, attempt: _Try, workstation: str, *, action: str) -> str:
    """Audit a wrong PIN as a try on that account from this workstation; the message."""
    with db.write() as s:
        audit.record(
            s,
            action,
            unit_id=attempt.unit_id,
            target=f"person:{attempt.person_id}",
            detail={"workstation": workstation, "tries": attempt.tries},
        )
    wait = wait_after(attempt.tries)
    if wait:
        return (
            f"Wrong PIN for {attempt.name}. The next try can be made in {_in_words(wait)}; "
            "each further wrong PIN makes the wait longer. An admin can unlock the account."
        )
    left = FREE_TRIES - attempt.tries
    return (
        f"Wrong PIN for {attempt.name}. {left} more tr{'ies' if left != 1 else 'y'} "
        "before the account has to wait."
    )


def sign_in(
    db: Database,
    person_id: int,
    pin: str,
    *,
    now: dt.datetime | None = None,
    workstation: str | None = None,
    resume: Actor | None = None,
) -> Actor:
    """The signed-in Actor, or SignInRefused with a message naming the account.

    After FREE_TRIES wrong PINs in a row, each further try waits, longer each time up
    to LONGEST_WAIT; the count is kept in the database, so a restart does not reset
    it. ``resume`` is the session of a locked screen: the same person's PIN opens it
    again instead of starting a new one.
    """
    now = now or utcnow()
    workstation = workstation or workstation_name()
    attempt = _reserve_try(db, person_id, now, workstation)
    ok, rehash = _pin_matches(db, attempt.stored, pin or "")
    new_hash = hash_pin(db, pin) if ok and rehash else None
    if not ok:
        raise SignInRefused(_wrong_pin(db, attempt, workstation, action="signin.failed"))
    with db.write() as s:
        person = s.get(Person, person_id)
        if person is None or not person.active:
            raise SignInRefused("That person cannot sign in here.")
        person.failed_attempts = 0
        person.locked_until = None
        if new_hash and person.pin_hash == attempt.stored:
            person.pin_hash = new_hash
        if not person.roles:
            audit.record(s, "signin.no_role", actor_id=person.id, unit_id=person.unit_id)
        else:
            session_id = open_session(s, person, workstation, resume)
            audit.record(
                s,
                "signin" if resume is None or resume.session_id != session_id else "unlocked",
                actor_id=person.id,
                unit_id=person.unit_id,
                detail={"workstation": workstation},
            )
            return actor_for(person, session_id)
    raise SignInRefused("You have no role on this unit yet. Ask the unit admin to give you one.")


def open_session(s: Session, person: Person, workstation: str, resume: Actor | None) -> int:
    """The id of a new sign-in session, or of ``resume``'s own one reopened behind its lock."""
    if resume is not None and resume.person_id == person.id and resume.session_id:
        found = s.get(SignInSession, resume.session_id)
        if found is not None and found.ended_at is None and found.person_id == person.id:
            found.locked_at = None
            return found.id
    session = SignInSession(person_id=person.id, unit_id=person.unit_id, workstation=workstation)
    s.add(session)
    s.flush()
    return session.id


def _end_session(s: Session, actor: Actor, because: str) -> None:
    if actor.session_id:
        found = s.get(SignInSession, actor.session_id)
        if found is not None and found.ended_at is None:
            found.ended_at = utcnow()
            found.ended_because = because[:60]


def sign_out(db: Database, actor: Actor, *, reason: str = "signed out") -> None:
    """End the session: the Actor object is refused by every service from now on."""
    with db.write() as s:
        _end_session(s, actor, reason)
        audit.record(s, "signout", actor=actor, detail={"reason": reason})


def lock_session(db: Database, actor: Actor) -> None:
    """Pause the session behind a locked screen; only the same person's PIN reopens it."""
    with db.write() as s:
        if actor.session_id:
            found = s.get(SignInSession, actor.session_id)
            if found is not None and found.ended_at is None:
                found.locked_at = utcnow()
        audit.record(s, "screen.locked", actor=actor)


@audit.requires(None, while_locked=True)
def current_actor(db: Database, actor: Actor) -> Actor:
    """The actor as the database sees them now (roles, name), or SessionEnded.

    The main window asks this at every click and every few seconds, so a session
    that ended elsewhere (deactivated, signed out) leaves the screen at once and a
    change of roles shows at once, on every page.
    """
    return actor


@audit.requires(None)
def wrong_pins_notice(db: Database, actor: Actor) -> str | None:
    """Wrong PINs typed for the actor's account since their sign-in before this one.

    Said at sign-in, so a person learns when someone tried their account (and when
    and where), and can tell the admin. None when there were none.
    """
    target = f"person:{actor.person_id}"
    with db.read() as s:
        signins = s.scalars(
            select(AuditEntry.id)
            .where(
                AuditEntry.actor_id == actor.person_id,
                AuditEntry.action.in_(("signin", "unlocked")),
            )
            .order_by(AuditEntry.id.desc())
            .limit(2)
        ).all()
        if not signins:
            return None
        after = signins[1] if len(signins) > 1 else 0
        tries = s.execute(
            select(AuditEntry.at, AuditEntry.detail)
            .where(
                AuditEntry.target == target,
                AuditEntry.action.in_(WRONG_PIN_ACTIONS),
                AuditEntry.id > after,
                AuditEntry.id < signins[0],
            )
            .order_by(AuditEntry.id)
        ).all()
    if not tries:
        return None
    shown = [
        f"{to_local(at):%d %b %H:%M} at "
        f"{(detail or {}).get('workstation', 'an unknown workstation')}"
        for at, detail in tries[-5:]
    ]
    many = len(tries)
    more = f" (the last {len(shown)} shown)" if many > len(shown) else ""
    return (
        f"Since your last sign-in, {many} wrong PIN{'s were' if many != 1 else ' was'} typed "
        f"for your account{more}: {'; '.join(shown)}. If that was not you, tell the unit admin."
    )


@audit.requires("people.manage")
def unlock(db: Database, actor: Actor, person_id: int) -> int:
    """End the wait after wrong PINs, so the person can try again now; audited."""
    with db.write() as s:
        person = s.get(Person, person_id)
        if person is None or person.unit_id != actor.unit_id:
            raise NotFound("That person is not on this unit.")
        person.failed_attempts = 0
        person.locked_until = None
        audit.record(s, "person.unlocked", actor=actor, target=f"person:{person.id}")
        return person.id


@audit.requires("people.manage")
def reset_pin(db: Database, actor: Actor, person_id: int, pin: str) -> None:
    """Give the person a new PIN (and end any wait); audited, the PIN never recorded."""
    new_hash = hash_pin(db, validate_pin(pin))
    with db.write() as s:
        person = s.get(Person, person_id)
        if person is None or person.unit_id != actor.unit_id:
            raise NotFound("That person is not on this unit.")
        person.pin_hash = new_hash
        person.failed_attempts = 0
        person.locked_until = None
        audit.record(s, "person.pin_reset", actor=actor, target=f"person:{person.id}")


def make_new_secret(db: Database) -> Path:
    """Replace a lost PIN secret with a new one: every PIN made with the old one stops working.

    For IT only (the command line), when the secret cannot be restored; each person
    then needs a new PIN from ``hrohuddle person reset-pin``.
    """
    path = secret_file(db)
    if path.exists():
        raise ValidationError(f"“{path}” is still there; it does not need replacing.")
    _write_new_secret(path)
    return path


@audit.requires(None)
def change_own_pin(db: Database, actor: Actor, old_pin: str, new_pin: str) -> None:
    """Change one's own PIN; a wrong current PIN counts as a wrong try on the account."""
    new_pin = validate_pin(new_pin)
    workstation = workstation_name()
    try:
        attempt = _reserve_try(db, actor.person_id, utcnow(), workstation)
    except SignInRefused as exc:
        raise ValidationError(exc.message, "old_pin") from None
    ok, _rehash = _pin_matches(db, attempt.stored, old_pin)
    if not ok:
        message = _wrong_pin(db, attempt, workstation, action="pin_change.failed")
        raise ValidationError(
            message.replace("Wrong PIN", "Your current PIN is not right"), "old_pin"
        )
    new_hash = hash_pin(db, new_pin)
    with db.write() as s:
        person = s.get(Person, actor.person_id)
        if person is None:
            raise NotFound("Your account no longer exists.")
        person.pin_hash = new_hash
        person.failed_attempts = 0
        person.locked_until = None
        audit.record(s, "person.pin_changed", actor=actor, target=f"person:{actor.person_id}")
