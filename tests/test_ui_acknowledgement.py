"""A learner reads an observation and acknowledges it: once done, no reply box is left
to type into, and the time it was acknowledged is the learner's local time."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator

import pytest
from conftest import PINS, Team, sign_in_as

from hrohuddle.services import checklists, dates, observations
from hrohuddle.store.models import Person


@pytest.fixture
def west_of_utc() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_acknowledged_shows_local_time_and_no_reply_box_is_left(
    qtbot, window, sqlite_team: Team, west_of_utc: None
) -> None:
    team = sqlite_team
    today = dt.date.today()  # in New York
    lee = team["learner"].person_id
    with team.db.write() as s:
        s.get(Person, lee).start_date = today - dt.timedelta(days=10)
    observations.assign(team.db, team["manager"], team["preceptor"].person_id, lee, today)
    checklists.sync_templates(team.db)
    for setting in ("handoff", "huddle"):
        observations.log(
            team.db,
            team["preceptor"],
            lee,
            observed_on=today,
            setting=setting,
            domains=["C"],
            behaviours=[],
            rating=3,
            strengths=f"Clear at the {setting}",
            next_steps=None,
        )
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    page = window.open_page("observations")
    page.list.setCurrentRow(0)
    assert page.reply.isVisibleTo(page) and page.ack.isEnabled()
    qtbot.keyClicks(page.reply, "Thank you")
    page.acknowledge()
    done = next(i for i, r in enumerate(page.rows) if r.acknowledged_at is not None)
    page.list.setCurrentRow(done)
    assert not page.reply.isVisibleTo(page) and not page.ack.isVisibleTo(page)
    stored = page.rows[done].acknowledged_at
    local = stored.replace(tzinfo=dt.UTC).astimezone()
    assert f"Acknowledged {dates.day_time(local)}" in page.detail.text()
    waiting = next(i for i, r in enumerate(page.rows) if r.acknowledged_at is None)
    page.list.setCurrentRow(waiting)
    assert page.reply.isVisibleTo(page) and page.ack.isEnabled()
