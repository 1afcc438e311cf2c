"""Sign-in, PINs, lockout and roles, as the people at the workstation meet them."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import PINS, Team
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hrohuddle.services import people
from hrohuddle.services.errors import PermissionDenied, SignInRefused, ValidationError
from hrohuddle.store.database import Database
from hrohuddle.store.models import AuditEntry, Person


def _id(db: Database, name: str) -> int:
    with db.read() as s:
        return int(s.scalar(select(Person.id).where(Person.display_name == name)))


def test_charge_nurse_signs_in_with_the_right_pin(team: Team) -> None:
    actor = people.sign_in(team.db, team["charge_nurse"].person_id, PINS["charge_nurse"])
    assert actor.roles == frozenset({"charge_nurse"})
    assert actor.can("huddle.run") and not actor.can("people.manage")


def test_a_wrong_pin_says_how_many_tries_are_left(team: Team) -> None:
    with pytest.raises(SignInRefused, match="4 more tries"):
        people.sign_in(team.db, team["staff"].person_id, "0000")


def test_five_wrong_pins_lock_out_even_after_a_restart(team: Team, db: Database) -> None:
    pid = team["staff"].person_id
    for _ in range(4):
        with pytest.raises(SignInRefused, match="Wrong PIN"):
            people.sign_in(db, pid, "9999")
    with pytest.raises(SignInRefused, match="locked for 15 minutes"):
        people.sign_in(db, pid, "9999")
    # A new connection, as after switching the workstation off and on.
    again = Database.connect(db.url)
    try:
        with pytest.raises(SignInRefused, match="locked"):
            people.sign_in(again, pid, PINS["staff"])
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=16)
        assert people.sign_in(again, pid, PINS["staff"], now=later).person_id == pid
    finally:
        again.dispose()


def test_lockout_is_audited_and_no_pin_or_hash_is_logged(
    team: Team, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    pid = team["learner"].person_id
    for _ in range(5):
        with pytest.raises(SignInRefused):
            people.sign_in(db, pid, "8080")
    with db.read() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action)).all()]
        details = " ".join(str(d) for (d,) in s.execute(select(AuditEntry.detail)).all())
        stored = s.scalar(select(Person.pin_hash).where(Person.id == pid))
    assert actions.count("signin.failed") == 4 and "signin.locked_out" in actions
    assert "8080" not in details and PINS["learner"] not in details
    assert stored and stored not in caplog.text and "8080" not in caplog.text


def test_a_person_without_a_role_is_told_to_ask_the_admin(team: Team, db: Database) -> None:
    pid = people.save_person(
        db, team.admin, people.PersonInput("Nora Norole", "nursing", ["staff"], pin="5827")
    )
    with db.write() as s:
        person = s.get(Person, pid)
        assert person is not None
        person.roles = []
    with pytest.raises(SignInRefused, match="no role"):
        people.sign_in(db, pid, "5827")


@pytest.mark.parametrize(
    ("pin", "why"),
    [
        ("12", "4 to 12"),
        ("1111", "repeated"),
        ("1234", "run"),
        ("9876", "run"),
        ("12a4", "digits only"),
        ("", "digits only"),
        ("1234567890123", "4 to 12"),
    ],
)
def test_weak_or_malformed_pins_are_refused(pin: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        people.validate_pin(pin)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_pin_validation_never_crashes_and_accepts_only_digits(pin: str) -> None:
    try:
        assert people.validate_pin(pin) == pin
    except ValidationError:
        return
    assert pin.isdigit() and 4 <= len(pin) <= 12 and len(set(pin)) > 1


def test_only_an_admin_manages_people_and_refusals_are_audited(team: Team, db: Database) -> None:
    new = people.PersonInput("Ivy Intruder", "nursing", ["admin"], pin="5827")
    for role in ("learner", "staff", "preceptor", "charge_nurse", "manager"):
        with pytest.raises(PermissionDenied, match="manage people"):
            people.save_person(db, team[role], new)
    with db.read() as s:
        refused = s.scalars(
            select(AuditEntry.actor_id).where(AuditEntry.action == "permission.refused")
        ).all()
    assert len(refused) == 5
    assert all(p.display_name != "Ivy Intruder" for p in people.list_people(db, team.admin))


def test_role_changes_are_audited_with_before_and_after(team: Team, db: Database) -> None:
    pid = team["staff"].person_id
    people.save_person(
        db, team.admin, people.PersonInput("Sol Staff", "medicine", ["staff", "preceptor"]), pid
    )
    with db.read() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "person.roles_changed")
        ).one()
    assert entry.detail == {"from": ["staff"], "to": ["preceptor", "staff"]}
    assert people.sign_in(db, pid, PINS["staff"]).can("observation.log")


def test_an_admin_cannot_remove_their_own_admin_role(team: Team, db: Database) -> None:
    with pytest.raises(ValidationError, match="own admin role"):
        people.save_person(
            db,
            team.admin,
            people.PersonInput("Ada Admin", "nursing", ["staff"]),
            team.admin.person_id,
        )


def test_two_people_cannot_share_a_name_on_one_unit(team: Team, db: Database) -> None:
    with pytest.raises(ValidationError, match="already called"):
        people.save_person(
            db, team.admin, people.PersonInput("Sol Staff", "nursing", ["staff"], pin="5827")
        )


def test_empty_name_and_unknown_profession_are_explained(team: Team, db: Database) -> None:
    with pytest.raises(ValidationError, match="name is empty"):
        people.save_person(
            db, team.admin, people.PersonInput("  ", "nursing", ["staff"], pin="5827")
        )
    with pytest.raises(ValidationError, match="profession"):
        people.save_person(
            db, team.admin, people.PersonInput("Zed", "wizard", ["staff"], pin="5827")
        )


def test_unit_settings_refuse_a_group_size_below_three(team: Team, db: Database) -> None:
    with pytest.raises(ValidationError, match="between 3 and 50"):
        people.update_unit_settings(db, team.admin, min_group_size=2)
    settings_ = people.update_unit_settings(
        db, team.admin, huddle_target_minutes=12, pulse_milestones=["30", "7", "90"]
    )
    assert settings_.huddle_target_minutes == 12 and settings_.pulse_milestones == [7, 30, 90]


def test_change_own_pin_needs_the_current_pin(team: Team, db: Database) -> None:
    me = team["staff"]
    with pytest.raises(ValidationError, match="current PIN"):
        people.change_own_pin(db, me, "0000", "5827")
    people.change_own_pin(db, me, PINS["staff"], "5827")
    assert people.sign_in(db, me.person_id, "5827").person_id == me.person_id
