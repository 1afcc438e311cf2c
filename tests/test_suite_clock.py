"""The tests' clock: "today" is read as a test starts, and a test never straddles midnight."""

from __future__ import annotations

import datetime as dt

from conftest import MIDNIGHT_MARGIN_S, read_clock


class FakeTime:
    def __init__(self, start: dt.datetime) -> None:
        self.current = start
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += dt.timedelta(seconds=seconds)


def test_a_test_starting_in_the_afternoon_reads_the_clock_at_once() -> None:
    fake = FakeTime(dt.datetime(2026, 11, 27, 15, 30, 12, 345678))
    clock = read_clock(fake.now, fake.sleep)
    assert fake.slept == []
    assert clock.now == dt.datetime(2026, 11, 27, 15, 30, 12)
    assert clock.today == dt.date(2026, 11, 27)


def test_a_test_starting_just_before_midnight_waits_for_the_new_day() -> None:
    fake = FakeTime(dt.datetime(2026, 11, 27, 23, 59, 40))
    clock = read_clock(fake.now, fake.sleep)
    assert len(fake.slept) == 1 and 20 <= fake.slept[0] <= 21
    assert clock.today == dt.date(2026, 11, 28)


def test_the_margin_is_longer_than_a_slow_test() -> None:
    fake = FakeTime(dt.datetime(2026, 12, 31, 23, 58, 0))
    assert read_clock(fake.now, fake.sleep).today == dt.date(2026, 12, 31)
    assert MIDNIGHT_MARGIN_S >= 60


def test_the_clock_fixture_is_today(clock) -> None:  # type: ignore[no-untyped-def]
    assert clock.today in {dt.date.today(), dt.date.today() - dt.timedelta(days=1)}
