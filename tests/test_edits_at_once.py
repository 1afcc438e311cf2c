"""Two people editing one record: the second save is refused with what changed, never a
silent overwrite; census weeks show what is stored and import says what it replaces."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
from conftest import Team

from hrohuddle.services import actions, census, edits, events, observations, people
from hrohuddle.services.errors import EditConflict, ValidationError
from hrohuddle.store.opening import open_database

FIXTURES = Path(__file__).parent / "fixtures" / "db"


def _event(team: Team) -> int:
    data = events.EventInput(
        kind="near_miss",
        narrative="Insulin drawn up for the wrong bay, caught at the check",
        category="medication",
        occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        area="Bays 1-4",
        stopped_by="barrier",
    )
    return events.report(team.db, team["staff"], data).event_id


def test_two_reviewers_triaging_one_report_cannot_overwrite_each_other(team: Team) -> None:
    event_id = _event(team)
    first, second = team["charge_nurse"], team["manager"]
    seen_first = events.triage_version(team.db, first, event_id)
    seen_second = events.triage_version(team.db, second, event_id)
    events.triage(
        team.db,
        first,
        event_id,
        status="action_planned",
        summary="Bays relabelled",
        feedback="Thank you: the bays are relabelled.",
        expected_version=seen_first,
    )
    with pytest.raises(EditConflict) as caught:
        events.triage(
            team.db,
            second,
            event_id,
            status="under_review",
            summary="Looked at it",
            expected_version=seen_second,
        )
    assert "status is now “action_planned”" in caught.value.message
    assert ("the reviewer summary", "Bays relabelled", "Looked at it") in caught.value.changes
    stored = events.get(team.db, first, event_id)
    assert (
        stored.status == "action_planned"
        and stored.feedback == "Thank you: the bays are relabelled."
    )
    # Having seen theirs, the second reviewer can apply what they typed, knowingly.
    events.triage(
        team.db,
        second,
        event_id,
        status="closed",
        summary="Bays relabelled; closed",
        feedback=stored.feedback,
        expected_version=caught.value.current_version,
    )
    assert events.get(team.db, first, event_id).status == "closed"


def _observation(team: Team) -> int:
    from hrohuddle.services import checklists

    preceptor, learner = team["preceptor"], team["learner"]
    today = dt.date.today()
    observations.assign(
        team.db,
        team["manager"],
        preceptor.person_id,
        learner.person_id,
        today - dt.timedelta(days=30),
    )
    checklists.sync_templates(team.db)
    return observations.log(
        team.db,
        preceptor,
        learner.person_id,
        observed_on=today - dt.timedelta(days=1),
        setting="handoff",
        domains=["C"],
        behaviours=["SBAR"],
        rating=3,
        strengths="Clear and calm",
        next_steps="Lead a handoff",
    )


def test_a_second_acknowledge_from_an_old_screen_keeps_the_first_reply(team: Team) -> None:
    obs_id = _observation(team)
    learner = team["learner"]
    row = next(
        r for r in observations.observations(team.db, learner, learner.person_id) if r.id == obs_id
    )
    observations.acknowledge(
        team.db, learner, obs_id, "Thanks, will do", expected_version=row.version
    )
    with pytest.raises(EditConflict, match="Thanks, will do"):
        observations.acknowledge(
            team.db, learner, obs_id, "A different reply", expected_version=row.version
        )
    again = next(
        r for r in observations.observations(team.db, learner, learner.person_id) if r.id == obs_id
    )
    assert again.learner_reply == "Thanks, will do"


def test_an_action_changed_by_someone_else_is_not_overwritten(team: Team) -> None:
    nurse, manager = team["charge_nurse"], team["manager"]
    action = actions.create_action(team.db, nurse, "Fix the pump", nurse.person_id, None)
    actions.reassign_action(
        team.db, manager, action.id, manager.person_id, expected_version=action.version
    )
    with pytest.raises(EditConflict, match="owner is now “Mo Manager”"):
        actions.change_due(
            team.db,
            nurse,
            action.id,
            dt.date.today() + dt.timedelta(days=3),
            expected_version=action.version,
        )


def test_unit_settings_and_people_refuse_a_stale_save(team: Team) -> None:
    admin = team.admin
    seen = edits.unit_version(team.db, admin.unit_id)
    people.update_unit_settings(team.db, admin, expected_version=seen, huddle_target_minutes=20)
    with pytest.raises(EditConflict, match="huddle target minutes is now “20”"):
        people.update_unit_settings(team.db, admin, expected_version=seen, huddle_target_minutes=12)
    pid = team["staff"].person_id
    seen_person = edits.person_version(team.db, pid)
    people.save_person(
        team.db,
        admin,
        people.PersonInput("Sol Staff", "medicine", ["staff", "preceptor"]),
        pid,
        expected_version=seen_person,
    )
    with pytest.raises(EditConflict, match="roles is now"):
        people.save_person(
            team.db,
            admin,
            people.PersonInput("Sol Staff", "medicine", ["staff"]),
            pid,
            expected_version=seen_person,
        )


def test_the_census_form_sees_the_stored_value_and_refuses_a_stale_or_incomplete_week(
    team: Team,
) -> None:
    manager = team["manager"]
    census.set_week(team.db, manager, "2026-W40", 190)
    stored = census.get_week(team.db, manager, "2026-W40")
    assert stored.patient_days == 190 and stored.version == 1 and stored.complete
    census.set_week(team.db, manager, "2026-W40", 195, expected_version=stored.version)
    with pytest.raises(EditConflict, match="patient-days is now “195”"):
        census.set_week(team.db, manager, "2026-W40", 180, expected_version=stored.version)
    this_week = dt.date.today().isocalendar()
    with pytest.raises(ValidationError, match="not over yet"):
        census.set_week(team.db, manager, f"{this_week[0]}-W{this_week[1]:02d}", 40)
    empty = census.get_week(team.db, manager, "2026-W20")
    assert empty.patient_days is None and empty.version is None
    census.set_week(team.db, manager, "2026-W20", 170, expected_version=0)


def test_census_import_says_what_it_adds_and_replaces_and_asks(
    sqlite_team: Team, tmp_path: Path
) -> None:
    manager = sqlite_team["manager"]
    census.set_week(sqlite_team.db, manager, "2026-W40", 190)
    census.set_week(sqlite_team.db, manager, "2026-W41", 180)
    path = tmp_path / "census.csv"
    path.write_text("week,patient_days\n2026-W40,200\n2026-W41,180\n2026-W42,175\n")
    plan = census.plan_import(sqlite_team.db, manager, path)
    assert [r.week_start for r in plan.added] == [dt.date(2026, 10, 12)]
    assert plan.replaced == [(dt.date(2026, 9, 28), 190, 200)] and plan.unchanged == 1
    assert census.import_csv(sqlite_team.db, manager, path, replace=False) == 1
    assert census.get_week(sqlite_team.db, manager, "2026-W40").patient_days == 190
    assert census.import_csv(sqlite_team.db, manager, path, replace=True) == 1
    assert census.get_week(sqlite_team.db, manager, "2026-W40").patient_days == 200
    this_week = dt.date.today().isocalendar()
    current = tmp_path / "current.csv"
    current.write_text(f"{this_week[0]}-W{this_week[1]:02d},30\n")
    with pytest.raises(ValidationError, match=r"Line 1: .*not over yet"):
        census.plan_import(sqlite_team.db, manager, current)


def test_census_import_reads_a_huge_line_with_bounded_memory(
    sqlite_team: Team, tmp_path: Path
) -> None:
    manager = sqlite_team["manager"]
    wide = tmp_path / "wide.csv"
    wide.write_text("2026-W40," + "9" * 200_000 + "\n")
    with pytest.raises(ValidationError, match=r"Line 1 of wide\.csv is longer"):
        census.import_csv(sqlite_team.db, manager, wide)
    huge = tmp_path / "huge.csv"
    with huge.open("w") as handle:
        handle.write("2026-W40,")
        chunk = "7" * 1_000_000
        for _ in range(64):
            handle.write(chunk)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match="longer than a census row"):
            census.import_csv(sqlite_team.db, manager, huge)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000, peak
    latin = tmp_path / "latin.csv"
    latin.write_bytes("semaine,jours\n2026-W40,190\n\xe9t\xe9,1\n".encode("latin-1"))
    with pytest.raises(ValidationError, match="not UTF-8"):
        census.import_csv(sqlite_team.db, manager, latin)


def test_existing_rows_are_at_version_one_after_the_upgrade(tmp_path: Path) -> None:
    file = tmp_path / "unit.sqlite3"
    shutil.copy(FIXTURES / "0002_lookback_indexes.sqlite3", file)
    opened = open_database(f"sqlite:///{file}", tmp_path / "backups")
    opened.db.dispose()
    conn = sqlite3.connect(file)
    try:
        for table in ("safety_events", "actions", "weekly_census", "units", "people"):
            versions = {r[0] for r in conn.execute(f"SELECT version FROM {table}")}
            assert versions <= {1}, table
        assert conn.execute("SELECT count(*) FROM safety_events").fetchone()[0] > 0
    finally:
        conn.close()
