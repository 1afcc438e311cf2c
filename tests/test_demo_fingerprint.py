"""The demo is the same unit for the same seed and day (a fingerprint of a small one),
and keeps its unit's own shift hours."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hrohuddle import demo
from hrohuddle.store.database import Database
from hrohuddle.store.models import (
    Action,
    Huddle,
    HuddleItem,
    LearnerObservation,
    Person,
    PulseResponse,
    SafetyEvent,
)

DAY = dt.date(2025, 3, 10)


@pytest.fixture
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC here, so the fingerprint does not depend on the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _fingerprint(db: Database) -> tuple[dict[str, int], str]:
    with db.read() as s:
        tables = {
            "people": s.execute(
                select(Person.display_name, Person.profession, Person.start_date).order_by(
                    Person.id
                )
            ).all(),
            "huddles": s.execute(
                select(
                    Huddle.huddle_date, Huddle.shift, Huddle.started_at, Huddle.ended_at
                ).order_by(Huddle.id)
            ).all(),
            "items": s.execute(
                select(HuddleItem.section, HuddleItem.category, HuddleItem.text).order_by(
                    HuddleItem.id
                )
            ).all(),
            "actions": s.execute(
                select(Action.title, Action.due_on, Action.status).order_by(Action.id)
            ).all(),
            "events": s.execute(
                select(
                    SafetyEvent.kind,
                    SafetyEvent.narrative,
                    SafetyEvent.occurred_at,
                    SafetyEvent.shift,
                    SafetyEvent.anonymous,
                    SafetyEvent.look_back_huddle_id,
                ).order_by(SafetyEvent.id)
            ).all(),
            "observations": s.execute(
                select(LearnerObservation.observed_on, LearnerObservation.rating).order_by(
                    LearnerObservation.id
                )
            ).all(),
            "comments": sorted(
                (c or "", str(sorted((a or {}).items())))
                for c, a in s.execute(select(PulseResponse.comment, PulseResponse.answers))
            ),
        }
    digest = hashlib.sha256(repr(sorted(tables.items())).encode()).hexdigest()
    return {k: len(v) for k, v in tables.items()}, digest


def test_the_same_seed_and_day_make_the_same_demo(sqlite_db: Database, utc_clock: None) -> None:
    demo.create(sqlite_db, years=0.2, seed=7, today=DAY)
    counts, digest = _fingerprint(sqlite_db)
    assert counts == {
        "people": 32,
        "huddles": 142,
        "items": 564,
        "actions": 66,  # 53 from huddles, 13 opened from reports
        "events": 130,
        "observations": 12,
        "comments": 34,
    }
    assert digest == "e60919b04125a1935a4c0215294d36cf4a5ab86c7891e62c3786e794ad53c3d4"


def test_the_demo_keeps_the_units_own_shift_hours(sqlite_db: Database, utc_clock: None) -> None:
    """A unit on 06:30 and 18:30 gets its demo huddles half an hour into its own shifts,
    and its anonymous reports at its own shift starts."""
    from sqlalchemy import update

    from hrohuddle.services import people
    from hrohuddle.services.shifts import ShiftClock
    from hrohuddle.store.models import Unit

    people.create_unit(
        sqlite_db,
        code="6E",
        name="Ward 6 East",
        admin=people.PersonInput("Ada Admin", "nursing", ["admin"], pin="2468"),
    )
    with sqlite_db.write() as s:
        s.execute(update(Unit).values(day_shift_start="06:30", night_shift_start="18:30"))
    demo.add_history(sqlite_db, "6E", years=0.1, seed=1, today=DAY)
    clock = ShiftClock.parse("06:30", "18:30")
    with sqlite_db.read() as s:
        huddles = s.execute(select(Huddle.huddle_date, Huddle.shift, Huddle.started_at)).all()
        anonymous = s.scalars(
            select(SafetyEvent.occurred_at).where(SafetyEvent.anonymous.is_(True))
        ).all()
    assert huddles and anonymous
    for day, shift, started in huddles:
        late = started - clock.start(day, shift)
        assert dt.timedelta(minutes=30) <= late <= dt.timedelta(minutes=42), (day, shift, started)
    assert {clock.start_of(t) for t in anonymous} == set(anonymous)
    assert {t.time() for t in anonymous} <= {dt.time(6, 30), dt.time(18, 30)}
