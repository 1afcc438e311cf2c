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
    assert all(anonymous for e, _r, _f, anonymous, *_x in events if e in set(unanswered))
