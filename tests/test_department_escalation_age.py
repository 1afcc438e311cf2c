"""An escalation the department sends on keeps its age in the hospital's view: it counts
from the day the unit raised it, not from the day it was sent on."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import Team
from sqlalchemy import update
from test_escalations import _escalate_item, _hospital, _tier_id

from hrohuddle.services import department, escalations
from hrohuddle.services.reporting import Week
from hrohuddle.store.models import Escalation


@pytest.mark.postgres
def test_the_hospitals_view_ages_a_sent_on_escalation_from_the_units_raise(
    pg_team: Team,
) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _huddle, esc_id = _escalate_item(pg_team)
    with db.write() as s:  # the unit raised it five days ago
        s.execute(
            update(Escalation)
            .where(Escalation.id == esc_id)
            .values(raised_at=Escalation.raised_at - dt.timedelta(days=5))
        )
    with db.read() as s:
        version = s.get(Escalation, esc_id).version  # type: ignore[union-attr]
    escalations.answer(
        db,
        leaders["med"],
        esc_id,
        version,
        outcome="escalated",
        text="Needs the hospital's float pool; Medicine has none to move.",
    )
    today = dt.date.today()
    week = Week.of(today)
    hosp = department.department_week(db, leaders["exec"], _tier_id(db, "HOSP"), week)
    (row,) = hosp.escalations
    assert row.raised_on == (dt.datetime.now() - dt.timedelta(days=5)).date()
    assert row.age_days == 5
