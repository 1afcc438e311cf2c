"""The conversation on a report: reviewers ask, reporters answer, named through My reports
and anonymous through the receipt code; in order, checked, audited, on both databases."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from conftest import Clock, Team
from sqlalchemy import event, select

from hrohuddle.services import anonymity, conversation, events, home, journey
from hrohuddle.services.errors import (
    IdentifierWarning,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from hrohuddle.store.models import AuditEntry, ReportMessage, ReportStep, SafetyEvent


def _input(*, anonymous: bool, text: str = "") -> events.EventInput:
    return events.EventInput(
        kind="near_miss",
        narrative=text or "The bed alarm was switched off in bay three",
        category="fall",
        occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        anonymous=anonymous,
    )


def _named(team: Team, who: str = "learner") -> int:
    sent = events.report(team.db, team[who], _input(anonymous=False))
    assert sent.event_id is not None
    return sent.event_id


def _anonymous(team: Team) -> tuple[int, str]:
    sent = events.report(team.db, team["learner"], _input(anonymous=True))
    assert sent.receipt_code is not None
    anonymity.release_due(team.db, force=True)
    with team.db.read() as s:
        event_id = s.scalar(
            select(SafetyEvent.id).where(
                SafetyEvent.receipt_hash == events.receipt_hash(sent.receipt_code)
            )
        )
    assert event_id is not None
    return event_id, sent.receipt_code


def test_reviewer_asks_and_the_named_reporter_answers_from_my_reports(
    team: Team, clock: Clock
) -> None:
    db, cn, me = team.db, team["charge_nurse"], team["learner"]
    event_id = _named(team)
    conversation.ask(db, cn, event_id, "Was the alarm off at handover?")
    conversation.ask(db, cn, event_id, "Estates are checking the alarms.", kind="note")
    mine = conversation.open_mine(db, me, event_id)
    assert mine.awaiting_reporter  # a note after the question does not answer it
    assert [(m.sender, m.kind) for m in mine.messages] == [
        ("reviewer", "question"),
        ("reviewer", "note"),
    ]
    assert all(m.author is None for m in mine.messages)  # the reporter sees no names
    conversation.write_mine(db, me, event_id, "answer", "Yes, it was off before I came on.")
    conversation.write_mine(db, me, event_id, "again", "It was off again tonight.")
    review = conversation.for_review(db, cn, event_id)
    assert [m.position for m in review.messages] == [1, 2, 3, 4]
    assert [m.kind for m in review.messages] == ["question", "note", "answer", "again"]
    assert review.messages[0].author == "Cai Charge" and review.messages[2].author == "Lee Learner"
    with db.read() as s:
        entries = s.execute(
            select(AuditEntry.detail).where(
                AuditEntry.action == "event.message", AuditEntry.target == f"event:{event_id}"
            )
        ).all()
        report = s.get(SafetyEvent, event_id)
        assert report is not None
        assert report.first_feedback_on == clock.today and report.reporter_seen_at is not None
    assert len(entries) == 4
    assert "off before" not in str(entries) and "handover" not in str(entries)
    # The reporter wrote last: the reviewers' Home says a reply is owed, until they write.
    assert home.needs(db, cn, today=clock.today).reporters_wrote == 1
    assert home.needs(db, me, today=clock.today).reporters_wrote is None
    # Home counts only the last fortnight: an old reply owed is in Review's column.
    later = clock.today + dt.timedelta(days=home.REPLY_OWED_DAYS + 1)
    assert home.needs(db, cn, today=later).reporters_wrote == 0
    conversation.ask(db, cn, event_id, "Thank you, we have told estates.", kind="note")
    assert home.needs(db, cn, today=clock.today).reporters_wrote == 0


def test_only_the_reporter_writes_on_a_named_report_and_only_reviewers_ask(team: Team) -> None:
    db = team.db
    event_id = _named(team)
    with pytest.raises(NotFound):
        conversation.write_mine(db, team["staff"], event_id, "detail", "Not my report")
    with pytest.raises(NotFound):
        conversation.open_mine(db, team["staff"], event_id)
    with pytest.raises(PermissionDenied):
        conversation.ask(db, team["learner"], event_id, "Asking myself?")
    with pytest.raises(ValidationError, match="kind of message"):
        conversation.write_mine(db, team["learner"], event_id, "question", "Can I ask?")
    with pytest.raises(PermissionDenied):
        conversation.for_review(db, team["staff"], event_id)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("x" * 10_000, "10,000 characters"),
        ("Before\x00after", "cannot be stored"),
        ("   ", "empty"),
        ("The patient with MRN 12345678 fell", "identify a patient"),
        ("Ask Sol Staff about it", "names someone on the unit"),
    ],
)
def test_hostile_text_and_identifiers_are_refused_in_the_users_words(
    team: Team, text: str, problem: str
) -> None:
    event_id = _named(team)
    with pytest.raises(ValidationError, match=problem):
        conversation.ask(team.db, team["charge_nurse"], event_id, text)
    with pytest.raises(ValidationError, match=problem):
        conversation.write_mine(team.db, team["learner"], event_id, "detail", text)


def test_markup_is_kept_exactly_as_typed(team: Team) -> None:
    event_id = _named(team)
    for text in ("<b>bold</b> <img src=x onerror=alert(1)>", "😷" * 50, "👩\u200d⚕️ ok"):
        conversation.write_mine(team.db, team["learner"], event_id, "detail", text)
    shown = [
        m.text for m in conversation.for_review(team.db, team["charge_nurse"], event_id).messages
    ]
    assert shown == ["<b>bold</b> <img src=x onerror=alert(1)>", "😷" * 50, "👩\u200d⚕️ ok"]


@pytest.mark.parametrize("control", ["\u202e", "\u2067", "\u200f", "\u2066", "\ufeff"])
def test_a_message_that_turns_text_round_is_refused_by_everyone(team: Team, control: str) -> None:
    event_id = _named(team)
    _, code = _anonymous(team)
    text = f"{control}desrever\u202c"
    with pytest.raises(ValidationError, match="invisible character"):
        conversation.write_mine(team.db, team["learner"], event_id, "detail", text)
    with pytest.raises(ValidationError, match="invisible character"):
        conversation.ask(team.db, team["charge_nurse"], event_id, text)
    with pytest.raises(ValidationError, match="invisible character"):
        conversation.write_by_receipt(team.db, code, "detail", text)
    assert conversation.for_review(team.db, team["charge_nurse"], event_id).messages == []


def test_an_identifier_warning_marks_where_it_is(team: Team) -> None:
    event_id = _named(team)
    with pytest.raises(IdentifierWarning) as info:
        conversation.ask(team.db, team["charge_nurse"], event_id, "Was it NHS 943 476 5919?")
    assert info.value.findings and info.value.field == "text"


def test_anonymous_reporter_answers_through_the_receipt_and_waits_for_release(
    team: Team, clock: Clock
) -> None:
    db, cn = team.db, team["charge_nurse"]
    event_id, code = _anonymous(team)
    conversation.ask(db, cn, event_id, "Which bay was it?")
    view = events.check_receipt(db, code)
    assert view is not None and view.awaiting_reporter
    assert [m.text for m in view.messages] == ["Which bay was it?"]
    conversation.write_by_receipt(db, code, "answer", "Bay three, by the window.")
    view = events.check_receipt(db, code)
    assert view is not None and not view.awaiting_reporter
    assert [(m.text, m.waiting) for m in view.messages] == [
        ("Which bay was it?", False),
        ("Bay three, by the window.", True),
    ]
    # Not passed on as it is sent, nor when the reviewer looks within the same shift.
    assert [m.text for m in conversation.for_review(db, cn, event_id).messages] == [
        "Which bay was it?"
    ]
    later = clock.now + dt.timedelta(hours=13)
    assert anonymity.release_due(db, local_now=later, messages=True) == 1
    review = conversation.for_review(db, cn, event_id)
    assert [(m.position, m.kind, m.author) for m in review.messages] == [
        (1, "question", "Cai Charge"),
        (2, "answer", None),
    ]
    view = events.check_receipt(db, code)
    assert view is not None and [m.waiting for m in view.messages] == [False, False]
    # The answer says the shift it was written in and the day it was passed on, so it
    # is not read as a reply to what the reviewers wrote meanwhile.
    answer = review.messages[1]
    assert answer.shift in ("day", "night") and answer.passed_on is not None
    assert answer.sent_on <= answer.passed_on and answer.sent_on <= clock.today
    assert view.messages[1].shift == answer.shift and view.messages[1].passed_on is not None
    assert review.messages[0].shift is None and review.messages[0].passed_on is None
    with db.read() as s:
        audited = s.execute(
            select(AuditEntry.actor_id, AuditEntry.detail).where(
                AuditEntry.action == "event.message", AuditEntry.target == f"event:{event_id}"
            )
        ).all()
    assert (None, {"kind": "answer", "from": "reporter"}) in [(a, d) for a, d in audited]


def test_a_message_sent_while_the_report_itself_waits_follows_it(team: Team) -> None:
    db = team.db
    sent = events.report(db, team["learner"], _input(anonymous=True))
    assert sent.receipt_code is not None
    conversation.write_by_receipt(db, sent.receipt_code, "detail", "It was the left rail.")
    view = events.check_receipt(db, sent.receipt_code)
    assert view is not None and not view.released
    assert [(m.text, m.waiting) for m in view.messages] == [("It was the left rail.", True)]
    anonymity.release_due(db, force=True, messages=True)
    view = events.check_receipt(db, sent.receipt_code)
    assert view is not None and view.released
    assert [(m.text, m.waiting, m.position) for m in view.messages] == [
        ("It was the left rail.", False, 1)
    ]


def test_a_wrong_receipt_code_is_told_what_check_a_receipt_says(team: Team) -> None:
    _anonymous(team)
    assert events.check_receipt(team.db, "AAAA-BBBB-CCCC") is None
    with pytest.raises(NotFound) as info:
        conversation.write_by_receipt(team.db, "AAAA-BBBB-CCCC", "answer", "Hello")
    assert info.value.message == conversation.NO_SUCH_RECEIPT
    assert anonymity.waiting(team.db, team.admin.unit_id) == 0


def test_a_question_nobody_answers_does_not_keep_the_report_open(team: Team) -> None:
    db, cn = team.db, team["charge_nurse"]
    event_id, _code = _anonymous(team)
    conversation.ask(db, cn, event_id, "Can you tell us the time?")
    events.triage(db, cn, event_id, status="closed", summary="Alarm checks added to handover")
    thread = conversation.for_review(db, cn, event_id)
    assert thread.status == "closed" and thread.awaiting_reporter


def test_two_reviewers_writing_at_once_lose_no_message(team: Team) -> None:
    db = team.db
    event_id = _named(team)
    writers = [team["charge_nurse"], team["manager"]]
    problems: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(4):
                conversation.ask(db, writers[n], event_id, f"Question {n}-{i}", kind="note")
        except BaseException as exc:  # handed to the test thread
            problems.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    messages = conversation.for_review(db, writers[0], event_id).messages
    assert [m.position for m in messages] == list(range(1, 9))
    assert sorted(m.text for m in messages) == sorted(
        f"Question {n}-{i}" for n in range(2) for i in range(4)
    )


def test_a_duplicate_shows_its_reporter_where_it_went(team: Team) -> None:
    db, cn, me = team.db, team["charge_nurse"], team["learner"]
    first = _named(team, "staff")
    second = _named(team)
    with pytest.raises(ValidationError, match="itself"):
        events.triage(db, cn, second, status="duplicate", merged_into=second)
    with pytest.raises(ValidationError, match="Choose the report"):
        events.triage(db, cn, second, status="duplicate")
    with pytest.raises(ValidationError, match="no report with that number"):
        events.triage(db, cn, second, status="duplicate", merged_into=99_999)
    journey.record_step(db, cn, first, "local_fix", "Alarms are checked at every handover.")
    events.triage(db, cn, second, status="duplicate", merged_into=first)
    with pytest.raises(ValidationError, match="already joined"):
        events.triage(db, cn, first, status="duplicate", merged_into=second)
    mine = conversation.open_mine(db, me, second)
    assert mine.merged and mine.merged_into_id == first
    assert [s.step for s in mine.steps] == ["acknowledged", "joined", "local_fix"]
    # Its reporter's words stay on their own report, which the reviewers still read.
    conversation.write_mine(db, me, second, "detail", "It also happens in bay five.")
    assert [m.text for m in conversation.for_review(db, cn, second).messages] == [
        "It also happens in bay five."
    ]
    assert conversation.for_review(db, cn, first).joined == [second]
    assert conversation.for_review(db, cn, first).messages == []
    # Undoing the duplicate clears the link.
    events.triage(db, cn, second, status="under_review")
    assert not conversation.open_mine(db, me, second).merged


def test_opening_a_report_reads_the_same_few_statements_however_long_its_conversation(
    team: Team,
) -> None:
    db, cn = team.db, team["charge_nurse"]
    short, long = _named(team), _named(team)
    for i in range(3):
        conversation.ask(db, cn, short, f"Note {i}", kind="note")
    for i in range(50):
        conversation.ask(db, cn, long, f"Note {i}", kind="note")
    journey.record_step(db, cn, long, "local_fix")

    def statements(event_id: int) -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            thread = conversation.for_review(db, cn, event_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert thread.event_id == event_id
        return len(seen)

    assert statements(long) == statements(short)
    with db.read() as s:
        assert (
            s.scalar(
                select(ReportMessage.position)
                .where(ReportMessage.event_id == long)
                .order_by(ReportMessage.position.desc())
                .limit(1)
            )
            == 50
        )


def test_a_report_number_out_of_range_is_no_such_report(team: Team) -> None:
    db, cn = team.db, team["charge_nurse"]
    second = _named(team)
    for number in (99_999_999_999_999_999_999, 2**63, 2**31, 0, -5):
        with pytest.raises(ValidationError, match="no report with that number"):
            events.triage(db, cn, second, status="duplicate", merged_into=number)


def test_a_joined_anonymous_report_keeps_its_own_journey_and_goes_on_with_the_other(
    team: Team, clock: Clock
) -> None:
    db, cn = team.db, team["charge_nurse"]
    first = _named(team, "staff")
    with db.write() as s:  # the other report was made two days before
        s.get(SafetyEvent, first).reported_on = clock.today - dt.timedelta(days=2)  # type: ignore[union-attr]
        for step in s.scalars(select(ReportStep).where(ReportStep.event_id == first)):
            step.on_date = clock.today - dt.timedelta(days=2)
    journey.record_step(db, cn, first, "system_change", "Bins are now emptied every shift.")
    journey.record_step(db, cn, first, "local_fix", "The full bin was swapped at once.")
    second, code = _anonymous(team)
    mine = events.check_receipt(db, code)
    assert mine is not None
    own_day = mine.steps[0].on_date
    events.triage(db, cn, second, status="duplicate", merged_into=first)
    again = events.check_receipt(db, code)
    assert again is not None and again.merged
    steps = [(r.step, r.on_date) for r in again.steps]
    # Its own acknowledgement, on its own day; the join; then what happened to the other,
    # by day and in the journey's order, without the other reporter's day of reporting.
    assert steps == [
        ("acknowledged", own_day),
        ("joined", clock.today),
        ("local_fix", clock.today),
        ("system_change", clock.today),
    ]
    assert "Sol" not in " ".join(r.sentence for r in again.steps)
    # A review saved again with the same status is not a second step of its history.
    events.triage(db, cn, second, status="duplicate", merged_into=first, feedback="Thank you.")
    view = events.check_receipt(db, code)
    assert view is not None and [to for _, to in view.history] == ["duplicate"]


def test_the_reviewer_may_thank_the_named_reporter_by_name_but_no_one_else(
    team: Team,
) -> None:
    db, cn = team.db, team["charge_nurse"]
    event_id = _named(team)  # Lee Learner's
    conversation.ask(db, cn, event_id, "Thanks Lee Learner, the rail is fixed.", kind="note")
    with pytest.raises(IdentifierWarning) as refused:
        conversation.ask(db, cn, event_id, "Sol Staff fixed the rail.", kind="note")
    # A colleague's name is refused as a colleague's name, not as a patient's.
    assert "someone on the unit" in refused.value.message
    assert "patient" not in refused.value.message
    with pytest.raises(IdentifierWarning) as patient:
        conversation.ask(db, cn, event_id, "Jane Doe in side room 2 fell.", kind="note")
    assert "patient" in patient.value.message
    # On an anonymous report no name is the reporter's.
    anonymous_id, _code = _anonymous(team)
    with pytest.raises(IdentifierWarning):
        conversation.ask(db, cn, anonymous_id, "Thanks Lee Learner.", kind="note")


def test_a_closed_report_owes_a_reply_only_for_news(team: Team) -> None:
    """An answer the review was closed on owes nothing; "this happened again" does."""
    db, reviewer = team.db, team["charge_nurse"]
    event_id = _named(team, "staff")
    conversation.ask(db, reviewer, event_id, "Which bay was it?")
    conversation.write_mine(db, team["staff"], event_id, "answer", "Bay 4, near the window.")

    def owed() -> bool:
        page = events.list_events(db, reviewer, events.EventFilter())
        return next(r for r in page.rows if r.id == event_id).reporter_wrote

    assert owed()
    events.triage(db, reviewer, event_id, status="closed", summary="Bay 4 call bell fixed")
    assert not owed()
    conversation.write_mine(db, team["staff"], event_id, "again", "It stopped working again.")
    assert owed()
