"""Good catch to teaching point: only good catches whose reporters agreed are offered, in
the reviewer's words (the reporter's own only with consent); the teaching point is linked
to its report and the recognition names the reporter only when they asked."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import Team
from sqlalchemy import select, update
from test_bulletin import report, summarise

from hrohuddle.services import huddles, teaching
from hrohuddle.services.errors import NotFound, PermissionDenied, ValidationError
from hrohuddle.store.models import HuddleItem, SafetyEvent


def test_agreed_good_catches_of_the_last_30_days_are_offered(team: Team) -> None:
    db, cn = team.db, team["charge_nurse"]
    summarised = report(db, team["learner"], "good_catch", "Allergy caught", teaching=True)
    summarise(db, summarised, "A penicillin allergy caught at the bedside check")
    own_words = report(
        db,
        team["staff"],
        "good_catch",
        "Second check found the wrong pump rate",
        teaching=True,
        words=True,
    )
    private = report(
        db, team["staff"], "good_catch", "Zorbulax only for the reviewers", teaching=True
    )
    report(db, team["staff"], "good_catch", "Not for teaching")
    old = report(db, team["staff"], "good_catch", "Long ago", teaching=True)
    with db.write() as s:
        s.execute(
            update(SafetyEvent)
            .where(SafetyEvent.id == old)
            .values(reported_on=dt.date.today() - dt.timedelta(days=31))
            .execution_options(synchronize_session=False)
        )
    offers = {o.event_id: o for o in teaching.offers(db, cn)}
    assert set(offers) == {summarised, own_words, private}
    assert offers[summarised].text == "A penicillin allergy caught at the bedside check."
    assert (offers[own_words].text, offers[own_words].own_words) == (
        "Second check found the wrong pump rate",
        True,
    )
    assert "Zorbulax" not in offers[private].text  # no summary, no consent: not their words
    with pytest.raises(PermissionDenied):
        teaching.offers(db, team["learner"])


@pytest.mark.parametrize("named", [True, False], ids=["asked to be named", "not named"])
def test_the_chosen_catch_teaches_and_is_recognised_by_name_only_when_asked(
    team: Team, named: bool
) -> None:
    db, cn = team.db, team["charge_nurse"]
    catch = report(db, team["learner"], "good_catch", "Allergy caught", teaching=True, named=named)
    huddle = huddles.start_or_resume(db, cn).id
    point = teaching.teach_from(db, cn, huddle, catch, "Check the allergy band every time")
    assert point.event_id == catch and point.author == "Cai Charge"
    board = huddles.board(db, cn, huddle)
    assert [i.text for i in board.items["teach"]] == ["Check the allergy band every time"]
    thanks = [i.text for i in board.items["recognise"] if i.event_id == catch]
    if named:
        assert thanks == ["Good catch by Lee Learner: today's teaching point."]
    else:
        assert thanks == ["Good catch: today's teaching point. Thank you to whoever spoke up."]
        assert "Lee Learner" not in repr(board.items)
    assert catch not in {o.event_id for o in teaching.offers(db, cn)}  # used once
    with pytest.raises(ValidationError, match="already has its teaching point"):
        teaching.teach_from(db, cn, huddle, catch, "Again")
    with db.read() as s:
        linked = s.scalars(select(HuddleItem.section).where(HuddleItem.event_id == catch)).all()
    assert sorted(linked) == ["recognise", "teach"]


def test_a_catch_its_reporter_did_not_agree_to_share_cannot_teach(team: Team) -> None:
    db, cn = team.db, team["charge_nurse"]
    catch = report(db, team["staff"], "good_catch", "Not for teaching")
    huddle = huddles.start_or_resume(db, cn).id
    with pytest.raises(NotFound):
        teaching.teach_from(db, cn, huddle, catch, "Use it anyway")


def test_removing_a_teaching_point_from_a_good_catch_removes_its_recognition(
    team: Team,
) -> None:
    from hrohuddle.services import huddle_record

    db, cn = team.db, team["charge_nurse"]
    huddle = huddles.start_or_resume(db, cn).id  # an empty look back
    catch = report(
        db, team["staff"], "good_catch", "Heparin dose checked", teaching=True, named=True
    )
    point = teaching.teach_from(db, cn, huddle, catch, "Check heparin against the chart")
    assert [i.event_id for i in huddles.board(db, cn, huddle).items["recognise"]] == [catch]
    huddles.remove_item(db, cn, point.id)
    board = huddles.board(db, cn, huddle)
    assert board.items["teach"] == [] and board.items["recognise"] == []
    # Offered again, and taught again: still one recognition.
    assert catch in {o.event_id for o in teaching.offers(db, cn)}
    point = teaching.teach_from(db, cn, huddle, catch, "Check heparin against the chart")
    huddles.remove_item(db, cn, point.id)
    huddles.close_huddle(db, cn, huddle)
    counts = huddle_record.huddle_counts(huddles.board(db, cn, huddle))
    assert (counts.look_back, counts.good_catches, counts.recognitions) == (0, 0, 0)


def test_a_kept_teaching_point_from_an_earlier_catch_is_not_counted_as_look_back(
    team: Team,
) -> None:
    from hrohuddle.services import huddle_record

    db, cn = team.db, team["charge_nurse"]
    catch = report(db, team["staff"], "good_catch", "Heparin dose checked", teaching=True)
    now = dt.datetime.now()
    earlier = huddles.start_or_resume(db, cn, local_now=now).id  # takes the catch up
    huddles.close_huddle(db, cn, earlier)
    later = now + dt.timedelta(hours=12)  # the next shift: an empty look back
    huddle = huddles.start_or_resume(db, cn, local_now=later).id
    assert huddle != earlier
    teaching.teach_from(db, cn, huddle, catch, "Check heparin against the chart")
    for closed in (False, True):
        if closed:
            huddles.close_huddle(db, cn, huddle)
        counts = huddle_record.huddle_counts(huddles.board(db, cn, huddle))
        assert (counts.look_back, counts.good_catches) == (0, 1), closed


def test_a_good_catch_is_named_only_when_its_reporter_asked(team: Team) -> None:
    db = team.db
    named = report(db, team["learner"], "good_catch", "Allergy caught", named=True)
    quiet = report(db, team["staff"], "good_catch", "Pump rate caught")
    hidden = report(db, team["staff"], "good_catch", "Doubled dose caught", anonymous=True)
    near = report(db, team["staff"], "near_miss", "Wrong bay", named=True)
    assert teaching.named_reporters(db, team["learner"], [named, quiet, hidden, near]) == {
        named: "Lee Learner"
    }
