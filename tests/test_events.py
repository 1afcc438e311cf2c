"""Reporting a safety event in under a minute, anonymously if wished, and hearing back."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from conftest import Clock, Team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from hrohuddle.services import actions, events
from hrohuddle.services.errors import IdentifierWarning, PermissionDenied, ValidationError
from hrohuddle.services.vocabulary import taxonomy
from hrohuddle.store.models import AuditEntry, SafetyEvent


def near_miss(**changes) -> events.EventInput:
    """A near miss an hour ago (an hour before the call, not before the module loaded)."""
    data = events.EventInput(
        kind="near_miss",
        narrative="Insulin drawn up for the wrong bay, caught at the check",
        category="medication",
        occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        area="Bays 1-4",
        stopped_by="barrier",
    )
    for k, v in changes.items():
        setattr(data, k, v)
    return data


def test_a_learner_reports_a_near_miss_and_sees_it_in_my_reports(team: Team) -> None:
    learner = team["learner"]
    sent = events.report(team.db, learner, near_miss())
    assert sent.receipt_code is None
    (mine,) = events.my_reports(team.db, learner)
    assert mine.id == sent.event_id and mine.status == "new" and mine.reporter == "Lee Learner"
    assert mine.reporter_is_learner is True


def test_triage_sends_feedback_back_to_the_reporter_and_is_audited(
    team: Team, clock: Clock
) -> None:
    sent = events.report(team.db, team["staff"], near_miss())
    cn = team["charge_nurse"]
    events.triage(
        team.db,
        cn,
        sent.event_id,
        status="under_review",
        summary="Look-alike vials stored together",
    )
    events.triage(
        team.db,
        cn,
        sent.event_id,
        status="action_planned",
        summary="Look-alike vials stored together",
        feedback="Thank you: the vials are now in separate drawers.",
    )
    (mine,) = events.my_reports(team.db, team["staff"])
    assert mine.status == "action_planned" and "separate drawers" in (mine.feedback or "")
    with team.db.read() as s:
        trail = list(
            s.scalars(
                select(AuditEntry.detail).where(AuditEntry.target == f"event:{sent.event_id}")
            )
        )
    assert [d["to"] for d in trail] == ["under_review", "action_planned"]
    action = actions.create_action(
        team.db,
        cn,
        "Separate the vials",
        team["staff"].person_id,
        clock.today,
        event_id=sent.event_id,
    )
    assert action.origin == "event"


def test_not_actionable_needs_a_reason(team: Team) -> None:
    sent = events.report(team.db, team["staff"], near_miss())
    with pytest.raises(ValidationError, match="reason is empty"):
        events.triage(team.db, team["manager"], sent.event_id, status="not_actionable")


def test_only_charge_nurses_and_managers_triage(team: Team) -> None:
    sent = events.report(team.db, team["staff"], near_miss())
    for role in ("learner", "staff", "preceptor", "admin"):
        with pytest.raises(PermissionDenied):
            events.triage(team.db, team[role], sent.event_id, status="closed")
        with pytest.raises(PermissionDenied):
            events.list_events(team.db, team[role], events.EventFilter())


def released_id(db, code: str) -> int:
    """Release the waiting anonymous batch and find the report its receipt code names."""
    from hrohuddle.services import anonymity

    anonymity.release_due(db, force=True)
    with db.read() as s:
        found = s.scalar(
            select(SafetyEvent.id).where(SafetyEvent.receipt_hash == events._hash_receipt(code))
        )
    assert found is not None
    return int(found)


def test_an_anonymous_receipt_shows_status_and_feedback(team: Team) -> None:
    sent = events.report(team.db, team["learner"], near_miss(anonymous=True))
    assert sent.receipt_code and len(events.normalise_receipt(sent.receipt_code)) == 12
    assert sent.event_id is None  # waiting for its batch
    waiting = events.check_receipt(team.db, sent.receipt_code)
    assert waiting is not None and not waiting.released and waiting.status == "new"
    event_id = released_id(team.db, sent.receipt_code)
    events.triage(
        team.db,
        team["manager"],
        event_id,
        status="closed",
        feedback="Fixed: new labels on the drawer.",
    )
    view = events.check_receipt(team.db, sent.receipt_code.lower().replace("-", " "))
    assert view is not None and view.status == "closed" and "new labels" in (view.feedback or "")
    assert events.check_receipt(team.db, "AAAA-BBBB-CCCC") is None
    assert events.check_receipt(team.db, "") is None
    assert events.my_reports(team.db, team["learner"]) == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"narrative": "   "}, "What happened is empty"),
        ({"occurred_at": dt.timedelta(days=1)}, "in the future"),
        ({"occurred_at": dt.timedelta(days=-400)}, "before this unit started"),
        ({"harm": "mild"}, "incidents only"),
        ({"kind": "incident", "stopped_by": None}, "harm level"),
        ({"kind": "volcano"}, "what kind"),
        ({"category": "nope"}, "event category"),
        ({"area": "The moon"}, "area from the unit's list"),
        ({"narrative": "x" * 4001}, "most is 4,000"),
    ],
)
def test_bad_reports_get_clear_messages_and_nothing_is_stored(
    team: Team, clock: Clock, changes, words
) -> None:
    if "occurred_at" in changes:  # from now
        changes = {**changes, "occurred_at": clock.now + changes["occurred_at"]}
    with pytest.raises(ValidationError, match=words):
        events.report(team.db, team["staff"], near_miss(**changes))
    with team.db.read() as s:
        assert s.scalar(select(SafetyEvent.id)) is None


def test_patient_identifiers_are_refused_in_the_narrative(team: Team) -> None:
    with pytest.raises(IdentifierWarning, match="record number"):
        events.report(team.db, team["staff"], near_miss(narrative="MRN: 00123456 got two doses"))


kinds = st.sampled_from([t.key for t in taxonomy().terms("kinds")] + ["", "x"])
harms = st.one_of(st.none(), st.sampled_from([t.key for t in taxonomy().terms("harm")] + ["z"]))
hostile = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    [
        "'; DROP TABLE safety_events; --",
        "<script>alert(1)</script>",
        "%s%s%n{0}{name}",
        "\u202eevil\u202c",
        "=1+2",
        "\x07\x1b[31m",
    ]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=kinds, harm=harms, narrative=hostile)
def test_validator_accepts_or_explains_but_never_crashes(
    sqlite_team: Team, kind, harm, narrative
) -> None:
    data = near_miss(kind=kind, harm=harm, narrative=narrative)
    try:
        sent = events.report(sqlite_team.db, sqlite_team["staff"], data)
    except ValidationError as exc:
        assert exc.message
        return
    stored = events.get(sqlite_team.db, sqlite_team["manager"], sent.event_id)
    assert stored.narrative == narrative.strip()  # stored exactly, never interpreted


def test_list_filters_search_and_pages(team: Team) -> None:
    for i in range(30):
        events.report(
            team.db,
            team["learner" if i % 3 == 0 else "staff"],
            near_miss(
                narrative=f"Report number {i:02d} about pumps_100%",
                kind="good_catch" if i % 5 == 0 else "near_miss",
            ),
        )
    mgr = team["manager"]
    page = events.list_events(team.db, mgr, events.EventFilter(), limit=10)
    assert page.total == 30 and len(page.rows) == 10
    second = events.list_events(team.db, mgr, events.EventFilter(), offset=10, limit=10)
    assert not {r.id for r in page.rows} & {r.id for r in second.rows}
    assert events.list_events(team.db, mgr, events.EventFilter(kinds=["good_catch"])).total == 6
    assert (
        events.list_events(team.db, mgr, events.EventFilter(reporter_group="learners")).total == 10
    )
    assert events.list_events(team.db, mgr, events.EventFilter(text="NUMBER 07")).total == 1
    assert events.list_events(team.db, mgr, events.EventFilter(text="s_1")).total == 30
    assert events.list_events(team.db, mgr, events.EventFilter(text="r_1")).total == 0


def test_anonymous_report_cannot_be_linked_to_its_reporter(
    sqlite_team: Team, data_paths, caplog: pytest.LogCaptureFixture
) -> None:
    """Submit anonymously as a known person, then look everywhere for a link."""
    from hrohuddle import logs
    from hrohuddle.services import signin

    caplog.set_level(logging.DEBUG)
    logs.setup(data_paths.log_dir, verbose=False)
    db = sqlite_team.db
    me = signin.sign_in(db, sqlite_team["learner"].person_id, "1470")
    with db.read() as s:
        signin_at = s.scalar(
            select(AuditEntry.at)
            .where(AuditEntry.actor_id == me.person_id)
            .order_by(AuditEntry.id.desc())
        )
    secret = "Heparin flush mixed up with saline in the treatment room"
    sent = events.report(
        db, me, near_miss(narrative=secret, anonymous=True, occurred_at=dt.datetime.now())
    )
    assert sent.receipt_code is not None
    sent = events.Submitted(released_id(db, sent.receipt_code), sent.receipt_code)
    needles = {str(me.person_id), me.display_name, "Lee Learner"}
    insp = inspect(db.engine)
    with db.read() as s:
        event = s.get(SafetyEvent, sent.event_id)
        assert event is not None
        assert event.reporter_id is None and event.reporter_profession is None
        assert event.reporter_is_learner is None and event.updated_at is None
        assert (
            abs((event.occurred_at - signin_at).total_seconds()) > 60
            or event.occurred_at.minute == 0
        )
        for table in insp.get_table_names():
            for row in s.execute(text(f'SELECT * FROM "{table}"')).mappings():
                values = {k: str(v) for k, v in row.items() if v is not None}
                mentions_event = (
                    (table == "safety_events" and values.get("id") == str(sent.event_id))
                    or values.get("event_id") == str(sent.event_id)
                    or f"event:{sent.event_id}" in values.get("target", "")
                    or secret in " ".join(values.values())
                )
                if not mentions_event:
                    continue
                linked = {
                    k: v for k, v in values.items() if k.endswith(("_id", "name")) and v in needles
                }
                assert linked == {}, (table, linked)
        audit_rows = s.execute(
            select(AuditEntry.action, AuditEntry.target, AuditEntry.detail)
        ).all()
    assert all(f"event:{sent.event_id}" != (t or "") for _a, t, _d in audit_rows)
    logs_text = caplog.text + "".join(
        p.read_text(errors="replace") for p in Path(data_paths.log_dir).glob("*.log*")
    )
    assert secret not in logs_text and sent.receipt_code not in logs_text
    with db.read() as s:
        stored = list(s.scalars(select(SafetyEvent.receipt_hash)))
    assert sent.receipt_code not in str(stored)


def test_a_review_saved_with_no_change_writes_nothing(team: Team) -> None:
    db, cn = team.db, team["charge_nurse"]
    sent = events.report(db, team["learner"], near_miss())
    assert sent.event_id is not None
    target = f"event:{sent.event_id}"
    before = events.triage_version(db, cn, sent.event_id)
    events.triage(db, cn, sent.event_id, status="new", summary="  ", feedback="")
    assert events.triage_version(db, cn, sent.event_id) == before
    with db.read() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.target == target)) is None
