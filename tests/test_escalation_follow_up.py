"""What the floor trial of escalations found: an escalation sent on keeps the unit's raise
date and age and says why it was sent on; an accepted one is followed up until resolved;
a declined action is the unit's again; the unit is told before filling the box that it is
already with the department, and when the department next meets; the department's board
keeps its order; the huddle's summary says what it sent up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import Team
from pypdf import PdfReader
from sqlalchemy import update
from test_escalations import IT, _escalate_item, _hospital, _tier_id

from hrohuddle.reports import huddle_summary
from hrohuddle.services import actions, dates, escalations, huddle_record, huddles, people, tiers
from hrohuddle.services.errors import ValidationError
from hrohuddle.store.models import Escalation, TierHuddle, utcnow


def _age(db: object, esc_id: int, days: int) -> dt.datetime:
    """The unit raised ``esc_id`` ``days`` days ago."""
    raised = utcnow() - dt.timedelta(days=days, hours=1)
    with db.write() as s:  # type: ignore[attr-defined]
        s.execute(update(Escalation).where(Escalation.id == esc_id).values(raised_at=raised))
    return raised


def _on(at: dt.datetime) -> str:
    return dates.day(dates.to_local(at))


@pytest.mark.postgres
def test_sent_on_to_the_hospital_it_keeps_the_units_raise_date_and_age(pg_team: Team) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _huddle, esc_id = _escalate_item(pg_team)
    raised = _age(db, esc_id, 7)
    escalations.answer(
        db, leaders["med"], esc_id, 1, outcome="escalated", text="Only the hospital has staff"
    )
    (up,) = escalations.tier_board(db, leaders["exec"], _tier_id(db, "HOSP")).escalations
    assert up.age_days == 7 and up.raised_at == raised and up.raised_by == "Cai Charge"
    assert up.sent_on_at is not None and up.sent_on_at > raised
    assert up.raised_words == (
        f"Raised by 4W on {_on(raised)}, sent on by Medicine on {_on(up.sent_on_at)}"
    )
    # The department's board and the unit's follow-up count from the unit's raise too.
    (med_row,) = escalations.tier_board(db, leaders["med"], _tier_id(db, "MED")).escalations
    assert med_row.age_days == 7 and med_row.raised_words == f"Raised by 4W on {_on(raised)}"
    assert {r.age_days for r in escalations.unit_follow_up(db, pg_team["charge_nurse"])} == {7}
    # The department's weekly view, which reads the table, follows the row back.
    with db.read() as s:
        assert escalations.first_raised(s, [up.id, esc_id]) == {
            up.id: (raised, pg_team["charge_nurse"].person_id),
            esc_id: (raised, pg_team["charge_nurse"].person_id),
        }


@pytest.mark.postgres
def test_the_hospital_reads_why_the_department_sent_it_on(pg_team: Team) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _huddle, esc_id = _escalate_item(pg_team)
    with pytest.raises(ValidationError, match="Say what the hospital needs to decide"):
        escalations.answer(db, leaders["med"], esc_id, 1, outcome="escalated", text=" ")
    with pytest.raises(ValidationError, match="Say what was done"):
        escalations.answer(db, leaders["med"], esc_id, 1, outcome="resolved", text=None)
    escalations.answer(
        db, leaders["med"], esc_id, 1, outcome="escalated", text="Approve agency staff"
    )
    (up,) = escalations.tier_board(db, leaders["exec"], _tier_id(db, "HOSP")).escalations
    assert up.sent_on_why == "Approve agency staff" and up.came_from == "Medicine"
    assert up.reason == "The bank has no one; we cannot cover safely."
    at_hospital = [
        r for r in escalations.unit_follow_up(db, pg_team["charge_nurse"]) if r.id == up.id
    ]
    assert [r.sent_on_why for r in at_hospital] == ["Approve agency staff"]


@pytest.mark.postgres
def test_an_accepted_escalation_is_followed_up_until_it_is_resolved(pg_team: Team) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    nurse = pg_team["charge_nurse"]
    huddle_id, esc_id = _escalate_item(pg_team)
    escalations.answer(
        db, lead, esc_id, 1, outcome="accepted", text="Float pool asked", owner="Bed manager"
    )
    # The answer shows once, with who gave it, on the board of the huddle that closes.
    (row,) = escalations.unit_follow_up(db, nurse, huddle_id)
    assert row.outcome_words == "Accepted" and not row.answer_shown
    assert row.answered_by_words == "Dee Lead, department lead"
    huddles.close_huddle(db, nurse, huddle_id)
    # Then it stays on the follow-up, in hand, until it is resolved.
    (row,) = escalations.unit_follow_up(db, nurse)
    needed = dates.day(dt.date.today() + dt.timedelta(days=1))
    assert row.answer_shown and row.is_accepted
    assert row.follow_up_words == f"Accepted, owner Bed manager, needed by {needed}"
    assert "accepted, owner Bed manager" in (
        escalations.already_escalated(db, nurse, huddle_item_id=_item_of(db, esc_id)) or ""
    )
    # Its leaders still have it on their board, and may only resolve it now.
    med = _tier_id(db, "MED")
    (on_board,) = escalations.tier_board(db, lead, med).escalations
    assert on_board.id == esc_id and on_board.is_accepted
    with pytest.raises(ValidationError, match="only be marked resolved"):
        escalations.answer(db, lead, esc_id, on_board.version, outcome="declined", text="No")
    escalations.answer(
        db, lead, esc_id, on_board.version, outcome="resolved", text="Two agency nurses came"
    )
    # The resolution shows once on the unit's next board, owner kept.
    (done,) = escalations.unit_follow_up(db, nurse)
    assert done.outcome_words == "Resolved" and not done.answer_shown
    assert done.answer == "Two agency nurses came" and done.owner == "Bed manager"
    assert done.answered_by_words == "Dee Lead, department lead"
    later = huddles.start_or_resume(db, nurse, local_now=dt.datetime.now() + dt.timedelta(hours=12))
    assert [r.id for r in escalations.unit_follow_up(db, nurse, later.id)] == [esc_id]
    huddles.close_huddle(db, nurse, later.id)
    assert escalations.unit_follow_up(db, nurse) == []
    assert escalations.already_escalated(db, nurse, huddle_item_id=_item_of(db, esc_id)) is None


def _item_of(db: object, esc_id: int) -> int:
    with db.read() as s:  # type: ignore[attr-defined]
        esc = s.get(Escalation, esc_id)
        assert esc is not None and esc.huddle_item_id is not None
        return esc.huddle_item_id


@pytest.mark.postgres
def test_a_declined_action_is_the_units_again_with_the_reason(pg_team: Team) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    nurse = pg_team["charge_nurse"]
    a = actions.create_action(db, nurse, "New drip stands", pg_team["staff"].person_id, None)
    sent = escalations.escalate(
        db, nurse, title="Drip stands", reason="Half broken", criteria=["resources"], action_id=a.id
    )
    (row,) = actions.open_actions(db, nurse)
    assert row.escalated and row.escalation_words == "Escalated"
    escalations.answer(
        db, leaders["med"], sent.id, 1, outcome="escalated", text="Capital spend is yours"
    )
    (up,) = escalations.tier_board(db, leaders["exec"], _tier_id(db, "HOSP")).escalations
    escalations.answer(
        db, leaders["exec"], up.id, up.version, outcome="declined", text="Estates own stands"
    )
    (row,) = actions.open_actions(db, nurse)
    today = dates.day(dt.date.today())
    assert not row.escalated
    assert row.escalation_words == f"Declined by St Elsewhere on {today}: Estates own stands"
    # It is the unit's again: it may go up once more.
    assert escalations.already_escalated(db, nurse, action_id=a.id) is None


@pytest.mark.postgres
def test_already_with_the_department_is_said_before_anything_is_filled_in(
    pg_team: Team,
) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    nurse = pg_team["charge_nurse"]
    _huddle, esc_id = _escalate_item(pg_team)
    item = _item_of(db, esc_id)
    today = dates.day(dt.date.today())
    said = escalations.already_escalated(db, nurse, huddle_item_id=item)
    assert said == (
        f"This is already with the department (Medicine): sent up on {today} and waiting "
        "for its answer."
    )
    # The service says the same, before it looks at what was typed.
    with pytest.raises(ValidationError, match=r"already with the department \(Medicine\)"):
        escalations.escalate(db, nurse, title="", reason="", criteria=[], huddle_item_id=item)
    escalations.answer(db, leaders["med"], esc_id, 1, outcome="escalated", text="Agency needed")
    assert (escalations.already_escalated(db, nurse, huddle_item_id=item) or "").startswith(
        "This is already with the hospital (St Elsewhere): sent up on"
    )
    assert escalations.already_escalated(db, nurse, action_id=12345) is None


def test_on_a_units_own_file_nothing_is_with_a_department(sqlite_team: Team) -> None:
    nurse = sqlite_team["charge_nurse"]
    assert escalations.already_escalated(sqlite_team.db, nurse, action_id=1) is None
    assert escalations.next_meeting(sqlite_team.db, nurse) is None


@pytest.mark.postgres
def test_the_unit_is_told_when_the_department_next_meets(pg_team: Team) -> None:
    db = pg_team.db
    nurse = pg_team["charge_nurse"]
    assert escalations.next_meeting(db, nurse) is None  # no department yet
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    _hospital(db, days=[tomorrow.isoweekday()])
    meets = escalations.next_meeting(db, nurse)
    assert meets is not None and meets.date() == tomorrow
    h = huddles.start_or_resume(db, nurse)
    item = huddles.add_item(db, nurse, h.id, "look_ahead", "No hoist", category="equipment")
    sent = escalations.escalate(
        db, nurse, title="No hoist", reason="Broken", criteria=["resources"], huddle_item_id=item.id
    )
    assert sent.tier_name == "Medicine" and sent.next_huddle is not None
    assert dates.to_local(sent.next_huddle) == meets
    assert sent.words == f"Sent to Medicine: it meets next on {dates.day(meets)} at {meets:%H:%M}"
    (row,) = escalations.unit_follow_up(db, nurse)
    assert row.tier_next_huddle == sent.next_huddle
    assert row.follow_up_words == (
        f"Waiting for an answer: Medicine meets {dates.day(meets)} at {meets:%H:%M}"
    )


@pytest.mark.postgres
def test_the_department_board_keeps_its_order_while_the_lead_answers(pg_team: Team) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    other = people.create_unit(
        db,
        code="2A",
        name="Unit 2A",
        admin=people.PersonInput("Ola Manager", "nursing", ["admin", "manager"], pin="2580"),
    )
    tiers.place_unit(db, IT, "2A", "MED")
    _huddle, first = _escalate_item(pg_team)
    second = escalations.escalate(
        db, other, title="Beds closed", reason="Flooding", criteria=["resources"]
    )
    med = _tier_id(db, "MED")

    def order() -> list[str]:
        return [u.code for u in escalations.tier_board(db, lead, med).units]

    assert order() == ["2A", "4W", "MEDL"]
    escalations.answer(db, lead, second.id, 1, outcome="declined", text="Estates are on it")
    assert order() == ["2A", "4W", "MEDL"]
    escalations.answer(db, lead, first, 1, outcome="resolved", text="Agency booked")
    assert order() == ["2A", "4W", "MEDL"]


@pytest.mark.postgres
def test_the_huddles_summary_says_what_it_sent_to_the_department(
    pg_team: Team, tmp_path: Path
) -> None:
    db = pg_team.db
    _hospital(db)
    nurse = pg_team["charge_nurse"]
    huddle_id, _esc = _escalate_item(pg_team)
    huddles.close_huddle(db, nurse, huddle_id)
    (sent,) = huddle_record.escalations_sent(db, nurse, huddle_id)
    needed = dates.day(dt.date.today() + dt.timedelta(days=1))
    assert sent.words == f"“Two nurses short on nights all week” to Medicine, needed by {needed}"
    out = huddle_summary.write(db, nurse, huddle_id, tmp_path / "summary.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "Escalated to the department" in text
    assert "Two nurses short on nights all week” to Medicine" in text


@pytest.mark.postgres
def test_accepted_at_an_earlier_department_huddle_come_after_what_is_open(
    pg_team: Team,
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    nurse = pg_team["charge_nurse"]
    huddle_id, accepted = _escalate_item(pg_team)
    escalations.answer(db, lead, accepted, 1, outcome="accepted", text="Asked", owner="Matron")
    huddles.close_huddle(db, nurse, huddle_id)  # the unit's board showed the answer
    med = _tier_id(db, "MED")
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with db.write() as s:
        s.execute(
            update(Escalation)
            .where(Escalation.id == accepted)
            .values(
                raised_at=utcnow() - dt.timedelta(days=3),
                answered_at=utcnow() - dt.timedelta(days=2),
            )
        )
        s.add(
            TierHuddle(
                tier_id=med,
                huddle_date=yesterday,
                scheduled_at=utcnow() - dt.timedelta(days=1),
                started_at=utcnow() - dt.timedelta(days=1),
                ended_at=utcnow() - dt.timedelta(days=1),
                status="closed",
            )
        )
    fresh = escalations.escalate(
        db, nurse, title="Pumps", reason="Old pumps", criteria=["resources"]
    ).id
    (card,) = [u for u in escalations.tier_board(db, lead, med).units if u.code == "4W"]
    assert [e.id for e in card.escalations] == [fresh, accepted]
    assert [r.id for r in escalations.unit_follow_up(db, nurse)] == [fresh, accepted]
