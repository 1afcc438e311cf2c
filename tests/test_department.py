"""The department view: a department's units side by side and together, for its lead.

On a real PostgreSQL server: the figures agree with each unit's own weekly figures,
every unit role and the lead of another department are refused, the hospital's
executive and IT are let in, a unit moved to another department takes its history
with it, and a unit on its own file is told plainly that this needs the shared server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics

import pytest
from conftest import Clock, Team

from hrohuddle.services import department, people, reporting, tiers
from hrohuddle.services.dates import to_utc
from hrohuddle.services.errors import PermissionDenied
from hrohuddle.services.permissions import command_line_actor
from hrohuddle.services.reporting import Week
from hrohuddle.store.database import Database
from hrohuddle.store.models import Escalation, Huddle, SafetyEvent, Tier, Unit

IT = command_line_actor(0, "command line (it)", frozenset({"manager", "admin"}))
SECRET = "Bed 12 pump ran dry while Mrs Example slept"


def _unit_id(db: Database, code: str) -> int:
    with db.read() as s:
        uid = s.query(Unit.id).filter(Unit.code == code).scalar()
        assert uid is not None
        return int(uid)


def _tier_id(db: Database, code: str) -> int:
    with db.read() as s:
        return tiers.tier_by_code(s, code).id


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return to_utc(dt.datetime.combine(day, dt.time(hh, mm)))


def week_of_data(db: Database, code: str, week: Week, *, huddles: int, late: int = 0) -> None:
    """A unit's week: huddles at day-shift starts (some late), reports of several kinds,
    an older week's near misses for the run chart, and an open escalation."""
    uid = _unit_id(db, code)
    with db.write() as s:
        for i in range(huddles):
            day = week.monday + dt.timedelta(days=i)
            start = _at(day, 8, 30) if i < late else _at(day, 7, 5 + i)
            s.add(
                Huddle(
                    unit_id=uid,
                    huddle_date=day,
                    shift="day",
                    status="closed",
                    started_at=start,
                    ended_at=start + dt.timedelta(minutes=10 + 2 * i),
                )
            )
        kinds = [("near_miss", None), ("good_catch", None), ("incident", "moderate")]
        for i, (kind, harm) in enumerate([*kinds[: 1 + huddles % 3], ("near_miss", None)]):
            day = week.monday + dt.timedelta(days=i)
            s.add(
                SafetyEvent(
                    unit_id=uid,
                    kind=kind,
                    category="medication",
                    harm=harm,
                    narrative=SECRET,
                    occurred_at=_at(day, 11),
                    shift="day",
                    reported_on=day,
                    anonymous=i == 0,
                )
            )
        earlier = week.shifted(-3).monday
        s.add(
            SafetyEvent(
                unit_id=uid,
                kind="near_miss",
                category="fall",
                narrative=SECRET,
                occurred_at=_at(earlier, 9),
                shift="day",
                reported_on=earlier,
            )
        )
        tier_id = s.query(Unit.tier_id).filter(Unit.id == uid).scalar()
        s.add(
            Escalation(
                unit_id=uid,
                tier_id=tier_id,
                title=f"{code}: a second hoist for the night shift",
                reason="Two near misses moving patients at night",
                raised_at=_at(week.monday, 9),
            )
        )


def began_long_ago(db: Database, *codes: str, days: int = 400) -> None:
    """The units began well before the weeks a test fills (a unit created today has
    no huddle to miss in an earlier week)."""
    with db.write() as s:
        for unit in s.query(Unit).filter(Unit.code.in_(codes)):
            unit.created_at = dt.datetime.now() - dt.timedelta(days=days)


def build_hospital(db: Database, today: dt.date) -> Week:
    """4W and 5E in Medicine, 6N in Surgery, all in the hospital; a week of data each."""
    tiers.create_tier(db, IT, code="HOSP", name="St Elsewhere", level=3)
    tiers.create_tier(db, IT, code="MED", name="Medicine", level=2, parent_code="HOSP")
    tiers.create_tier(db, IT, code="SURG", name="Surgery", level=2, parent_code="HOSP")
    for code, name, pin in (("5E", "Ward 5 East", "2580"), ("6N", "Ward 6 North", "2581")):
        people.create_unit(
            db,
            code=code,
            name=name,
            admin=people.PersonInput(f"Admin {code}", "nursing", ["admin"], pin=pin),
        )
    began_long_ago(db, "4W", "5E", "6N")
    tiers.place_unit(db, IT, "4W", "MED")
    tiers.place_unit(db, IT, "5E", "MED")
    tiers.place_unit(db, IT, "6N", "SURG")
    week = Week.of(today - dt.timedelta(days=14))
    week_of_data(db, "4W", week, huddles=5, late=1)
    week_of_data(db, "5E", week, huddles=3)
    week_of_data(db, "6N", week, huddles=7, late=2)
    return week


@pytest.fixture
def hospital(pg_team: Team, clock: Clock) -> tuple[Team, Week]:
    return pg_team, build_hospital(pg_team.db, clock.today)


@pytest.mark.postgres
def test_each_unit_and_the_department_agree_with_the_units_own_weekly_figures(
    hospital: tuple[Team, Week], clock: Clock
) -> None:
    team, week = hospital
    db = team.db
    med = department.department_week(db, IT, _tier_id(db, "MED"), week, today=clock.today)
    assert [c.code for c in med.columns] == ["4W", "5E"]
    for col in med.columns:
        unit_id = _unit_id(db, col.code)
        actor = command_line_actor(unit_id, "command line (it)", frozenset({"manager", "admin"}))
        own = reporting.weekly_figures(db, actor, week, unit_id, today=clock.today)
        assert (col.held, col.expected) == (own.huddles.held, own.huddles.expected)
        assert col.on_time == own.huddles.on_time
        assert col.median_minutes == own.huddles.median_minutes
        assert col.reports == own.events.total and col.by_kind == own.events.by_kind
        assert col.by_harm == own.events.by_harm
        assert (col.loop_within, col.loop_counted) == (own.loop.within, own.loop.counted)
        assert col.event_run.values == own.event_run.values
        assert col.event_run.weeks == own.event_run.weeks
        assert col.huddle_p.values == own.huddle_p.values
        assert col.open_escalations == 1
    together = med.together
    assert together.held == sum(c.held for c in med.columns) == 8
    assert together.expected == sum(c.expected for c in med.columns)
    assert together.on_time == 7
    lengths = [10 + 2 * i for i in range(5)] + [10 + 2 * i for i in range(3)]
    assert together.median_minutes == pytest.approx(statistics.median(lengths))
    assert together.reports == sum(c.reports for c in med.columns)
    assert together.harmed == sum(c.harmed for c in med.columns)
    assert together.event_run.values[-1] == sum(c.event_run.values[-1] or 0 for c in med.columns)
    assert {e.unit_code for e in med.escalations} == {"4W", "5E"}
    assert all(e.age_days == 6 for e in med.escalations)  # raised on the Monday
    assert sum(med.escalation_ages.values()) == 2


@pytest.mark.postgres
def test_the_hospital_sets_its_departments_side_by_side(
    hospital: tuple[Team, Week], clock: Clock
) -> None:
    team, week = hospital
    db = team.db
    hosp = department.department_week(db, IT, _tier_id(db, "HOSP"), week, today=clock.today)
    med = department.department_week(db, IT, _tier_id(db, "MED"), week, today=clock.today)
    assert hosp.column_word == "department"
    assert [(c.code, c.units) for c in hosp.columns] == [("MED", 2), ("SURG", 1)]
    assert hosp.columns[0].held == med.together.held
    assert hosp.together.held == 5 + 3 + 7
    assert len(hosp.escalations) == 3


@pytest.mark.postgres
def test_nothing_of_a_single_report_or_its_reporter_leaves_the_view(
    hospital: tuple[Team, Week], clock: Clock
) -> None:
    team, week = hospital
    db = team.db
    for code in ("MED", "HOSP"):
        view = department.department_week(db, IT, _tier_id(db, code), week, today=clock.today)
        text = repr(view)
        assert SECRET not in text and "Mrs Example" not in text
        for role, actor in team.by_role.items():
            assert actor.display_name not in text, role


@pytest.mark.postgres
def test_every_unit_role_and_another_departments_lead_are_refused(
    hospital: tuple[Team, Week], clock: Clock
) -> None:
    team, week = hospital
    db = team.db
    med = _tier_id(db, "MED")
    for role, actor in team.by_role.items():
        with pytest.raises(PermissionDenied, match="tier's leaders"):
            department.department_week(db, actor, med, week, today=clock.today)
        assert role
    lead = team["manager"]
    tiers.grant_role(db, IT, "SURG", lead.person_id, "department_lead")
    with pytest.raises(PermissionDenied):
        department.department_week(db, lead, med, week, today=clock.today)
    with pytest.raises(PermissionDenied):
        department.department_week(db, lead, _tier_id(db, "HOSP"), week, today=clock.today)
    surg = department.department_week(db, lead, _tier_id(db, "SURG"), week, today=clock.today)
    assert [c.code for c in surg.columns] == ["6N"]
    executive = team["charge_nurse"]
    tiers.grant_role(db, IT, "HOSP", executive.person_id, "executive_on_call")
    for code in ("MED", "SURG", "HOSP"):
        view = department.department_week(
            db, executive, _tier_id(db, code), week, today=clock.today
        )
        assert view.code == code


@pytest.mark.postgres
def test_a_role_taken_away_ends_the_view_at_once(hospital: tuple[Team, Week], clock: Clock) -> None:
    team, week = hospital
    db = team.db
    lead = team["staff"]
    tiers.grant_role(db, IT, "MED", lead.person_id, "department_lead")
    department.department_week(db, lead, _tier_id(db, "MED"), week, today=clock.today)
    tiers.revoke_role(db, IT, "MED", lead.person_id)
    with pytest.raises(PermissionDenied):
        department.department_week(db, lead, _tier_id(db, "MED"), week, today=clock.today)


@pytest.mark.postgres
def test_a_unit_moved_later_leaves_its_old_departments_past_weeks_as_they_were(
    hospital: tuple[Team, Week], clock: Clock
) -> None:
    """Moving 5E to Surgery today does not rewrite Medicine's week of a fortnight ago:
    that week still shows 5E (it was in Medicine then), Surgery's does not gain it, and
    this week Surgery shows it with its own figures and its open escalation."""
    team, week = hospital
    db = team.db
    before = department.department_week(db, IT, _tier_id(db, "MED"), week, today=clock.today)
    was = next(c for c in before.columns if c.code == "5E")
    tiers.place_unit(db, IT, "5E", "SURG")
    med = department.department_week(db, IT, _tier_id(db, "MED"), week, today=clock.today)
    surg = department.department_week(db, IT, _tier_id(db, "SURG"), week, today=clock.today)
    assert [c.code for c in med.columns] == ["4W", "5E"]
    assert [c.code for c in surg.columns] == ["6N"]
    kept = next(c for c in med.columns if c.code == "5E")
    assert (kept.held, kept.expected, kept.reports) == (was.held, was.expected, was.reports)
    assert (med.together.held, med.together.reports) == (
        before.together.held,
        before.together.reports,
    )
    assert any("held on" in n for n in med.notes)
    # This week, Surgery holds 5E; its open escalation went with it.
    now = Week.of(clock.today)
    surg_now = department.department_week(db, IT, _tier_id(db, "SURG"), now, today=clock.today)
    med_now = department.department_week(db, IT, _tier_id(db, "MED"), now, today=clock.today)
    assert [c.code for c in surg_now.columns] == ["5E", "6N"]
    assert [c.code for c in med_now.columns] == ["4W"]
    assert {e.unit_code for e in surg_now.escalations} == {"5E", "6N"}
    assert all(e.with_tier == "SURG" for e in surg_now.escalations)


@pytest.mark.postgres
def test_a_department_week_before_any_of_its_units_began_says_so(
    hospital: tuple[Team, Week], clock: Clock
) -> None:
    team, _week = hospital
    db = team.db
    old = Week.of(dt.date(2020, 1, 1))
    med = department.department_week(db, IT, _tier_id(db, "MED"), old, today=clock.today)
    assert med.columns == [] and not med.has_data
    assert med.notes[0].startswith(f"Nothing to show for {old.label}: none of Medicine's units")
    hosp = department.department_week(db, IT, _tier_id(db, "HOSP"), old, today=clock.today)
    assert hosp.together.units == 0 and hosp.together.expected == 0


@pytest.mark.postgres
def test_an_escalation_answered_after_the_week_still_counts_as_open_in_it(
    hospital: tuple[Team, Week], clock: Clock
) -> None:
    team, week = hospital
    db = team.db
    with db.write() as s:
        esc = s.query(Escalation).join(Unit, Unit.id == Escalation.unit_id)
        esc = esc.filter(Unit.code == "4W").one()
        esc.status = "accepted"
        esc.answered_at = _at(week.monday + dt.timedelta(days=9), 10)
    med = department.department_week(db, IT, _tier_id(db, "MED"), week, today=clock.today)
    assert {e.unit_code for e in med.escalations} == {"4W", "5E"}
    later = department.department_week(
        db, IT, _tier_id(db, "MED"), week.shifted(1), today=clock.today
    )
    assert {e.unit_code for e in later.escalations} == {"5E"}


@pytest.mark.postgres
def test_a_department_without_units_says_so(pg_team: Team, clock: Clock) -> None:
    db = pg_team.db
    tiers.create_tier(db, IT, code="ICU", name="Critical care", level=2)
    with db.read() as s:
        icu = s.query(Tier.id).filter(Tier.code == "ICU").scalar()
    view = department.department_week(db, IT, icu, Week.of(clock.today), today=clock.today)
    assert view.columns == [] and not view.has_data
    assert "no units yet" in view.notes[0]


def test_a_unit_on_its_own_file_is_told_it_needs_the_shared_server(
    sqlite_team: Team, clock: Clock
) -> None:
    with pytest.raises(tiers.NeedsSharedServer, match="shared server"):
        department.department_week(
            sqlite_team.db, sqlite_team["manager"], 1, Week.of(clock.today), today=clock.today
        )


@pytest.mark.postgres
def test_behaviour_reliability_is_the_units_own(pg_team: Team, clock: Clock) -> None:
    from hrohuddle.services import checklists

    db, cn = pg_team.db, pg_team["charge_nurse"]
    tiers.create_tier(db, IT, code="MED", name="Medicine", level=2)
    tiers.place_unit(db, IT, "4W", "MED")
    checklists.sync_templates(db)
    template = next(t for t in checklists.templates(db, cn.unit_id) if t.key == "error_prevention")
    session = checklists.start_session(db, cn, template.id, "huddle")
    items = {r.code: r.item_id for r in checklists.session_view(db, cn, session).responses}
    for code, result in [("SBAR", "observed"), ("STAR", "missed"), ("CHECK_BACK", "na")]:
        checklists.record(db, cn, session, items[code], result=result)
    checklists.finish(db, cn, session)
    week = Week.of(clock.today)
    sunday = week.monday + dt.timedelta(days=6)
    own = checklists.reliability(db, cn, week.monday, sunday)
    view = department.department_week(db, IT, _tier_id(db, "MED"), week, today=clock.today)
    col = view.columns[0]
    assert (col.observed, col.opportunities) == (1, 2)
    assert (col.observed, col.opportunities) == (
        sum(r.observed for r in own),
        sum(r.opportunities for r in own),
    )
    assert view.together.behaviour_share == 0.5


def test_a_new_unit_has_missed_no_huddle_from_before_it_began(team: Team, clock: Clock) -> None:
    """A unit created today is not short of the huddles of the weeks before it existed,
    on its weekly figures nor on a department's (both count expected huddles alike)."""
    manager = team["manager"]
    with team.db.read() as s:
        began = s.query(Unit.created_at).filter(Unit.code == "4W").scalar()
    assert began is not None
    before = Week.of(clock.today).shifted(-2)
    old = reporting.weekly_figures(team.db, manager, before, today=clock.today)
    assert (old.huddles.held, old.huddles.expected) == (0, 0)
    assert not old.has_data
    ancient = reporting.weekly_figures(team.db, manager, Week.parse("2020-W01"), today=clock.today)
    assert ancient.huddles.expected == 0
    # This week: only the shift starts since it began, never the whole week's 14.
    now = reporting.weekly_figures(team.db, manager, Week.of(clock.today), today=clock.today)
    assert now.huddles.expected < 14


@pytest.mark.postgres
def test_a_week_not_over_counts_so_far_to_today(hospital: tuple[Team, Week], clock: Clock) -> None:
    """A running week's figures are so far, to today: escalations open today with their
    ages on today, and the reports' run chart stops at the last whole week."""
    team, week = hospital
    db = team.db
    wednesday = week.monday + dt.timedelta(days=2)
    med = department.department_week(db, IT, _tier_id(db, "MED"), week, today=wednesday)
    assert med.running and med.last_day == wednesday
    assert all(e.age_days == 2 for e in med.escalations)  # raised on the Monday
    assert "so far" in med.span_words and "Sun" not in med.span_words.split("(")[0]
    assert med.open_words.startswith("open today")
    assert med.notes[0].startswith(f"{week.label} is not over: its figures are so far")
    for col in [med.together, *med.columns]:
        assert col.event_run.weeks[-1] == week.shifted(-1).label
        assert f"{week.label} is not over" in col.event_run.title
        assert col.huddle_p.weeks[-1] == week.label and "so far" in col.huddle_p.title
    # The whole week, once over, is counted to its Sunday with every chart to its end.
    done = department.department_week(db, IT, _tier_id(db, "MED"), week, today=clock.today)
    assert not done.running and all(e.age_days == 6 for e in done.escalations)
    assert done.together.event_run.weeks[-1] == week.label
    assert done.open_words.startswith("open at the week's end")


def test_the_quarter_shown_is_closed_by_today_while_the_week_runs() -> None:
    week = Week(2026, 53)  # Mon 28 Dec 2026 to Sun 3 Jan 2027
    assert department.closed_quarter(week, dt.date(2026, 12, 30)) == "2026-Q3"
    assert department.closed_quarter(week, dt.date(2027, 1, 5)) == "2026-Q4"
    assert department.closed_quarter(week) == "2026-Q4"


@pytest.mark.postgres
def test_the_signals_cell_counts_every_chart_of_its_column(
    hospital: tuple[Team, Week], clock: Clock
) -> None:
    """A heard-back chart with signals is counted in the Signals cell and its sort."""
    from hrohuddle.analytics import control_chart
    from hrohuddle.services.reporting import Series

    team, week = hospital
    db = team.db
    med = department.department_week(db, IT, _tier_id(db, "MED"), week, today=clock.today)
    together = med.together
    assert together.heard_back is med.loop_share
    assert [w for w, _s in together.charts] == ["huddles held", "reports", "heard back"]
    counted = [10] * 20
    chart = control_chart.p_chart([9] * 17 + [0] * 3, counted)
    assert chart.signals
    labels = [week.shifted(i - 19).label for i in range(20)]
    flagged = dataclasses.replace(
        together, heard_back=Series(labels, chart.values, chart, "heard back", "share")
    )
    words = department.signal_words(flagged)
    assert f"heard back: {len(chart.signals)}" in words
    header = department.HEADERS.index("Signals")
    assert department.sort_key(flagged, header)[1] >= len(chart.signals)
    assert department.row_cells(flagged)[header] == words
