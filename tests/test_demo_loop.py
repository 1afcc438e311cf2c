"""The demo unit closes the loop as the app would: every report acknowledged, first
feedback on the day its reporter was first told something, anonymous reporters unnamed,
and a history in which reporters hear back sooner."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from hrohuddle import demo
from hrohuddle.services.shifts import ShiftClock
from hrohuddle.store.database import Database
from hrohuddle.store.models import MeToo, ReportMessage, ReportStep, SafetyEvent, Unit

DAY = dt.date(2026, 6, 1)


def _loop(db: Database) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    with db.read() as s:
        events = s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.reported_on,
                SafetyEvent.first_feedback_on,
                SafetyEvent.anonymous,
                SafetyEvent.kind,
                SafetyEvent.me_too_count,
                SafetyEvent.recognise_by_name,
                SafetyEvent.teaching_consent,
            ).order_by(SafetyEvent.id)
        ).all()
        steps = s.execute(
            select(ReportStep.event_id, ReportStep.step, ReportStep.on_date).order_by(
                ReportStep.event_id, ReportStep.on_date, ReportStep.id
            )
        ).all()
        messages = s.execute(
            select(
                ReportMessage.event_id,
                ReportMessage.position,
                ReportMessage.sender,
                ReportMessage.author_id,
                ReportMessage.kind,
                ReportMessage.sent_at,
            ).order_by(ReportMessage.event_id, ReportMessage.position)
        ).all()
        marks = s.execute(
            select(MeToo.event_id, MeToo.marker).order_by(MeToo.event_id, MeToo.marker)
        ).all()
    return events, steps, messages, marks


def test_the_same_seed_and_day_make_the_same_loop(sqlite_db: Database, tmp_path) -> None:
    demo.create(sqlite_db, years=0.3, seed=7, today=DAY)
    other = Database.connect(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    try:
        from hrohuddle.store import migrations

        migrations.upgrade(other)
        demo.create(other, years=0.3, seed=7, today=DAY)
        assert _loop(other) == _loop(sqlite_db)
    finally:
        other.dispose()


def test_every_report_travels_a_journey_its_first_feedback_day_agrees_with(
    sqlite_db: Database,
) -> None:
    demo.create(sqlite_db, years=2, seed=3, today=DAY)
    events, steps, messages, marks = _loop(sqlite_db)
    with sqlite_db.read() as s:
        unit = s.scalars(select(Unit)).one()
        clock = ShiftClock.of(unit)
    by_event: dict[int, list[tuple]] = defaultdict(list)
    for event_id, step, on in steps:
        by_event[event_id].append((step, on))
    said: dict[int, list[tuple]] = defaultdict(list)
    for m in messages:
        said[m[0]].append(m)
    marked: dict[int, int] = defaultdict(int)
    for event_id, _marker in marks:
        marked[event_id] += 1
    from hrohuddle.services.dates import local_date, to_local

    early, late = [], []
    for event_id, reported, first, anonymous, kind, me_too, by_name, consent in events:
        journey = by_event[event_id]
        assert journey[0] == ("acknowledged", reported)
        told = [on for step, on in journey[1:]] + [
            local_date(m[5]) for m in said[event_id] if m[2] == "reviewer"
        ]
        assert first == (min(told) if told else None), event_id
        assert first is None or first < DAY
        assert me_too == marked[event_id]
        assert not (anonymous and by_name)
        assert consent is False or kind == "good_catch"
        for _e, _pos, sender, author, _kind, sent_at in said[event_id]:
            if anonymous and sender == "reporter":
                assert author is None
                assert clock.start_of(to_local(sent_at)) == to_local(sent_at)
        if first is not None or (DAY - reported).days > 7:
            in_time = first is not None and (first - reported).days <= 7
            (early if reported < DAY - dt.timedelta(days=365) else late).append(in_time)
    assert sum(early) / len(early) < 0.65 < sum(late) / len(late)
    unanswered = [
        e
        for e, *_rest in events
        if said[e] and said[e][-1][2] == "reviewer" and said[e][-1][4] == "question"
    ]
    assert unanswered, "some anonymous reporters never answer"
    # A named reporter always answers, within four days: only one asked lately waits.
    for e, _r, _f, anonymous, *_x in events:
        if e in set(unanswered) and not anonymous:
            assert (DAY - local_date(said[e][-1][5])).days <= 4, e


def test_the_demo_loop_makes_sense_report_by_report(sqlite_db: Database) -> None:
    """What a tester reads in the demo: each report's summary, fix, action and change
    belong to what it said; "good catch" only for good catches; one action per report,
    a real one, told in the app's own sentence; the status agrees with the journey; and
    no week's "you said, we did" says the same thing twice."""
    from hrohuddle.paths import resources_dir
    from hrohuddle.services import bulletin, journey
    from hrohuddle.services.vocabulary import load_yaml
    from hrohuddle.store.models import Action

    demo.create(sqlite_db, years=1, seed=5, today=DAY)
    themes = {
        t["report"]: t for t in load_yaml(resources_dir() / "demo" / "loop_text.yaml")["themes"]
    }
    with sqlite_db.read() as s:
        reports = {
            r.id: r
            for r in s.execute(
                select(
                    SafetyEvent.id,
                    SafetyEvent.kind,
                    SafetyEvent.narrative,
                    SafetyEvent.reviewer_summary,
                    SafetyEvent.status,
                )
            )
        }
        steps = s.execute(
            select(ReportStep.event_id, ReportStep.step, ReportStep.sentence, ReportStep.action_id)
        ).all()
        actions = {a.id: a for a in s.scalars(select(Action).where(Action.origin == "event"))}
        owners = {a.id: journey.owner_role(s, a.owner_id) for a in actions.values() if a.owner_id}
        unit_id = s.scalars(select(Unit.id)).one()
    journeys: dict[int, list[tuple]] = defaultdict(list)
    for step in steps:
        journeys[step.event_id].append(step)
    assert actions, "the demo opens actions from reports"
    for event_id, r in reports.items():
        theme = themes[r.narrative]
        taken = [st.step for st in journeys[event_id]]
        assert taken.count("action") <= 1, event_id
        assert r.reviewer_summary in (None, theme["summary"]), event_id
        for st in journeys[event_id]:
            assert ("good catch" in st.sentence.lower()) <= (r.kind == "good_catch"), st
            if st.step == "local_fix":
                assert st.sentence == theme["local_fix"]
            if st.step == "system_change":
                assert st.sentence == theme["system_change"]
            if st.step == "action":
                a = actions[st.action_id]
                assert a.event_id == event_id and a.title == theme["action"]["title"]
                assert st.sentence == journey.action_sentence(a.title, owners[a.id], a.due_on)
        if set(taken) - {"acknowledged"}:
            assert r.status != "new", (event_id, taken, r.status)
        if "action" in taken:
            assert r.status in ("action_planned", "closed"), (event_id, r.status)
    assert {a.event_id for a in actions.values()} <= {
        st.event_id for st in steps if st.step == "action"
    }
    monday = DAY - dt.timedelta(days=DAY.weekday() + 364)
    while monday < DAY:
        lines = [
            d.line()
            for d in bulletin.you_said_we_did(
                sqlite_db, unit_id, monday, monday + dt.timedelta(days=7)
            )
        ]
        assert len(lines) == len(set(lines)), (monday, lines)
        monday += dt.timedelta(days=7)
