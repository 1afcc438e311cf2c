"""The demo unit's learner observations read like a real log: nothing is acknowledged
before it was logged, nor at a time still to come."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hrohuddle import demo
from hrohuddle.store.database import Database
from hrohuddle.store.models import LearnerObservation


def test_no_demo_observation_is_acknowledged_in_the_future(sqlite_db: Database) -> None:
    today = dt.date.today()
    demo.create(sqlite_db, years=0.3, today=today)
    now_utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with sqlite_db.read() as s:
        rows = s.execute(
            select(LearnerObservation.created_at, LearnerObservation.acknowledged_at)
        ).all()
    acknowledged = [(made, ack) for made, ack in rows if ack is not None]
    assert acknowledged and len(acknowledged) < len(rows)
    for made, ack in acknowledged:
        assert made < ack <= now_utc
