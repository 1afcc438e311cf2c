"""A report's journey back to its reporter: acknowledged, local fix, shared, action,
system change; each dated with a sentence, the first feedback day kept, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import Clock, Team
from sqlalchemy import select

from hrohuddle.services import actions, conversation, events, home, huddles, journey
from hrohuddle.services.errors import PermissionDenied, ValidationError
from hrohuddle.store.models import Action, ReportStep, SafetyEvent


def _report(team: Team, who: str = "learner", *, anonymous: bool = False, text: str = "") -> int:
    sent = events.report(
        team.db,
        team[who],
        events.EventInput(
            kind="near_miss",
            narrative=text or "Two look-alike vials stored side by side in the drug room",
            category="medication",
            occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
            anonymous=anonymous,
        ),
    )
    assert sent.event_id is not None
    return sent.event_id


def _event(team: Team, event_id: int) -> SafetyEvent:
    with team.db.read() as s:
        event = s.get(SafetyEvent, event_id)
        assert event is not None
        s.expunge(event)
        return event


def test_every_report_is_acknowledged_and_nothing_more_counts_as_feedback(team: Team) -> None:
    event_id = _report(team)
    thread = conversation.open_mine(team.db, team["learner"], event_id)
    assert [s.step for s in thread.steps] == ["acknowledged"]
    assert thread.steps[0].sentence == journey.ACKNOWLEDGED
    assert _event(team, event_id).first_feedback_on is None


def test_reviewer_records_a_local_fix_and_a_system_change_with_sentences(
    team: Team, clock: Clock
) -> None:
    event_id = _report(team)
    cn = team["charge_nurse"]
    yesterday = clock.today - dt.timedelta(days=1)
    with team.db.write() as s:  # reported two days ago, so yesterday's fix is after it
        s.get(SafetyEvent, event_id).reported_on = clock.today - dt.timedelta(days=2)  # type: ignore[union-attr]
    fix = journey.record_step(team.db, cn, event_id, "local_fix", on=yesterday)
    assert fix.sentence == journey.DEFAULT_SENTENCES["local_fix"] and fix.on_date == yesterday
    change = journey.record_step(
        team.db, cn, event_id, "system_change", "The vials now live on separate shelves."
    )
    assert change.on_date == clock.today
    steps = conversation.open_mine(team.db, team["learner"], event_id).steps
    assert [(s.step, s.on_date) for s in steps][1:] == [
        ("local_fix", yesterday),
        ("system_change", clock.today),
    ]
    assert steps[-1].sentence == "The vials now live on separate shelves."
    # Told on the day it was recorded; a later step never moves the first day later.
    assert _event(team, event_id).first_feedback_on == clock.today
    journey.record_step(team.db, cn, event_id, "shared", today=clock.today + dt.timedelta(days=3))
    assert _event(team, event_id).first_feedback_on == clock.today


def test_a_step_is_refused_in_the_future_before_the_report_or_by_a_learner(
    team: Team, clock: Clock
) -> None:
    event_id = _report(team)
    cn = team["charge_nurse"]
    with pytest.raises(ValidationError, match="future"):
        journey.record_step(team.db, cn, event_id, "local_fix", on=clock.today + dt.timedelta(1))
    with pytest.raises(ValidationError, match="before the report"):
        journey.record_step(team.db, cn, event_id, "local_fix", on=clock.today - dt.timedelta(9))
    with pytest.raises(ValidationError, match="step of the journey"):
        journey.record_step(team.db, cn, event_id, "acknowledged")
    with pytest.raises(ValidationError, match="identify a patient"):
        journey.record_step(team.db, cn, event_id, "local_fix", "Fixed for MRN 12345678")
    with pytest.raises(PermissionDenied):
        journey.record_step(team.db, team["learner"], event_id, "local_fix")


def test_an_action_made_from_review_names_the_owners_role_and_due_date(
    team: Team, clock: Clock
) -> None:
    event_id = _report(team)
    due = clock.today + dt.timedelta(days=5)
    actions.create_action(
        team.db,
        team["charge_nurse"],
        "Separate the look-alike vials",
        team["staff"].person_id,
        due,
        event_id=event_id,
    )
    event = _event(team, event_id)
    assert event.status == "action_planned" and event.first_feedback_on == clock.today
    step = conversation.open_mine(team.db, team["learner"], event_id).steps[-1]
    assert step.step == "action" and step.on_date == clock.today
    assert "a member of staff" in step.sentence and "Sol" not in step.sentence
    assert f"{due.day} {due:%b %Y}" in step.sentence


def test_an_action_made_in_a_huddle_from_a_named_report_moves_it_on(
    team: Team, clock: Clock
) -> None:
    """The finding: an action made on the board from a look back report left it "New"."""
    db, cn = team.db, team["charge_nurse"]
    event_id = _report(team)
    huddle = huddles.start_or_resume(db, cn)
    board = huddles.board(db, cn, huddle.id)
    assert event_id in {e.id for e in board.look_back_events}
    actions.create_action(
        db,
        cn,
        "Check the drug room shelves",
        team["staff"].person_id,
        clock.today,
        huddle_id=huddle.id,
        event_id=event_id,
    )
    assert _event(team, event_id).status == "action_planned"
    assert [s.step for s in conversation.open_mine(db, team["learner"], event_id).steps] == [
        "acknowledged",
        "action",
    ]


def test_an_action_from_a_closed_huddles_item_reaches_its_report(team: Team, clock: Clock) -> None:
    db, cn = team.db, team["charge_nurse"]
    event_id = _report(team)
    huddle = huddles.start_or_resume(db, cn)
    huddles.close_huddle(db, cn, huddle.id)
    with db.read() as s:
        from hrohuddle.store.models import HuddleItem

        item_id = s.scalar(select(HuddleItem.id).where(HuddleItem.event_id == event_id))
    assert item_id is not None
    with db.write() as s:  # the item is still open to actions while its huddle runs
        from hrohuddle.store.models import Huddle

        h = s.get(Huddle, huddle.id)
        assert h is not None
        h.status = "open"
    made = actions.create_action(
        db, cn, "Label the shelves", team["staff"].person_id, clock.today, item_id=item_id
    )
    assert made.event_id == event_id
    assert _event(team, event_id).status == "action_planned"


def test_a_closing_huddle_shares_each_report_on_its_look_back_once(
    team: Team, clock: Clock
) -> None:
    db, cn = team.db, team["charge_nurse"]
    event_id = _report(team)
    huddle = huddles.start_or_resume(db, cn)
    huddles.close_huddle(db, cn, huddle.id)
    with db.read() as s:
        shared = s.execute(
            select(ReportStep.on_date, ReportStep.huddle_id, ReportStep.sentence).where(
                ReportStep.event_id == event_id, ReportStep.step == "shared"
            )
        ).all()
    assert len(shared) == 1 and shared[0][1] == huddle.id
    assert shared[0][0] == huddle.huddle_date and "safety huddle" in shared[0][2]
    assert _event(team, event_id).first_feedback_on == huddle.huddle_date


def test_staff_who_own_an_action_close_it_themselves(team: Team, clock: Clock) -> None:
    """The finding: a staff member who owns an action could not close it from Home."""
    db = team.db
    made = actions.create_action(
        db, team["charge_nurse"], "Restock the sluice", team["staff"].person_id, clock.today
    )
    mine = home.needs(db, team["staff"], today=clock.today).my_actions
    assert [a.id for a in mine] == [made.id]
    with pytest.raises(PermissionDenied):
        actions.close_action(db, team["learner"], made.id, "Not mine to close")
    actions.close_action(db, team["staff"], made.id, "Restocked")
    with db.read() as s:
        assert s.scalar(select(Action.status).where(Action.id == made.id)) == "closed"
    assert home.needs(db, team["staff"], today=clock.today).my_actions == []


def test_home_tells_a_named_reporter_their_report_moved_or_awaits_them(
    team: Team, clock: Clock
) -> None:
    db, me = team.db, team["learner"]
    event_id = _report(team)
    assert home.needs(db, me, today=clock.today).my_reports == []
    journey.record_step(db, team["charge_nurse"], event_id, "local_fix")
    (moved,) = home.needs(db, me, today=clock.today).my_reports
    assert moved.event_id == event_id and moved.moved and not moved.question
    conversation.open_mine(db, me, event_id)
    assert home.needs(db, me, today=clock.today).my_reports == []
    conversation.ask(db, team["charge_nurse"], event_id, "Which shelf were they on?")
    (asked,) = home.needs(db, me, today=clock.today).my_reports
    assert asked.question
    conversation.open_mine(db, me, event_id)
    assert home.needs(db, me, today=clock.today).my_reports[0].question  # still to answer
    conversation.write_mine(db, me, event_id, "answer", "The top shelf, left side.")
    assert home.needs(db, me, today=clock.today).my_reports == []
    # Someone else's news is never theirs.
    assert home.needs(db, team["staff"], today=clock.today).my_reports == []


def test_an_actions_sentence_reads_as_one_sentence_whatever_the_title_ends_with() -> None:
    said = journey.action_sentence("Keep the two insulin pens apart.", "a manager", None)
    assert said == (
        "An action was agreed: “Keep the two insulin pens apart”. It is owned by a manager."
    )
    asked = journey.action_sentence("Who checks the pens?", "a manager", None)
    assert asked == "An action was agreed: “Who checks the pens?” It is owned by a manager."


def test_home_tells_a_named_reporter_of_a_join_and_of_new_feedback(
    team: Team, clock: Clock
) -> None:
    db, me, cn = team.db, team["learner"], team["charge_nurse"]
    first = _report(team, "staff")
    joined = _report(team)
    told = _report(team)
    for event_id in (joined, told):
        conversation.open_mine(db, me, event_id)
    assert home.needs(db, me, today=clock.today).my_reports == []
    events.triage(db, cn, joined, status="duplicate", merged_into=first)
    events.triage(db, cn, told, status="under_review", feedback="Thank you, we are on it.")
    news = {r.event_id: r for r in home.needs(db, me, today=clock.today).my_reports}
    assert set(news) == {joined, told}
    assert news[joined].joined and news[joined].moved and not news[told].joined


def test_home_is_not_flooded_by_old_reports_never_opened(team: Team, clock: Clock) -> None:
    db, me = team.db, team["learner"]
    old = _report(team)
    recent = _report(team)
    journey.record_step(db, team["charge_nurse"], old, "local_fix")
    journey.record_step(db, team["charge_nurse"], recent, "local_fix")
    long_ago = dt.datetime.now() - dt.timedelta(days=200)
    with db.write() as s:  # reported and fixed months ago, never opened since
        s.get(SafetyEvent, old).reported_on = long_ago.date()  # type: ignore[union-attr]
        for step in s.scalars(select(ReportStep).where(ReportStep.event_id == old)):
            step.created_at = long_ago
            step.on_date = long_ago.date()
    assert [r.event_id for r in home.needs(db, me, today=clock.today).my_reports] == [recent]


def test_the_same_step_twice_on_the_same_day_is_refused_naming_who_recorded_it(
    team: Team, clock: Clock
) -> None:
    import threading

    event_id = _report(team)
    reviewers = [team["charge_nurse"], team["manager"]]
    outcomes: list[object] = []

    def record(n: int) -> None:
        try:
            outcomes.append(journey.record_step(team.db, reviewers[n], event_id, "local_fix"))
        except ValidationError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1
    names = {r.display_name for r in reviewers}
    assert any(f"{n} already recorded a local fix today." == refused[0].message for n in names)
    steps = conversation.open_mine(team.db, team["learner"], event_id).steps
    assert [s.step for s in steps] == ["acknowledged", "local_fix"]
    # Another kind of step, or the same one another day, is still recorded.
    journey.record_step(team.db, reviewers[0], event_id, "shared")
    journey.record_step(
        team.db, reviewers[0], event_id, "local_fix", today=clock.today + dt.timedelta(days=1)
    )
