"""The unit's shift clock: which shift a time belongs to, from the unit's own hours."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import Team
from sqlalchemy import update

from hrohuddle.services import anonymity, huddles
from hrohuddle.services.errors import ValidationError
from hrohuddle.services.shifts import ShiftClock, format_hm, parse_hm
from hrohuddle.store.models import Unit

STANDARD = ShiftClock.parse()
EARLY = ShiftClock.parse("06:30", "18:30")


def test_night_after_midnight_belongs_to_the_day_before() -> None:
    assert STANDARD.shift_of(dt.datetime(2026, 11, 23, 2, 0)) == (dt.date(2026, 11, 22), "night")
    assert STANDARD.shift_of(dt.datetime(2026, 11, 23, 7, 0)) == (dt.date(2026, 11, 23), "day")
    assert STANDARD.shift_of(dt.datetime(2026, 11, 23, 19, 0)) == (dt.date(2026, 11, 23), "night")


def test_a_unit_on_half_past_hours() -> None:
    day = dt.date(2026, 11, 23)
    assert EARLY.shift_of(dt.datetime(2026, 11, 23, 6, 29)) == (day - dt.timedelta(1), "night")
    assert EARLY.shift_of(dt.datetime(2026, 11, 23, 6, 30)) == (day, "day")
    assert EARLY.shift_of(dt.datetime(2026, 11, 23, 18, 29)) == (day, "day")
    assert EARLY.shift_of(dt.datetime(2026, 11, 23, 18, 30)) == (day, "night")
    assert EARLY.start(day, "day") == dt.datetime(2026, 11, 23, 6, 30)
    assert EARLY.start_of(dt.datetime(2026, 11, 24, 3, 0)) == dt.datetime(2026, 11, 23, 18, 30)
    assert EARLY.next_start(dt.datetime(2026, 11, 23, 12, 0)) == dt.datetime(2026, 11, 23, 18, 30)
    assert EARLY.next_start(dt.datetime(2026, 11, 24, 3, 0)) == dt.datetime(2026, 11, 24, 6, 30)
    assert (EARLY.label("day"), EARLY.label("night")) == ("06:30", "18:30")


def test_the_shifts_of_a_date_range_in_order() -> None:
    day = dt.date(2026, 11, 23)
    assert list(EARLY.shifts(day, day + dt.timedelta(days=2))) == [
        (day, "day"),
        (day, "night"),
        (day + dt.timedelta(days=1), "day"),
        (day + dt.timedelta(days=1), "night"),
    ]
    assert list(EARLY.shifts(day, day)) == []


def test_hours_are_read_and_written_as_hh_mm() -> None:
    assert parse_hm("06:30") == dt.time(6, 30)
    assert format_hm(dt.time(6, 5)) == "06:05"
    for bad in ("6.30", "25:00", "", "noon"):
        with pytest.raises(ValidationError, match="HH:MM"):
            parse_hm(bad)


def test_a_night_starting_after_midnight_is_refused_clearly() -> None:
    """The night starts later the same day than the day shift; a night from 00:30 is not
    a shift pattern the unit's two start times can say, so the clock refuses it."""
    with pytest.raises(ValidationError, match="night shift starts at 00:30"):
        ShiftClock.parse("07:00", "00:30")
    with pytest.raises(ValidationError):
        ShiftClock.parse("19:00", "07:00")


def test_services_follow_the_units_own_hours(team: Team) -> None:
    with team.db.write() as s:
        s.execute(update(Unit).values(day_shift_start="06:30", night_shift_start="18:30"))
    cn = team["charge_nurse"]
    row = huddles.start_or_resume(team.db, cn, local_now=dt.datetime(2026, 11, 23, 6, 40))
    assert (row.huddle_date, row.shift) == (dt.date(2026, 11, 23), "day")
    with team.db.read() as s:
        unit = s.get(Unit, cn.unit_id)
        assert unit is not None
        start = anonymity.shift_start(unit, dt.datetime(2026, 11, 23, 18, 45))
    local = start.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    assert local == dt.datetime(2026, 11, 23, 18, 30)
