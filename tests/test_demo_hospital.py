"""The demo hospital: ``demo-data --units N`` on a shared server sets out departments and
the hospital above the units, with tier huddles, escalations and their answers, and
lessons shared between units; on one SQLite file the units stand alone and the command
says why in one line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from conftest import _pg_server
from fixtures.templates import PostgresTemplate
from sqlalchemy import select

from hrohuddle import demo
from hrohuddle.demo import hospital
from hrohuddle.services import huddles, signin, tiers
from hrohuddle.services.errors import PermissionDenied, ValidationError
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Escalation,
    LessonAdoption,
    Person,
    PersonRole,
    SafetyEvent,
    SharedLesson,
    Tier,
    TierHuddle,
    TierRole,
    Unit,
)
from hrohuddle.store.opening import open_database


@pytest.fixture(scope="module")
def built(_pg_template: PostgresTemplate | None) -> Iterator[tuple[Database, demo.DemoSummary]]:
    """One six-unit hospital with a quarter year of history, shared by the module."""
    gen = _pg_server(_pg_template).database()
    url = next(gen)
    db = open_database(url, None).db
    try:
        yield db, demo.create(db, units=6, years=0.25, seed=7)
    finally:
        db.dispose()
        for _ in gen:
            pass


def _roles(db: Database, name: str) -> tuple[int, set[str], set[tuple[str, str]]]:
    with db.read() as s:
        pid = s.scalar(select(Person.id).where(Person.display_name == name))
        assert pid is not None
        unit_roles = set(s.scalars(select(PersonRole.role).where(PersonRole.person_id == pid)))
        tier_roles = {
            (code, role)
            for code, role in s.execute(
                select(Tier.code, TierRole.role)
                .join(TierRole, TierRole.tier_id == Tier.id)
                .where(TierRole.person_id == pid)
            )
        }
    return pid, unit_roles, tier_roles


@pytest.mark.postgres
def test_every_unit_sits_in_a_department_of_the_hospital(
    built: tuple[Database, demo.DemoSummary],
) -> None:
    db, summary = built
    rows = tiers.list_tiers(db)
    hosp = next(r for r in rows if r.level == tiers.HOSPITAL)
    assert (hosp.code, hosp.huddle_time, hosp.leader_role) == ("HOSP", "10:30", "executive_on_call")
    departments = [r for r in rows if r.level == tiers.DEPARTMENT]
    assert len(departments) == 2
    assert all(d.parent_code == "HOSP" and d.leader_role == "department_lead" for d in departments)
    placed = sorted(code for d in departments for code in d.unit_codes)
    assert placed == sorted(summary.unit_codes)
    assert all(1 <= len(d.unit_codes) <= 12 for d in departments)
    with db.read() as s:
        names = dict(s.execute(select(Unit.code, Unit.name)).all())
    # Wards have names a department lead recognises, not "Demo unit".
    assert not any(n.startswith("Demo unit") for n in names.values())


@pytest.mark.postgres
def test_demo_data_names_the_tier_people_and_they_hold_only_their_tier_role(
    built: tuple[Database, demo.DemoSummary],
) -> None:
    db, summary = built
    said = "\n".join(summary.hospital_lines)
    assert "Grace Mensah, PIN 3579: department lead of MED" in said
    assert "Omar Haddad, PIN 8024: executive on call of HOSP" in said
    grace, grace_unit, grace_tiers = _roles(db, "Grace Mensah")
    omar, omar_unit, omar_tiers = _roles(db, "Omar Haddad")
    assert grace_unit == {"staff"} and grace_tiers == {("MED", "department_lead")}
    assert omar_unit == {"staff"} and omar_tiers == {("HOSP", "executive_on_call")}
    with db.read() as s:
        four_west, department = s.execute(
            select(Unit.id, Tier.code).join(Tier, Tier.id == Unit.tier_id).where(Unit.code == "4W")
        ).one()
    assert department == "MED"
    lead = signin.sign_in(db, grace, "3579")
    executive = signin.sign_in(db, omar, "8024")
    # On 4W she is staff: no review of reports, no running the huddle, no admin.
    assert lead.unit_id == four_west and lead.roles == frozenset({"staff"})
    assert not lead.can("event.triage") and not lead.can("huddle.run")
    assert [t.code for t in tiers.my_tiers(db, lead)] == ["MED"]
    with db.read() as s:
        ids = {t.code: t.id for t in s.scalars(select(Tier))}
        assert tiers.require_tier(s, lead, ids["MED"]) is not None
        with pytest.raises(PermissionDenied):
            tiers.require_tier(s, lead, ids["SURG"])
        with pytest.raises(PermissionDenied):
            tiers.require_tier(s, lead, ids["HOSP"])
        for code in ("MED", "SURG", "HOSP"):
            assert tiers.require_tier(s, executive, ids[code]) is not None


@pytest.mark.postgres
def test_escalations_are_answered_by_the_tier_role_at_the_tiers_huddle(
    built: tuple[Database, demo.DemoSummary],
) -> None:
    db, _summary = built
    with db.read() as s:
        rows = s.scalars(select(Escalation)).all()
        held = {(r.person_id, r.tier_id): r.role for r in s.scalars(select(TierRole)).all()}
        tier_huddles = {h.id: h for h in s.scalars(select(TierHuddle)).all()}
        levels = {t.id: t.level for t in s.scalars(select(Tier)).all()}
        unit_tier = dict(s.execute(select(Unit.id, Unit.tier_id)).all())
        leaders = {
            (pid, unit)
            for pid, unit in s.execute(
                select(Person.id, Person.unit_id)
                .join(PersonRole, PersonRole.person_id == Person.id)
                .where(PersonRole.role.in_(["charge_nurse", "manager"]))
            )
        }
    statuses = {r.status for r in rows}
    assert {"open", "accepted", "declined", "resolved", "escalated"} <= statuses
    by_id = {r.id: r for r in rows}
    for r in rows:
        assert r.title and r.reason and r.needed and r.needed_by is not None
        assert r.needed_by >= r.raised_at.date() - dt.timedelta(days=1)
        # The criteria as services.escalations keeps them, apart from the unit's words.
        assert r.criteria and set(r.criteria) <= set(hospital.CRITERIA)
        assert not r.reason.startswith("[criteria")
        if r.parent_id is None:
            # From the unit's huddle, by its charge nurse or manager, to its department.
            assert r.huddle_id is not None and (r.raised_by_id, r.unit_id) in leaders
            assert r.tier_id == unit_tier[r.unit_id] and levels[r.tier_id] == tiers.DEPARTMENT
        else:
            parent = by_id[r.parent_id]
            assert parent.status == "escalated" and levels[r.tier_id] == tiers.HOSPITAL
            assert r.unit_id == parent.unit_id and r.raised_by_id == parent.answered_by_id
            assert (r.reason, r.huddle_id, r.needed_by) == (
                parent.reason,
                parent.huddle_id,
                parent.needed_by,
            )
            assert r.tier_huddle_id == parent.answered_in_id
        if r.status == "open":
            assert r.version == 1 and r.answer is None and r.answered_by_id is None
            continue
        # Answered once (version 2), or accepted and then its follow-up recorded resolved,
        # owner kept (version 3).
        followed_up = r.version == 3
        assert r.version in (2, 3) and r.answer and r.answered_at is not None
        assert not followed_up or (r.status == "resolved" and r.owner)
        assert held.get((r.answered_by_id, r.tier_id)) == r.answered_role
        meeting = tier_huddles[r.answered_in_id]  # type: ignore[index]
        assert meeting.tier_id == r.tier_id and meeting.started_at <= r.answered_at
        assert r.answered_at >= r.raised_at
        assert (r.owner is not None) == (r.status == "accepted" or followed_up)
    # What a tier accepted is mostly seen through, so its board is not a year of
    # accepted rows waiting for a follow-up.
    three_weeks = dt.datetime.now() - dt.timedelta(days=22)
    stale = [r for r in rows if r.status == "accepted" and r.answered_at < three_weeks]
    assert stale == [] and any(r.version == 3 for r in rows)
    sent_on = [r for r in rows if r.status == "escalated"]
    assert sent_on and all(any(c.parent_id == r.id for c in rows) for r in sent_on)
    # Some wait past the department's next huddle: the boards flag them.
    waiting = [
        r
        for r in rows
        if r.status == "open"
        and any(
            h.tier_id == r.tier_id and h.started_at > r.raised_at for h in tier_huddles.values()
        )
    ]
    assert waiting


@pytest.mark.postgres
def test_shared_lessons_name_no_reporter_and_quote_no_report(
    built: tuple[Database, demo.DemoSummary],
) -> None:
    db, _summary = built
    with db.read() as s:
        lessons = s.scalars(select(SharedLesson)).all()
        narratives = set(s.scalars(select(SafetyEvent.narrative)))
        reporters = set(
            s.scalars(
                select(Person.display_name).join(SafetyEvent, SafetyEvent.reporter_id == Person.id)
            )
        )
        everyone = set(s.scalars(select(Person.display_name)))
        adoptions = s.scalars(select(LessonAdoption)).all()
        unit_tier = dict(s.execute(select(Unit.id, Unit.tier_id)).all())
        hosp = s.scalar(select(Tier.id).where(Tier.code == "HOSP"))
        leaders = {
            (pid, unit)
            for pid, unit in s.execute(
                select(Person.id, Person.unit_id)
                .join(PersonRole, PersonRole.person_id == Person.id)
                .where(PersonRole.role.in_(["charge_nurse", "manager"]))
            )
        }
    assert lessons and reporters and narratives
    assert {lesson.kind for lesson in lessons} <= {"summary", "good_catch", "change"}
    assert len({lesson.kind for lesson in lessons}) >= 2
    for lesson in lessons:
        words = f"{lesson.title}\n{lesson.text}".casefold()
        for name in everyone | reporters:
            assert name.casefold() not in words, (lesson.title, name)
        for narrative in narratives:
            assert narrative.casefold() not in words, (lesson.title, narrative)
        assert lesson.tier_id in (hosp, unit_tier[lesson.unit_id])
        assert (lesson.shared_by_id, lesson.unit_id) in leaders
    # Within a year, a lesson already shared where the same people read it (the same
    # tier, or the hospital) is adopted there, not shared again.
    in_order = sorted(lessons, key=lambda lesson: (lesson.shared_on, lesson.id))
    for i, earlier in enumerate(in_order):
        for later in in_order[i + 1 :]:
            if later.title == earlier.title and hosp in (earlier.tier_id, later.tier_id):
                assert (later.shared_on - earlier.shared_on).days >= 365, later.title
            if later.title == earlier.title and earlier.tier_id == later.tier_id:
                assert (later.shared_on - earlier.shared_on).days >= 365, later.title
    shared = {lesson.id: lesson for lesson in lessons}
    assert adoptions
    for a in adoptions:
        lesson = shared[a.lesson_id]
        assert a.unit_id != lesson.unit_id and a.adopted_on > lesson.shared_on
        assert lesson.tier_id == hosp or unit_tier[a.unit_id] == lesson.tier_id
        assert (a.adopted_by_id, a.unit_id) in leaders


@pytest.mark.postgres
def test_the_charge_nurse_starts_the_next_huddle_after_the_demo(
    built: tuple[Database, demo.DemoSummary],
) -> None:
    """The demo writes ids of its own; the server's next id comes after them."""
    db, _summary = built
    with db.read() as s:
        priya = s.scalar(select(Person.id).where(Person.display_name == "Priya Shah"))
    assert priya is not None
    charge = signin.sign_in(db, priya, "1357")
    row = huddles.start_or_resume(db, charge)
    assert row.status == "open"


@pytest.mark.postgres
def test_a_second_run_says_the_demo_is_already_there(
    built: tuple[Database, demo.DemoSummary],
) -> None:
    db, _summary = built
    with pytest.raises(ValidationError, match="already holds the demo unit"):
        demo.create(db, units=6, years=0.25, seed=7)


def test_on_one_sqlite_file_the_units_stand_alone_and_it_says_why(sqlite_db: Database) -> None:
    db = sqlite_db
    summary = demo.create(db, units=3, years=0.1, seed=7)
    assert summary.unit_codes == ["4W", "U02", "U03"]
    assert summary.hospital_lines == (hospital.NEEDS_SHARED_LINE,)
    assert "need the shared server" in hospital.NEEDS_SHARED_LINE
    with db.read() as s:
        assert s.scalars(select(Tier)).all() == []
        assert s.scalars(select(Unit.tier_id)).all() == [None, None, None]
        assert s.scalars(select(Escalation)).all() == []
        assert s.scalars(select(SharedLesson)).all() == []


@pytest.mark.postgres
def test_the_department_lead_reads_the_demo_on_her_board_and_4w_hears_back(
    built: tuple[Database, demo.DemoSummary],
) -> None:
    """The demo's rows are what the escalations service makes: its board and the unit's
    follow-up read them, criteria in words and answers with who gave them."""
    from hrohuddle.services import escalations

    db, _summary = built
    with db.read() as s:
        grace = s.scalar(select(Person.id).where(Person.display_name == "Grace Mensah"))
        priya = s.scalar(select(Person.id).where(Person.display_name == "Priya Shah"))
        med = s.scalar(select(Tier.id).where(Tier.code == "MED"))
    assert grace is not None and priya is not None and med is not None
    lead = signin.sign_in(db, grace, "3579")
    board = escalations.tier_board(db, lead, med)
    assert board.code == "MED" and board.waiting_count >= 1
    assert {u.code for u in board.units} <= set(_summary.unit_codes)
    labels = set(escalations.criteria().values())
    for row in board.escalations:
        assert row.criteria and set(row.criteria) <= labels
        assert row.reason and not row.reason.startswith("[criteria")
    charge = signin.sign_in(db, priya, "1357")
    follow_up = escalations.unit_follow_up(db, charge)
    assert all(r.unit_code == "4W" for r in follow_up)
    for row in follow_up:
        if not row.is_open:
            assert row.answered_by_words.endswith(
                ("department lead", "executive on call", "duty manager")
            )


@pytest.mark.postgres
def test_each_unit_is_placed_in_its_department_since_it_began(
    built: tuple[Database, demo.DemoSummary],
) -> None:
    """The demo keeps each unit's placement with its date, as IT's tier place does, so a
    department's past weeks show the units it held then."""
    from hrohuddle.services import dates, department
    from hrohuddle.services.permissions import command_line_actor
    from hrohuddle.services.reporting import Week
    from hrohuddle.store.models import TierPlacement

    db, summary = built
    with db.read() as s:
        units = {u.id: u for u in s.scalars(select(Unit))}
        rows = s.scalars(select(TierPlacement)).all()
        placed = {(p.unit_id, p.tier_id, p.since, p.until) for p in rows}
        med = s.scalar(select(Tier.id).where(Tier.code == "MED"))
    assert placed == {
        (u.id, u.tier_id, dates.local_date(u.created_at), None) for u in units.values()
    }
    assert med is not None
    it = command_line_actor(0, "command line (it)", frozenset({"manager", "admin"}))
    early = Week.of(min(dates.local_date(u.created_at) for u in units.values()))
    view = department.department_week(db, it, med, early.shifted(1))
    assert [c.code for c in view.columns] == sorted(
        u.code for u in units.values() if u.tier_id == med
    )
    assert set(summary.unit_codes) == {u.code for u in units.values()}
