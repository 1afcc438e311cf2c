"""The charge nurse's huddle, from start to close, and the actions it carries forward."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import Team

from hrohuddle.services import actions, huddle_record, huddles
from hrohuddle.services.errors import (
    Conflict,
    IdentifierWarning,
    PermissionDenied,
    ValidationError,
)
from hrohuddle.store.models import SafetyEvent, utcnow

MORNING = dt.datetime(2026, 11, 23, 7, 30)


def _event(team: Team, kind: str, hours_ago: float, text: str = "Wrong pump rate caught") -> int:
    with team.db.write() as s:
        e = SafetyEvent(
            unit_id=team.admin.unit_id,
            kind=kind,
            category="medication",
            narrative=text,
            occurred_at=utcnow() - dt.timedelta(hours=hours_ago),
            shift="day",
            reported_on=(utcnow() - dt.timedelta(hours=hours_ago)).date(),
        )
        s.add(e)
        s.flush()
        return e.id


def test_starting_twice_resumes_the_same_huddle(team: Team) -> None:
    cn = team["charge_nurse"]
    first = huddles.start_or_resume(team.db, cn, local_now=MORNING)
    again = huddles.start_or_resume(team.db, team["manager"], local_now=MORNING)
    assert first.id == again.id
    assert huddles.open_huddle(team.db, cn.unit_id).id == first.id


def test_only_charge_nurses_and_managers_run_the_huddle(team: Team) -> None:
    for role in ("learner", "staff", "preceptor", "admin"):
        with pytest.raises(PermissionDenied, match="run the huddle"):
            huddles.start_or_resume(team.db, team[role], local_now=MORNING)


def test_a_whole_huddle_and_its_action_in_the_next_one(team: Team) -> None:
    cn, db = team["charge_nurse"], team.db
    h = huddles.start_or_resume(db, cn, local_now=MORNING)
    huddles.set_present(db, cn, h.id, team["staff"].person_id, True)
    huddles.set_present(db, cn, h.id, team["learner"].person_id, True)
    huddles.set_head_count(db, cn, h.id, "physiotherapy", 2)
    huddles.add_item(db, cn, h.id, "look_back", "Fridge alarm sounded twice overnight")
    ahead = huddles.add_item(
        db, cn, h.id, "look_ahead", "Two nurses short after 15:00", category="staffing"
    )
    huddles.add_item(
        db,
        team["learner"],
        h.id,
        "teach",
        "Read-back for verbal orders",
        hro_principle="preoccupation_with_failure",
    )
    huddles.add_item(db, team["staff"], h.id, "recognise", "Thanks to the pharmacy team")
    today = MORNING.date()
    action = actions.create_action(
        db,
        cn,
        "Call the staffing office",
        team["staff"].person_id,
        today + dt.timedelta(days=1),
        item_id=ahead.id,
        today=today,
    )
    huddles.set_reflection(db, cn, h.id, "sensitivity_to_operations", True)
    b = huddles.board(db, cn, h.id, today=today)
    assert b.head_count == 5 and b.profession_mix == {
        "nursing": 2,
        "medicine": 1,
        "physiotherapy": 2,
    }
    assert [i.text for i in b.items["teach"]] == ["Read-back for verbal orders"]
    assert b.items["look_ahead"][0].action_id == action.id
    assert huddles.closing_warnings(b) == []
    closed = huddles.close_huddle(db, cn, h.id)
    assert closed.status == "closed" and closed.ended_at is not None
    evening = huddles.start_or_resume(db, cn, local_now=MORNING.replace(hour=19, minute=15))
    follow = huddles.board(db, cn, evening.id, today=today).follow_ups
    assert [a.title for a in follow] == ["Call the staffing office"]
    assert follow[0].owner == "Sol Staff"


def test_closing_an_empty_huddle_warns_but_allows(team: Team) -> None:
    cn = team["charge_nurse"]
    h = huddles.start_or_resume(team.db, cn, local_now=MORNING)
    warnings = huddles.closing_warnings(huddles.board(team.db, cn, h.id))
    assert "Look back is empty." in warnings and "Look ahead is empty." in warnings
    assert huddles.close_huddle(team.db, cn, h.id).status == "closed"
    with pytest.raises(ValidationError, match="closed"):
        huddles.add_item(team.db, cn, h.id, "look_back", "too late")


@pytest.mark.parametrize(
    "text",
    [
        "Mr Jones in bed 4 fell",
        "MRN 12345678 had a reaction",
        "DOB 12/03/1950 on the chart",
        "call family on 0412 345 678",
    ],
)
def test_patient_identifiers_are_caught_before_saving(team: Team, text: str) -> None:
    cn = team["charge_nurse"]
    h = huddles.start_or_resume(team.db, cn, local_now=MORNING)
    with pytest.raises(IdentifierWarning) as info:
        huddles.add_item(team.db, cn, h.id, "look_ahead", text, category="acuity")
    assert info.value.findings
    assert huddles.board(team.db, cn, h.id).items["look_ahead"] == []


def test_bad_items_get_clear_messages(team: Team) -> None:
    cn = team["charge_nurse"]
    h = huddles.start_or_resume(team.db, cn, local_now=MORNING)
    with pytest.raises(ValidationError, match="empty"):
        huddles.add_item(team.db, cn, h.id, "look_back", "   ")
    with pytest.raises(ValidationError, match="most is 500"):
        huddles.add_item(team.db, cn, h.id, "look_back", "x" * 501)
    with pytest.raises(PermissionDenied):
        huddles.add_item(
            team.db, team["learner"], h.id, "look_ahead", "Busy day", category="acuity"
        )
    huddles.add_item(team.db, cn, h.id, "teach", "Use SBAR for calls")
    with pytest.raises(ValidationError, match="already has its teaching point"):
        huddles.add_item(team.db, cn, h.id, "teach", "A second one")


def test_a_second_workstation_cannot_silently_overwrite_an_item(team: Team) -> None:
    cn, mgr = team["charge_nurse"], team["manager"]
    h = huddles.start_or_resume(team.db, cn, local_now=MORNING)
    item = huddles.add_item(team.db, cn, h.id, "look_back", "Bed rail broken")
    huddles.update_item(team.db, mgr, item.id, "Bed rail broken in bay 2", item.updated_at)
    with pytest.raises(Conflict, match="bay 2"):
        huddles.update_item(team.db, cn, item.id, "Bed rail fixed", item.updated_at)
    texts = [i.text for i in huddles.board(team.db, cn, h.id).items["look_back"]]
    assert texts == ["Bed rail broken in bay 2"]


def test_look_back_brings_recent_reports_and_good_catches(team: Team) -> None:
    cn = team["charge_nurse"]
    _event(team, "near_miss", 40, "Old one")
    earlier = huddles.start_or_resume(team.db, cn, local_now=dt.datetime.now() - dt.timedelta(1))
    huddles.close_huddle(team.db, cn, earlier.id)
    recent = _event(team, "near_miss", 3)
    catch = _event(team, "good_catch", 5, "Allergy spotted before the dose")
    h = huddles.start_or_resume(team.db, cn)
    b = huddles.board(team.db, cn, h.id)
    assert {e.id for e in b.look_back_events} == {recent, catch}
    assert [e.id for e in b.good_catches] == [catch]
    huddles.close_huddle(team.db, cn, h.id)
    closed = huddles.board(team.db, cn, h.id)
    assert any("Allergy spotted" in i.text for i in closed.items["recognise"])


def test_history_search_finds_huddles_by_their_items(team: Team) -> None:
    cn = team["charge_nurse"]
    h = huddles.start_or_resume(team.db, cn, local_now=MORNING)
    huddles.add_item(team.db, cn, h.id, "look_back", "Oxygen cylinder empty_100%")
    huddles.close_huddle(team.db, cn, h.id)
    assert [r.id for r in huddle_record.history(team.db, cn, search="cylinder empty_100%")] == [
        h.id
    ]
    # "_" and "%" are literal, not wildcards: "r_e" would otherwise match "cylinder empty".
    assert huddle_record.history(team.db, cn, search="r_e") == []


def test_history_reads_a_page_in_a_constant_number_of_statements(team: Team) -> None:
    from sqlalchemy import event

    cn = team["charge_nurse"]
    made = []
    for day in range(12):
        local = MORNING - dt.timedelta(days=day)
        h = huddles.start_or_resume(team.db, cn, local_now=local)
        for n in range(day % 3):
            huddles.add_item(team.db, cn, h.id, "look_back", f"Item {n} of day {day}")
        huddles.set_head_count(team.db, cn, h.id, "pharmacy", day % 4)
        huddles.close_huddle(team.db, cn, h.id)
        made.append((h.id, day % 3, day % 4))

    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = team.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        few = huddle_record.history(team.db, cn, limit=3)
        n_few = len(statements)
        statements.clear()
        many = huddle_record.history(team.db, cn, limit=50)
        n_many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(few) == 3 and len(many) == 12
    assert n_few == n_many
    by_id = {r.id: r for r in many}
    for hid, items, pharmacists in made:
        # Closing adds nothing to the look back here: no reports were filed.
        assert by_id[hid].items == items
        assert by_id[hid].attendance >= pharmacists
        assert by_id[hid].led_by == "Cai Charge"
    assert [r.started_at for r in many] == sorted((r.started_at for r in many), reverse=True)


def test_a_learner_looking_at_the_board_releases_nothing_the_charge_nurse_does(
    team: Team,
) -> None:
    """A due batch of anonymous reports leaves in the session of someone who runs the
    huddle or reviews reports, never in that of a sender glancing at the board."""
    from hrohuddle.services import anonymity, events

    db = team.db
    h = huddles.start_or_resume(db, team["charge_nurse"], local_now=MORNING)
    for n in range(3):
        events.report(
            db,
            team["learner"],
            events.EventInput(
                kind="near_miss",
                narrative=f"Pump line left unclamped, round {n}",
                category="medication",
                occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=20),
                area="Bays 1-4",
                noticed_by="learner",
                anonymous=True,
            ),
        )
    assert anonymity.waiting(db, team.admin.unit_id) == 3  # a full batch: due
    for role in ("learner", "staff"):
        huddles.board(db, team[role], h.id)
        assert anonymity.waiting(db, team.admin.unit_id) == 3, role
    huddles.board(db, team["charge_nurse"], h.id)
    assert anonymity.waiting(db, team.admin.unit_id) == 0
