"""Escalation up, answer down: an item of a unit's huddle goes to its department, is
answered there, and the answer is on the unit's next board; further up to the hospital;
two answers at once; a skipped department huddle; who may read a tier's board."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from conftest import Team
from sqlalchemy import select, update

from hrohuddle.services import actions, dates, escalations, events, home, huddles, people, tiers
from hrohuddle.services.errors import (
    EditConflict,
    IdentifierWarning,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from hrohuddle.services.permissions import Actor, command_line_actor
from hrohuddle.store.database import Database
from hrohuddle.store.models import Escalation, TierHuddle

IT = command_line_actor(0, "command line (it)", frozenset({"manager", "admin"}))


def _leader(db: Database, unit: str, name: str, tier: str, role: str) -> Actor:
    """A person of another unit who holds a role on ``tier``."""
    actor = people.create_unit(
        db,
        code=unit,
        name=f"Unit {unit}",
        admin=people.PersonInput(name, "nursing", ["admin"], pin="2580"),
    )
    tiers.grant_role(db, IT, tier, actor.person_id, role)
    return actor


EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]


def _hospital(db: Database, days: list[int] = EVERY_DAY) -> dict[str, Actor]:
    """The hospital and two departments meeting every day (whatever day the test runs on),
    unless ``days`` says otherwise; 4W in Medicine, and each tier's leader."""
    tiers.create_tier(
        db, IT, code="HOSP", name="St Elsewhere", level=3, huddle_time="10:30", huddle_days=days
    )
    for code, name in (("MED", "Medicine"), ("SURG", "Surgery")):
        tiers.create_tier(
            db, IT, code=code, name=name, level=2, parent_code="HOSP", huddle_days=days
        )
    tiers.place_unit(db, IT, "4W", "MED")
    leaders = {
        "med": _leader(db, "MEDL", "Dee Lead", "MED", "department_lead"),
        "surg": _leader(db, "SURL", "Sue Surgeon", "SURG", "department_lead"),
        "exec": _leader(db, "EXEC", "Eli Exec", "HOSP", "executive_on_call"),
    }
    tiers.place_unit(db, IT, "MEDL", "MED")
    tiers.place_unit(db, IT, "SURL", "SURG")
    return leaders


def _tier_id(db: Database, code: str) -> int:
    with db.read() as s:
        return tiers.tier_by_code(s, code).id


def _escalate_item(team: Team) -> tuple[int, int]:
    """The charge nurse starts the huddle, adds a staffing concern and sends it up."""
    nurse = team["charge_nurse"]
    h = huddles.start_or_resume(team.db, nurse)
    item = huddles.add_item(
        team.db, nurse, h.id, "look_ahead", "Two nurses short on nights", category="staffing"
    )
    esc = escalations.escalate(
        team.db,
        nurse,
        title="Two nurses short on nights all week",
        reason="The bank has no one; we cannot cover safely.",
        criteria=["resources", "serious_harm"],
        needed="Two nurses from the float pool",
        needed_by=dt.date.today() + dt.timedelta(days=1),
        huddle_item_id=item.id,
    )
    return h.id, esc.id


@pytest.mark.postgres
def test_an_escalation_goes_up_is_answered_and_the_answer_is_on_the_units_next_board(
    pg_team: Team,
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    huddle_id, esc_id = _escalate_item(pg_team)
    med = _tier_id(db, "MED")

    board = escalations.tier_board(db, lead, med)
    unit = next(u for u in board.units if u.code == "4W")
    (row,) = unit.escalations
    assert row.title == "Two nurses short on nights all week"
    assert row.criteria == (
        "Needs staff, beds or resources beyond the unit",
        "Risk of serious harm that the unit cannot control on its own",
    )
    assert row.reason == "The bank has no one; we cannot cover safely."
    assert row.raised_by == "Cai Charge" and row.is_open and not row.waiting
    # The unit's headline figures: its huddle today, its staffing concern in its words.
    assert unit.huddle_held and unit.staffing == ("Two nurses short on nights",)
    assert unit.open_actions == 0 and unit.overdue_actions == 0

    # The unit's board already lists it as waiting.
    (waiting,) = escalations.unit_follow_up(db, pg_team["staff"], huddle_id)
    assert waiting.is_open and waiting.outcome_words == "Waiting for an answer"

    with pytest.raises(ValidationError, match="Who owns it is empty"):
        escalations.answer(db, lead, esc_id, row.version, outcome="accepted", text="Yes")
    escalations.answer(
        db,
        lead,
        esc_id,
        row.version,
        outcome="accepted",
        text="Float pool sends two",
        owner="Bed manager",
    )

    (answer,) = escalations.unit_follow_up(db, pg_team["learner"], huddle_id)
    assert answer.outcome_words == "Accepted" and answer.owner == "Bed manager"
    assert answer.answer == "Float pool sends two"
    assert answer.answered_by_words == "Dee Lead, department lead"
    assert answer.answered_at is not None

    # Shown on the board of the huddle that closes with it; not on the next board.
    huddles.close_huddle(db, pg_team["charge_nurse"], huddle_id)
    with db.read() as s:
        assert s.get(Escalation, esc_id).shown_in_huddle_id == huddle_id  # type: ignore[union-attr]
    # Accepted, it stays on the follow-up as in hand, its answer not shown again.
    (still,) = escalations.unit_follow_up(db, pg_team["staff"])
    assert still.answer_shown and still.follow_up_words.startswith("Accepted, owner Bed manager")
    # The closed huddle's board still reads as it was.
    assert [r.id for r in escalations.unit_follow_up(db, pg_team["staff"], huddle_id)] == [esc_id]


@pytest.mark.postgres
def test_declined_needs_a_reason_and_an_action_escalated_is_marked_as_before(
    pg_team: Team,
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    nurse = pg_team["charge_nurse"]
    a = actions.create_action(db, nurse, "New drip stands", pg_team["staff"].person_id, None)
    esc_id = escalations.escalate(
        db,
        nurse,
        title="Drip stands broken",
        reason="Half the stands are broken; procurement has not answered",
        criteria=["outside_control"],
        action_id=a.id,
    ).id
    (row,) = actions.open_actions(db, nurse)
    assert row.escalated and row.escalation_reason == (
        "Half the stands are broken; procurement has not answered"
    )
    with pytest.raises(ValidationError, match="already with the department"):
        escalations.escalate(
            db, nurse, title="Again", reason="Again", criteria=["resources"], action_id=a.id
        )
    with pytest.raises(ValidationError, match="reason for declining is empty"):
        escalations.answer(db, lead, esc_id, 1, outcome="declined", text="  ")
    escalations.answer(db, lead, esc_id, 1, outcome="declined", text="Estates own the stands")
    (back,) = escalations.unit_follow_up(db, nurse)
    assert back.outcome_words == "Declined" and back.answer == "Estates own the stands"


@pytest.mark.postgres
def test_bad_escalations_are_refused_in_plain_words(pg_team: Team) -> None:
    db = pg_team.db
    nurse = pg_team["charge_nurse"]
    tiers.create_tier(db, IT, code="MED", name="Medicine", level=2)
    with pytest.raises(escalations.NoDepartment, match=r"no department yet.*tier place"):
        escalations.escalate(db, nurse, title="x", reason="y", criteria=["resources"])
    tiers.place_unit(db, IT, "4W", "MED")
    with pytest.raises(ValidationError, match="criteria"):
        escalations.escalate(db, nurse, title="x", reason="y", criteria=[])
    with pytest.raises(ValidationError, match="criteria"):
        escalations.escalate(db, nurse, title="x", reason="y", criteria=["made_up"])
    with pytest.raises(ValidationError, match=r"identif|MRN|patient"):
        escalations.escalate(
            db, nurse, title="Bed for MRN 12345678", reason="y", criteria=["resources"]
        )
    with pytest.raises(ValidationError, match="in the past"):
        escalations.escalate(
            db,
            nurse,
            title="x",
            reason="y",
            criteria=["resources"],
            needed_by=dt.date.today() - dt.timedelta(days=2),
        )
    for role in ("learner", "staff", "preceptor", "admin"):
        with pytest.raises(PermissionDenied):
            escalations.escalate(db, pg_team[role], title="x", reason="y", criteria=["resources"])
    assert escalations.escalate(
        db, pg_team["manager"], title="x", reason="y", criteria=["resources"]
    )


@pytest.mark.postgres
def test_escalated_further_reaches_the_hospitals_board_and_its_answer_the_unit(
    pg_team: Team,
) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _huddle, esc_id = _escalate_item(pg_team)
    hosp = _tier_id(db, "HOSP")
    assert escalations.tier_board(db, leaders["exec"], hosp).escalations == []
    escalations.answer(
        db, leaders["med"], esc_id, 1, outcome="escalated", text="Needs the hospital's float pool"
    )
    board = escalations.tier_board(db, leaders["exec"], hosp)
    (up,) = board.escalations
    assert up.parent_id == esc_id and up.came_from == "Medicine" and up.unit_code == "4W"
    assert board.units[0].department == "Medicine"
    # The department's board keeps it until its next huddle, answered "escalated".
    med_rows = escalations.tier_board(db, leaders["med"], _tier_id(db, "MED")).escalations
    assert [(r.id, r.status, r.passed_to) for r in med_rows] == [
        (esc_id, "escalated", "St Elsewhere")
    ]
    with pytest.raises(ValidationError, match="no tier above"):
        escalations.answer(db, leaders["exec"], up.id, up.version, outcome="escalated", text="?")
    escalations.answer(
        db, leaders["exec"], up.id, up.version, outcome="resolved", text="Agency booked"
    )
    words = {
        (r.outcome_words, r.answered_by_words)
        for r in escalations.unit_follow_up(db, pg_team["charge_nurse"])
    }
    assert words == {
        ("Escalated further", "Dee Lead, department lead"),
        ("Resolved", "Eli Exec, executive on call"),
    }


@pytest.mark.postgres
def test_two_answers_at_once_one_wins_the_other_is_told_who_answered(pg_team: Team) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _huddle, esc_id = _escalate_item(pg_team)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def answer(who: str, outcome: str, owner: str | None) -> None:
        start.wait()
        try:
            escalations.answer(
                db, leaders[who], esc_id, 1, outcome=outcome, text="From " + who, owner=owner
            )
            results[who] = "saved"
        except ServiceError as exc:
            results[who] = exc

    threads = [
        threading.Thread(target=answer, args=("med", "accepted", "Bed manager")),
        threading.Thread(target=answer, args=("exec", "declined", None)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results.values()) == ["EditConflict", "str"]
    lost = next(r for r in results.values() if isinstance(r, EditConflict))
    won = next(k for k, r in results.items() if r == "saved")
    first = {"med": "Accepted by Dee Lead", "exec": "Declined by Eli Exec"}[won]
    assert first in lost.message
    with db.read() as s:
        esc = s.get(Escalation, esc_id)
        assert esc is not None and esc.answer == "From " + won and esc.version == 2


@pytest.mark.postgres
def test_a_skipped_department_huddle_carries_and_the_wait_is_flagged_on_both_boards(
    pg_team: Team,
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    med = _tier_id(db, "MED")
    huddle_id, esc_id = _escalate_item(pg_team)
    # Raised three days ago; no department huddle since (skipped).
    with db.write() as s:
        s.execute(
            update(Escalation)
            .where(Escalation.id == esc_id)
            .values(raised_at=Escalation.raised_at - dt.timedelta(days=3))
        )
    hid = escalations.start_tier_huddle(db, lead, med)
    assert escalations.start_tier_huddle(db, lead, med) == hid  # resumed, not a second
    board = escalations.tier_board(db, lead, med)
    assert board.huddle is not None and board.huddle.is_open
    (row,) = board.escalations
    assert row.waiting and row.waiting_words == "Waiting past the department's huddle"
    assert row.age_days == 3 and board.waiting_count == 1
    (unit_row,) = escalations.unit_follow_up(db, pg_team["staff"], huddle_id)
    assert unit_row.waiting_words == "Waiting past the department's huddle"
    escalations.close_tier_huddle(db, lead, hid, "Float pool asked")
    with pytest.raises(ValidationError, match="already closed"):
        escalations.start_tier_huddle(db, lead, med)
    # Still open, so still on the board after the huddle.
    assert [r.id for r in escalations.tier_board(db, lead, med).escalations] == [esc_id]


@pytest.mark.postgres
def test_a_fresh_escalation_waits_once_a_department_huddle_is_held_after_it(
    pg_team: Team,
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    med = _tier_id(db, "MED")
    _huddle, esc_id = _escalate_item(pg_team)
    with db.read() as s:
        raised = s.get(Escalation, esc_id).raised_at  # type: ignore[union-attr]
    assert not escalations.tier_board(db, lead, med, now=raised).escalations[0].waiting
    with db.write() as s:
        s.add(
            TierHuddle(
                tier_id=med,
                huddle_date=dt.date.today() - dt.timedelta(days=9),
                scheduled_at=raised + dt.timedelta(minutes=1),
                started_at=raised + dt.timedelta(minutes=1),
                ended_at=raised + dt.timedelta(minutes=15),
                status="closed",
            )
        )
    (row,) = escalations.tier_board(
        db, lead, med, now=raised + dt.timedelta(minutes=20)
    ).escalations
    assert row.waiting


@pytest.mark.postgres
def test_one_raised_on_friday_evening_waits_for_mondays_department_huddle(
    pg_team: Team,
) -> None:
    """A department meeting Monday to Friday: nothing is flagged over the weekend; once
    Monday's huddle time and length have passed unanswered, it is."""
    db = pg_team.db
    lead = _hospital(db, days=[1, 2, 3, 4, 5])["med"]
    med = _tier_id(db, "MED")
    _huddle, esc_id = _escalate_item(pg_team)
    friday_evening = dates.to_utc(dt.datetime(2026, 11, 27, 19, 30))
    with db.write() as s:
        s.execute(
            update(Escalation).where(Escalation.id == esc_id).values(raised_at=friday_evening)
        )

    def waiting(local: dt.datetime) -> bool:
        (row,) = escalations.tier_board(db, lead, med, now=dates.to_utc(local)).escalations
        return row.waiting

    assert not waiting(dt.datetime(2026, 11, 28, 12, 0))  # Saturday
    assert not waiting(dt.datetime(2026, 11, 29, 23, 0))  # Sunday night
    assert not waiting(dt.datetime(2026, 11, 30, 9, 10))  # Monday, the huddle under way
    assert waiting(dt.datetime(2026, 11, 30, 9, 16))  # Monday's 09:00 huddle of 15 minutes


def test_a_tiers_days_are_read_and_said_in_plain_words() -> None:
    assert tiers.parse_days("mon-fri") == [1, 2, 3, 4, 5]
    assert tiers.parse_days("Every day") == [1, 2, 3, 4, 5, 6, 7]
    assert tiers.parse_days("mon,wed,fri") == [1, 3, 5]
    assert tiers.parse_days("sat-sun,wed") == [3, 6, 7]
    assert tiers.days_words((1, 2, 3, 4, 5)) == "Monday to Friday"
    assert tiers.days_words((1, 3, 5)) == "Monday, Wednesday, Friday"
    assert tiers.days_words(tuple(range(1, 8))) == "every day"
    for bad in ("weekdays", "fri-mon", "", "mon,funday"):
        with pytest.raises(ValidationError):
            tiers.parse_days(bad)


@pytest.mark.postgres
def test_who_may_read_a_tiers_board(pg_team: Team) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _escalate_item(pg_team)
    med, surg, hosp = (_tier_id(db, c) for c in ("MED", "SURG", "HOSP"))
    for role in ("learner", "staff", "preceptor", "charge_nurse", "manager", "admin"):
        with pytest.raises(PermissionDenied, match="tier's leaders"):
            escalations.tier_board(db, pg_team[role], med)
        with pytest.raises(PermissionDenied):
            escalations.start_tier_huddle(db, pg_team[role], med)
    with pytest.raises(PermissionDenied):
        escalations.tier_board(db, leaders["surg"], med)
    with pytest.raises(PermissionDenied):
        escalations.answer(db, leaders["surg"], 1, 1, outcome="resolved", text="Mine now")
    with pytest.raises(PermissionDenied):
        escalations.tier_board(db, leaders["med"], hosp)
    # The hospital's executive reads every department's board, and the hospital's.
    for tier in (med, surg, hosp):
        escalations.tier_board(db, leaders["exec"], tier)
    assert len(escalations.tier_board(db, leaders["exec"], med).escalations) == 1


@pytest.mark.postgres
def test_the_board_counts_reports_and_never_shows_one_or_its_reporter(pg_team: Team) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    events.report(
        db,
        pg_team["learner"],
        events.EventInput(
            kind="near_miss",
            narrative="Heparin drawn up beside insulin in the clean utility room",
            category="medication",
            occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=20),
            area="Bays 1-4",
            noticed_by="learner",
            anonymous=False,
        ),
    )
    board = escalations.tier_board(db, lead, _tier_id(db, "MED"))
    unit = next(u for u in board.units if u.code == "4W")
    assert unit.events == (("Near miss", "", 1),) and unit.events_total == 1
    shown = repr(board)
    assert "Heparin" not in shown and "Lee Learner" not in shown and "Bays" not in shown


@pytest.mark.postgres
def test_a_moved_units_open_escalations_go_with_it_and_answered_ones_stay(
    pg_team: Team,
) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _huddle, answered = _escalate_item(pg_team)
    escalations.answer(db, leaders["med"], answered, 1, outcome="resolved", text="Done")
    still_open = escalations.escalate(
        db, pg_team["charge_nurse"], title="Pumps", reason="Old pumps", criteria=["resources"]
    ).id
    assert tiers.place_unit(db, IT, "4W", "SURG") == 1
    surg = escalations.tier_board(db, leaders["surg"], _tier_id(db, "SURG"))
    assert [r.id for r in surg.escalations] == [still_open]
    med = escalations.tier_board(db, leaders["med"], _tier_id(db, "MED"))
    assert [r.id for r in med.escalations] == [answered]


def test_a_unit_on_its_own_file_is_told_plainly(sqlite_team: Team) -> None:
    db = sqlite_team.db
    with pytest.raises(tiers.NeedsSharedServer, match="shared server"):
        escalations.escalate(
            db, sqlite_team["charge_nurse"], title="x", reason="y", criteria=["resources"]
        )
    with pytest.raises(tiers.NeedsSharedServer):
        escalations.tier_board(db, sqlite_team["manager"], 1)
    assert escalations.unit_follow_up(db, sqlite_team["staff"]) == []


@pytest.mark.postgres
@pytest.mark.parametrize(
    "field,text,said",
    [
        (
            "title",
            "The only student nurse on last night's shift made the anonymous report about "
            "the interpreter",
            "Leave out who reported: what leaves the unit never says who made a report.",
        ),
        ("reason", "Reported by the bank HCA on nights", "Leave out who reported"),
        ("needed", "Ask the student who reported it", "Leave out who reported"),
        ("reason", "Lena was left alone with no interpreter", "names a person: “Lena”"),
        ("title", "Nurse Okafor covered two bays", "names a person: “Nurse Okafor”"),
        ("needed", "A word with Dr Bello", "names a person: “Dr Bello”"),
    ],
)
def test_what_goes_up_never_points_at_a_reporter_or_names_a_colleague(
    pg_team: Team, field: str, text: str, said: str
) -> None:
    db = pg_team.db
    _hospital(db)
    people.save_person(
        db, pg_team["admin"], people.PersonInput("Lena Okafor", "nursing", ["staff"], pin="8642")
    )
    words = {"title": "Interpreter gap", "reason": "No interpreter at night", "needed": None}
    words[field] = text
    with pytest.raises(IdentifierWarning) as refused:
        escalations.escalate(
            db,
            pg_team["charge_nurse"],
            title=words["title"] or "",
            reason=words["reason"] or "",
            needed=words["needed"],
            criteria=["resources"],
        )
    assert said in refused.value.message
    if "person" in said:
        assert "patient" not in refused.value.message
    with db.read() as s:
        assert s.scalar(select(Escalation.id)) is None


@pytest.mark.postgres
def test_a_department_huddle_closed_from_two_workstations_keeps_both_notes(
    pg_team: Team,
) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    med = _tier_id(db, "MED")
    tiers.grant_role(db, IT, "MED", pg_team["manager"].person_id, "department_lead")
    hid = escalations.start_tier_huddle(db, leaders["med"], med)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def close(who: Actor, note: str) -> None:
        start.wait()
        try:
            escalations.close_tier_huddle(db, who, hid, note)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=close, args=(leaders["med"], "Float pool asked for 4W")),
        threading.Thread(target=close, args=(pg_team["manager"], "Agency booked for nights")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    (row,) = [h for h in [escalations.tier_board(db, leaders["med"], med).huddle] if h]
    assert row.status == "closed" and row.note is not None
    assert "Float pool asked for 4W" in row.note and "Agency booked for nights" in row.note
    second = row.note.splitlines()[1]
    assert second.startswith("Added by ") and ("Dee Lead" in second or "Mo Manager" in second)
    # Closing again with no note changes nothing and says nothing.
    escalations.close_tier_huddle(db, leaders["med"], hid, None)
    assert escalations.tier_board(db, leaders["med"], med).huddle.note == row.note  # type: ignore[union-attr]


@pytest.mark.postgres
def test_a_moved_units_former_department_keeps_its_answers_but_not_its_live_figures(
    pg_team: Team,
) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _huddle, answered = _escalate_item(pg_team)
    escalations.answer(db, leaders["med"], answered, 1, outcome="resolved", text="Done")
    actions.create_action(
        db, pg_team["charge_nurse"], "Fix the pumps", pg_team["staff"].person_id, None
    )
    tiers.place_unit(db, IT, "4W", "SURG")
    med = escalations.tier_board(db, leaders["med"], _tier_id(db, "MED"))
    (card,) = [u for u in med.units if u.code == "4W"]
    assert card.moved and card.moved_words == "Moved to Surgery"
    assert [e.id for e in card.escalations] == [answered]
    # None of the unit's figures of today: its huddle, its staffing words, its actions.
    assert (card.huddles_today, card.staffing, card.events, card.open_actions) == (0, (), (), 0)
    # Its new department has its card, with its figures.
    surg = escalations.tier_board(db, leaders["surg"], _tier_id(db, "SURG"))
    (now_in,) = [u for u in surg.units if u.code == "4W"]
    assert not now_in.moved and now_in.huddle_held and now_in.open_actions == 1
    # A unit that never sent anything up and moved away has no card in its old department.
    assert [u.code for u in med.units] == sorted(["4W", "MEDL"])


@pytest.mark.postgres
def test_home_says_what_happened_to_an_action_sent_to_the_department(pg_team: Team) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    manager = pg_team["manager"]
    a = actions.create_action(db, manager, "New drip stands", pg_team["staff"].person_id, None)
    esc_id = escalations.escalate(
        db,
        manager,
        title="Drip stands broken",
        reason="Half are broken",
        criteria=["resources"],
        action_id=a.id,
    ).id
    today = dates.day(dt.date.today())
    (line,) = home.needs(db, manager).escalated
    assert line.words == (
        f"You sent “New drip stands” to Medicine on {today}: waiting for its answer · "
        "why: Half are broken"
    )
    assert "Escalated to you" not in line.words
    escalations.answer(db, lead, esc_id, 1, outcome="accepted", text="Estates", owner="Estates")
    (line,) = home.needs(db, manager).escalated
    assert line.words == f"Medicine answered “New drip stands” on {today}: accepted"
