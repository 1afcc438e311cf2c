"""Sign-in, PINs, lockout and roles, as the people at the workstation meet them."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from conftest import PINS, Team
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hrohuddle.paths import DataPaths
from hrohuddle.services import actions, events, huddles, people, pulses, signin
from hrohuddle.services.errors import (
    PermissionDenied,
    SessionEnded,
    SignInRefused,
    ValidationError,
)
from hrohuddle.store.database import Database
from hrohuddle.store.models import AuditEntry, Person


def _id(db: Database, name: str) -> int:
    with db.read() as s:
        return int(s.scalar(select(Person.id).where(Person.display_name == name)))


def test_charge_nurse_signs_in_with_the_right_pin(team: Team) -> None:
    actor = signin.sign_in(team.db, team["charge_nurse"].person_id, PINS["charge_nurse"])
    assert actor.roles == frozenset({"charge_nurse"})
    assert actor.can("huddle.run") and not actor.can("people.manage")


def test_a_wrong_pin_names_the_account_and_says_how_many_tries_are_left(team: Team) -> None:
    with pytest.raises(SignInRefused, match=r"Wrong PIN for Sol Staff\. 2 more tries"):
        signin.sign_in(team.db, team["staff"].person_id, "0000")


def test_wrong_pins_make_the_account_wait_longer_each_time_even_after_a_restart(
    team: Team, db: Database
) -> None:
    pid = team["staff"].person_id
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for _ in range(signin.FREE_TRIES - 1):
        with pytest.raises(SignInRefused, match="Wrong PIN for Sol Staff"):
            signin.sign_in(db, pid, "9999", now=now)
    with pytest.raises(SignInRefused, match="next try can be made in 30 seconds"):
        signin.sign_in(db, pid, "9999", now=now)
    # A new connection, as after switching the workstation off and on.
    again = Database.connect(db.url)
    try:
        with pytest.raises(SignInRefused, match="Too many wrong PINs for Sol Staff"):
            signin.sign_in(again, pid, PINS["staff"], now=now + dt.timedelta(seconds=10))
        later = now + dt.timedelta(seconds=31)
        with pytest.raises(SignInRefused, match="next try can be made in 60 seconds"):
            signin.sign_in(again, pid, "9999", now=later)
        later += dt.timedelta(seconds=61)
        assert signin.sign_in(again, pid, PINS["staff"], now=later).person_id == pid
    finally:
        again.dispose()


def test_three_tries_are_free_then_the_wait_grows_to_five_minutes() -> None:
    waits = [signin.wait_after(n).total_seconds() for n in range(1, 15)]
    assert signin.FREE_TRIES == 3
    assert waits[:7] == [0, 0, 30, 60, 120, 240, 300]
    assert max(waits) == 5 * 60 and waits == sorted(waits)


def test_the_readme_states_the_free_tries_and_the_longest_wait_of_the_code() -> None:
    from pathlib import Path

    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
    words = {3: "Three", 4: "Four", 5: "Five"}
    assert f"{words[signin.FREE_TRIES]} tries in a row are made at once" in readme
    minutes = int(signin.LONGEST_WAIT.total_seconds() // 60)
    assert f"at most {minutes} minutes" in readme


def test_a_passer_by_cannot_keep_a_colleague_out_for_a_shift(team: Team, db: Database) -> None:
    """Wrong PINs every 10 s for 12 hours: the owner still gets in within five minutes."""
    pid = team["staff"].person_id
    start = dt.datetime(2026, 11, 28, 7, 0)
    t, checked = start, 0
    longest = dt.timedelta(0)
    while t < start + dt.timedelta(hours=12):
        try:
            signin.sign_in(db, pid, "9999", now=t, workstation="WS-1")
        except SignInRefused as exc:
            checked += "Wrong PIN" in exc.message
        with db.read() as s:
            person = s.get(Person, pid)
            assert person is not None
            waits_until = person.locked_until
        if waits_until and waits_until > t:
            longest = max(longest, waits_until - t)
        t += dt.timedelta(seconds=10)
    assert longest <= signin.LONGEST_WAIT
    # Tries during a wait were refused without being counted: 3 free, then one per wait.
    assert checked < 12 * 60 / 5 + signin.FREE_TRIES + 5
    with db.read() as s:
        person = s.get(Person, pid)
        assert person is not None and person.failed_attempts == checked
    # The owner arrives: at worst a five-minute wait, then in, and told of every try.
    arrive = t + dt.timedelta(seconds=1)
    try:
        actor = signin.sign_in(db, pid, PINS["staff"], now=arrive)
    except SignInRefused as exc:
        assert "Sol Staff" in exc.message
        actor = signin.sign_in(db, pid, PINS["staff"], now=arrive + signin.LONGEST_WAIT)
    notice = signin.wrong_pins_notice(db, actor)
    assert notice is not None
    assert f"{checked} wrong PINs were typed for your account" in notice and "WS-1" in notice


def test_the_owner_is_told_of_wrong_pins_once_at_the_next_sign_in(team: Team, db: Database) -> None:
    pid = team["staff"].person_id
    assert signin.wrong_pins_notice(db, team["staff"]) is None
    signin.sign_out(db, team["staff"])
    for _ in range(2):
        with pytest.raises(SignInRefused):
            signin.sign_in(db, pid, "9999", workstation="WS-4W-02")
    actor = signin.sign_in(db, pid, PINS["staff"])
    notice = signin.wrong_pins_notice(db, actor)
    assert notice is not None and "2 wrong PINs were typed" in notice and "WS-4W-02" in notice
    signin.sign_out(db, actor)
    again = signin.sign_in(db, pid, PINS["staff"])
    assert signin.wrong_pins_notice(db, again) is None


def test_failed_tries_are_audited_on_the_account_and_no_pin_or_hash_is_logged(
    team: Team, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    pid = team["learner"].person_id
    for _ in range(signin.FREE_TRIES):
        with pytest.raises(SignInRefused):
            signin.sign_in(db, pid, "8080", workstation="WS-4W-01")
    with pytest.raises(SignInRefused, match="Too many wrong PINs"):
        signin.sign_in(db, pid, "8080", workstation="WS-4W-01")
    with db.read() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["signin.failed", "signin.waiting"]))
        ).all()
        details = " ".join(str(d) for (d,) in s.execute(select(AuditEntry.detail)).all())
        stored = s.scalar(select(Person.pin_hash).where(Person.id == pid))
    assert [e.action for e in entries].count("signin.failed") == signin.FREE_TRIES
    # A try on that account from this workstation, not something the person did.
    assert all(e.target == f"person:{pid}" and e.actor_id is None for e in entries)
    assert all(e.detail["workstation"] == "WS-4W-01" for e in entries)
    assert "8080" not in details and PINS["learner"] not in details
    assert stored and stored not in caplog.text and "8080" not in caplog.text


@pytest.mark.parametrize("right_one", [False, True])
def test_parallel_wrong_pins_are_counted_one_by_one(
    team: Team, db: Database, monkeypatch: pytest.MonkeyPatch, right_one: bool
) -> None:
    """Ten tries at once: only the free ones reach the PIN check."""
    pid = team["staff"].person_id
    checked: list[str] = []
    real = signin._pin_matches

    def slow(db_: Database, stored: str | None, pin: str) -> tuple[bool, bool]:
        checked.append(pin)
        time.sleep(0.3)  # as long as a production hash takes
        return real(db_, stored, pin)

    monkeypatch.setattr(signin, "_pin_matches", slow)
    pins = ["9999"] * 9 + [PINS["staff"] if right_one else "9998"]
    start = threading.Barrier(len(pins))
    outcomes: list[str] = []

    def attempt(pin: str) -> None:
        start.wait()
        try:
            signin.sign_in(db, pid, pin)
            outcomes.append("signed in")
        except SignInRefused as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in pins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == len(pins)
    assert len(checked) <= signin.FREE_TRIES, checked
    assert sum("Too many wrong PINs" in o for o in outcomes) >= len(pins) - signin.FREE_TRIES
    if "signed in" in outcomes:  # only if the right PIN came among the first tries
        assert checked.index(PINS["staff"]) < signin.FREE_TRIES
    with db.read() as s:
        person = s.get(Person, pid)
        assert person is not None
        assert person.failed_attempts == 0 or person.locked_until is not None


def test_a_person_without_a_role_is_told_to_ask_the_admin(team: Team, db: Database) -> None:
    pid = people.save_person(
        db, team.admin, people.PersonInput("Nora Norole", "nursing", ["staff"], pin="5827")
    )
    with db.write() as s:
        person = s.get(Person, pid)
        assert person is not None
        person.roles = []
    with pytest.raises(SignInRefused, match="no role"):
        signin.sign_in(db, pid, "5827")


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
        signin.validate_pin(pin)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_pin_validation_never_crashes_and_accepts_only_digits(pin: str) -> None:
    try:
        assert signin.validate_pin(pin) == pin
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
    assert signin.sign_in(db, pid, PINS["staff"]).can("observation.log")


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
        signin.change_own_pin(db, me, "0000", "5827")
    signin.change_own_pin(db, me, PINS["staff"], "5827")
    assert signin.sign_in(db, me.person_id, "5827").person_id == me.person_id


# -- the PIN secret: a copied database alone does not give up a PIN -----------------------


def test_pins_are_mixed_with_a_secret_kept_beside_the_database_not_in_it(
    team: Team, db: Database, data_paths: DataPaths
) -> None:
    secret = signin.secret_file(db)
    assert secret.exists() and oct(secret.stat().st_mode & 0o777) == "0o600"
    assert data_paths.backup_dir not in secret.parents
    with db.read() as s:
        hashes = s.scalars(select(Person.pin_hash)).all()
    assert hashes and all(h and h.startswith(signin.PEPPERED) for h in hashes)
    # The database alone, without the secret, does not confirm the right PIN.
    from argon2 import PasswordHasher

    stored = hashes[0]
    assert stored is not None
    with pytest.raises(Exception, match="not match"):
        PasswordHasher().verify(stored[len(signin.PEPPERED) :], PINS["admin"])


def test_an_older_hash_without_the_secret_still_works_and_is_upgraded(
    team: Team, db: Database
) -> None:
    pid = team["staff"].person_id
    with db.write() as s:
        person = s.get(Person, pid)
        assert person is not None
        person.pin_hash = signin._hasher().hash(PINS["staff"])
    assert signin.sign_in(db, pid, PINS["staff"]).person_id == pid
    with db.read() as s:
        upgraded = s.scalar(select(Person.pin_hash).where(Person.id == pid))
    assert upgraded and upgraded.startswith(signin.PEPPERED)
    assert signin.sign_in(db, pid, PINS["staff"]).person_id == pid


def test_a_missing_secret_is_explained_and_no_new_one_is_made(team: Team, db: Database) -> None:
    secret = signin.secret_file(db)
    secret.unlink()
    with pytest.raises(signin.PinSecretMissing, match=r"PIN secret file .* is missing"):
        signin.sign_in(db, team["staff"].person_id, PINS["staff"])
    assert not secret.exists()


# -- sessions are re-checked on every call --------------------------------------------------


def test_a_signed_out_session_object_is_refused_and_the_refusal_audited(
    team: Team, db: Database
) -> None:
    learner = team["learner"]
    signin.sign_out(db, learner)
    with pytest.raises(SessionEnded, match="signed out"):
        events.report(
            db,
            learner,
            events.EventInput(
                kind="near_miss", narrative="x", category="other", occurred_at=dt.datetime.now()
            ),
        )
    with db.read() as s:
        refused = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "permission.refused")
        ).all()
    assert refused[-1].detail == {"action": "event.report", "why": "signed out"}


def test_a_demoted_and_deactivated_manager_is_refused_at_once(team: Team, db: Database) -> None:
    manager = team["manager"]
    assert pulses.results(db, manager) is not None
    people.save_person(
        db, team.admin, people.PersonInput("Mo Manager", "nursing", ["staff"]), manager.person_id
    )
    with pytest.raises(PermissionDenied, match="see pulse results"):
        pulses.results(db, manager)  # the same, old Actor object with the manager role
    people.save_person(
        db,
        team.admin,
        people.PersonInput("Mo Manager", "nursing", ["staff"], active=False),
        manager.person_id,
    )
    with pytest.raises(SessionEnded, match="no longer active"):
        actions.open_actions(db, manager)


def test_a_locked_screen_pauses_the_session_until_the_same_pin(team: Team, db: Database) -> None:
    cn = team["charge_nurse"]
    signin.lock_session(db, cn)
    with pytest.raises(SessionEnded, match="locked"):
        huddles.start_or_resume(db, cn)
    again = signin.sign_in(db, cn.person_id, PINS["charge_nurse"], resume=cn)
    assert again == cn
    huddles.start_or_resume(db, cn)


def test_a_refusal_inside_a_transaction_is_audited_after_it_without_waiting(
    team: Team, db: Database
) -> None:
    cn, staff = team["charge_nurse"], team["staff"]
    h = huddles.start_or_resume(db, cn)
    item = huddles.add_item(db, cn, h.id, "look_ahead", "Two nurses short tonight")
    started = time.monotonic()
    with pytest.raises(PermissionDenied, match="run the huddle"):
        huddles.update_item(db, staff, item.id, "Fine tonight", item.updated_at)
    assert time.monotonic() - started < 5
    with db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert last.action == "permission.refused" and last.detail["action"] == "huddle.run"


# -- the last admin, and unlocking -------------------------------------------------------


def test_the_last_admin_cannot_be_deactivated_or_lose_the_role(team: Team, db: Database) -> None:
    mo = team["manager"].person_id
    # Another admin may not remove the only other admin either: make Mo an admin first.
    people.save_person(
        db, team.admin, people.PersonInput("Mo Manager", "nursing", ["manager", "admin"]), mo
    )
    mo_admin = signin.sign_in(db, mo, PINS["manager"])
    people.save_person(
        db,
        mo_admin,
        people.PersonInput("Ada Admin", "nursing", ["admin"], active=False),
        team.admin.person_id,
    )
    with pytest.raises(ValidationError, match="only admin"):
        people.save_person(
            db,
            mo_admin,
            people.PersonInput("Mo Manager", "nursing", ["manager", "admin"], active=False),
            mo,
        )
    with pytest.raises(ValidationError, match="own admin role"):
        people.save_person(
            db, mo_admin, people.PersonInput("Mo Manager", "nursing", ["manager"]), mo
        )


def test_a_lone_admin_cannot_deactivate_themselves(team: Team, db: Database) -> None:
    with pytest.raises(ValidationError, match="only admin"):
        people.save_person(
            db,
            team.admin,
            people.PersonInput("Ada Admin", "nursing", ["admin"], active=False),
            team.admin.person_id,
        )


def test_an_admin_sees_the_wait_and_unlocks_it(team: Team, db: Database) -> None:
    pid = team["staff"].person_id
    for _ in range(signin.FREE_TRIES):
        with pytest.raises(SignInRefused):
            signin.sign_in(db, pid, "9999")
    row = next(r for r in people.list_people(db, team.admin) if r.id == pid)
    assert row.waits_until is not None and row.wrong_pins == signin.FREE_TRIES
    with pytest.raises(PermissionDenied):
        signin.unlock(db, team["charge_nurse"], pid)
    signin.unlock(db, team.admin, pid)
    assert signin.sign_in(db, pid, PINS["staff"]).person_id == pid
    # What others see of their colleagues: names and roles, not dates or sign-in trouble.
    seen = next(r for r in people.list_people(db, team["learner"]) if r.id == pid)
    assert seen.start_date is None and seen.programme is None and seen.waits_until is None


def test_a_draft_typed_just_before_sign_out_is_kept_for_its_author(
    team: Team, db: Database
) -> None:
    from hrohuddle.services import drafts

    staff = team["staff"]
    signin.sign_out(db, staff)
    drafts.save(db, staff, "event", "", {"narrative": "Pump alarm"})
    again = signin.sign_in(db, staff.person_id, PINS["staff"])
    assert drafts.load(db, again, "event", "") == {"narrative": "Pump alarm"}
    with pytest.raises(SessionEnded):
        drafts.load(db, staff, "event", "")
