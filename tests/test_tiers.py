"""The hospital's tiers as data: departments and the hospital above the units, who may
set them out, who may read them, and a unit on its own file that says plainly it has
none."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import Team

from hrohuddle.services import people, tiers
from hrohuddle.services.errors import NotFound, PermissionDenied, ValidationError
from hrohuddle.services.permissions import command_line_actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import Escalation, Unit

IT = command_line_actor(0, "command line (it)", frozenset({"manager", "admin"}))


def _hospital(db: Database) -> None:
    tiers.create_tier(db, IT, code="HOSP", name="St Elsewhere", level=3, huddle_time="10:30")
    tiers.create_tier(db, IT, code="MED", name="Medicine", level=2, parent_code="HOSP")
    tiers.create_tier(db, IT, code="SURG", name="Surgery", level=2, parent_code="HOSP")


@pytest.mark.postgres
def test_a_hospital_is_set_out_as_data_and_units_sit_in_departments(pg_team: Team) -> None:
    db = pg_team.db
    _hospital(db)
    people.create_unit(
        db,
        code="5E",
        name="Ward 5 East",
        admin=people.PersonInput("Eve Admin", "nursing", ["admin"], pin="2580"),
    )
    tiers.place_unit(db, IT, "4W", "MED")
    tiers.place_unit(db, IT, "5E", "MED")
    rows = {r.code: r for r in tiers.list_tiers(db)}
    assert rows["HOSP"].level_words == "hospital"
    assert rows["HOSP"].leader_role == "executive_on_call"
    assert rows["MED"].parent_code == "HOSP" and rows["MED"].unit_codes == ("4W", "5E")
    assert rows["MED"].huddle_time == "09:00" and rows["MED"].leader_words == "department lead"
    with db.read() as s:
        hosp = tiers.tier_by_code(s, "HOSP")
        assert len(tiers.units_under(s, hosp.id)) == 2
        unit_id = s.query(Unit.id).filter(Unit.code == "4W").scalar()
        assert [t.code for t in tiers.tiers_above(s, unit_id)] == ["MED", "HOSP"]


@pytest.mark.postgres
def test_bad_tiers_are_refused_in_plain_words(pg_team: Team) -> None:
    db = pg_team.db
    _hospital(db)
    with pytest.raises(ValidationError, match="already a tier with the code MED"):
        tiers.create_tier(db, IT, code="MED", name="Again", level=2, parent_code="HOSP")
    with pytest.raises(ValidationError, match="not a time of day"):
        tiers.create_tier(db, IT, code="ICU", name="Critical care", level=2, huddle_time="9am")
    with pytest.raises(ValidationError, match="tier code"):
        tiers.create_tier(db, IT, code="no spaces", name="x", level=2)
    with pytest.raises(ValidationError, match="a department sits in the hospital"):
        tiers.create_tier(db, IT, code="ICU", name="Critical care", level=2, parent_code="MED")
    with pytest.raises(ValidationError, match="not a department"):
        tiers.place_unit(db, IT, "4W", "HOSP")
    with pytest.raises(NotFound, match="no unit with the code"):
        tiers.place_unit(db, IT, "NOPE", "MED")


@pytest.mark.postgres
def test_only_it_sets_out_tiers_and_a_role_reads_its_tier_and_those_below(
    pg_team: Team,
) -> None:
    db = pg_team.db
    _hospital(db)
    tiers.place_unit(db, IT, "4W", "MED")
    admin = pg_team["admin"]
    manager = pg_team["manager"]
    with pytest.raises(PermissionDenied, match="set out by IT"):
        tiers.create_tier(db, admin, code="ICU", name="Critical care", level=2)
    tiers.grant_role(db, IT, "MED", manager.person_id, "department_lead")
    with db.read() as s:
        med = tiers.tier_by_code(s, "MED")
        surg = tiers.tier_by_code(s, "SURG")
        hosp = tiers.tier_by_code(s, "HOSP")
        scope = tiers.require_tier(s, manager, med.id)
        assert scope is not None and scope.role == "department_lead"
        with pytest.raises(PermissionDenied):
            tiers.require_tier(s, manager, surg.id)
        with pytest.raises(PermissionDenied):
            tiers.require_tier(s, manager, hosp.id)
    assert [t.code for t in tiers.my_tiers(db, manager)] == ["MED"]
    assert tiers.revoke_role(db, IT, "MED", manager.person_id)
    assert tiers.my_tiers(db, manager) == []
    tiers.grant_role(db, IT, "HOSP", manager.person_id, "executive_on_call")
    with db.read() as s:
        # The hospital's executive reads every department below it.
        scope = tiers.require_tier(s, manager, surg.id)
        assert scope is not None and scope.code == "HOSP"


@pytest.mark.postgres
def test_a_unit_moved_keeps_its_history_and_takes_its_open_escalations(pg_team: Team) -> None:
    db = pg_team.db
    _hospital(db)
    tiers.place_unit(db, IT, "4W", "MED")
    with db.write() as s:
        unit = s.query(Unit).filter(Unit.code == "4W").one()
        med = tiers.tier_by_code(s, "MED")
        for status in ("open", "accepted"):
            s.add(Escalation(unit_id=unit.id, tier_id=med.id, title="t", reason="r", status=status))
    assert tiers.place_unit(db, IT, "4W", "SURG") == 1
    with db.read() as s:
        by_status = {e.status: e.tier_id for e in s.query(Escalation)}
        surg = tiers.tier_by_code(s, "SURG")
        assert by_status == {"open": surg.id, "accepted": med.id}


def test_a_unit_on_its_own_file_says_plainly_that_tiers_need_the_shared_server(
    sqlite_db: Database,
) -> None:
    assert tiers.list_tiers(sqlite_db) == []
    with pytest.raises(tiers.NeedsSharedServer, match="shared server"):
        tiers.create_tier(sqlite_db, IT, code="MED", name="Medicine", level=2)
    with pytest.raises(tiers.NeedsSharedServer):
        tiers.require_shared(sqlite_db)


@pytest.mark.postgres
def test_a_role_that_does_not_fit_the_tier_is_refused_and_grants_nothing(
    pg_team: Team,
) -> None:
    db = pg_team.db
    _hospital(db)
    nurse = pg_team["charge_nurse"]
    with pytest.raises(ValidationError, match="A department has no executive on call"):
        tiers.grant_role(db, IT, "MED", nurse.person_id, "executive_on_call")
    with pytest.raises(ValidationError, match="A department has no duty manager"):
        tiers.grant_role(db, IT, "MED", nurse.person_id, "duty_manager")
    with pytest.raises(ValidationError, match="A hospital has no department lead"):
        tiers.grant_role(db, IT, "HOSP", nurse.person_id, "department_lead")
    assert tiers.my_tiers(db, nurse) == []
    with pytest.raises(ValidationError, match="A department has no executive on call"):
        tiers.create_tier(
            db, IT, code="ICU", name="Critical care", level=2, leader_role="executive_on_call"
        )
    with pytest.raises(ValidationError, match="duty manager"):
        tiers.change_tier(db, IT, "HOSP", leader_role="department_lead")
    assert tiers.grant_role(db, IT, "HOSP", nurse.person_id, "duty_manager")
    assert not tiers.grant_role(db, IT, "HOSP", nurse.person_id, "duty_manager")
    with pytest.raises(ValidationError, match="not the executive on call"):
        tiers.revoke_role(db, IT, "HOSP", nurse.person_id, "executive_on_call")
    assert tiers.revoke_role(db, IT, "HOSP", nurse.person_id, "duty_manager") == "duty_manager"


@pytest.mark.postgres
def test_a_mistyped_tier_is_corrected_or_removed_while_nothing_holds_it(pg_team: Team) -> None:
    db = pg_team.db
    _hospital(db)
    row = tiers.change_tier(
        db, IT, "SURG", name="Surgery and theatres", huddle_time="09:05", huddle_days=[1, 3, 5]
    )
    assert (row.name, row.huddle_time, row.days_words) == (
        "Surgery and theatres",
        "09:05",
        "Monday, Wednesday, Friday",
    )
    assert row.version == 2 and row.parent_code == "HOSP"
    with pytest.raises(ValidationError, match="not a time of day as HH:MM"):
        tiers.change_tier(db, IT, "SURG", huddle_time="9:5")
    with pytest.raises(ValidationError, match="not a time of day as HH:MM"):
        tiers.create_tier(db, IT, code="ICU", name="Critical care", level=2, huddle_time="9:5")
    tiers.place_unit(db, IT, "4W", "MED", on=dt.date(2026, 10, 1))
    tiers.grant_role(db, IT, "MED", pg_team["manager"].person_id, "department_lead")
    with pytest.raises(
        ValidationError, match=r"MED \(Medicine\) cannot be removed: it holds its units \(4W\)"
    ):
        tiers.remove_tier(db, IT, "MED")
    with pytest.raises(ValidationError, match=r"its departments \(MED, SURG\)"):
        tiers.remove_tier(db, IT, "HOSP")
    with db.write() as s:
        unit = s.query(Unit).filter(Unit.code == "4W").one()
        med = tiers.tier_by_code(s, "MED")
        s.add(Escalation(unit_id=unit.id, tier_id=med.id, title="t", reason="r", status="resolved"))
    tiers.place_unit(db, IT, "4W", "SURG", on=dt.date(2026, 11, 2))
    with pytest.raises(ValidationError, match=r"units it held before \(4W\).*; 1 escalation\."):
        tiers.remove_tier(db, IT, "MED")
    tiers.create_tier(db, IT, code="SRUG", name="Typo", level=2)
    tiers.grant_role(db, IT, "SRUG", pg_team["staff"].person_id, "department_lead")
    assert tiers.remove_tier(db, IT, "SRUG") == 1
    assert "SRUG" not in {r.code for r in tiers.list_tiers(db)}


@pytest.mark.postgres
def test_one_hospital_per_server_and_departments_go_into_it(pg_team: Team) -> None:
    db = pg_team.db
    tiers.create_tier(db, IT, code="HOSP", name="St Elsewhere", level=3)
    with pytest.raises(ValidationError, match=r"already has its hospital, HOSP \(St Elsewhere\)"):
        tiers.create_tier(db, IT, code="HOSP2", name="Another", level=3)
    with pytest.raises(ValidationError, match="The hospital is the top tier"):
        tiers.create_tier(db, IT, code="HOSP2", name="Another", level=3, parent_code="HOSP")
    row = tiers.create_tier(db, IT, code="MED", name="Medicine", level=2)
    assert row.parent_code == "HOSP"
    with pytest.raises(ValidationError, match="Medicine is a department, not the hospital"):
        tiers.create_tier(db, IT, code="ICU", name="Critical care", level=2, parent_code="MED")


@pytest.mark.postgres
def test_placements_are_kept_with_their_dates(pg_team: Team) -> None:
    db = pg_team.db
    _hospital(db)
    with db.write() as s:
        s.query(Unit).filter(Unit.code == "4W").one().created_at = dt.datetime(2026, 1, 5, 8)
    tiers.place_unit(db, IT, "4W", "MED", on=dt.date(2026, 10, 20))
    tiers.place_unit(db, IT, "4W", "SURG", on=dt.date(2026, 11, 2))
    with db.read() as s:
        unit_id = s.query(Unit.id).filter(Unit.code == "4W").scalar()
        med = tiers.tier_by_code(s, "MED").id
        surg = tiers.tier_by_code(s, "SURG").id
        hosp = tiers.tier_by_code(s, "HOSP").id
        # The first department counts from the day the unit began.
        assert tiers.units_under(s, med, on=dt.date(2026, 1, 5)) == [unit_id]
        assert tiers.units_under(s, med, on=dt.date(2026, 1, 4)) == []
        assert tiers.units_under(s, med, on=dt.date(2026, 11, 1)) == [unit_id]
        assert tiers.units_under(s, med, on=dt.date(2026, 11, 2)) == []
        assert tiers.units_under(s, surg, on=dt.date(2026, 11, 2)) == [unit_id]
        assert tiers.units_under(s, hosp, on=dt.date(2026, 6, 1)) == [unit_id]
        assert tiers.units_under(s, med) == [] and tiers.units_under(s, surg) == [unit_id]
