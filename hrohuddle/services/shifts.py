"""The unit's shift clock: its day and night shifts, from the unit's own start times.

A unit has two shifts a day. The day shift runs from ``day_shift_start`` to
``night_shift_start`` and the night shift from then to the next day's day start; a
night's hours after midnight belong to the huddle day it started on. Times are local
wall-clock times, naive as the rest of the app keeps them. No other module parses
the "HH:MM" shift hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from hrohuddle.services.errors import ValidationError

Shift = Literal["day", "night"]
SHIFTS: tuple[Shift, Shift] = ("day", "night")


class ShiftHours(Protocol):
    """Anything that carries a unit's shift hours (the unit, its settings)."""

    @property
    def day_shift_start(self) -> str: ...

    @property
    def night_shift_start(self) -> str: ...


def parse_hm(text: str) -> dt.time:
    """A "HH:MM" time of day, refused clearly when it is not one."""
    try:
        return dt.datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        raise ValidationError(f"“{text}” is not a time of day as HH:MM, such as 07:00.") from None


def format_hm(t: dt.time) -> str:
    return t.strftime("%H:%M")


@dataclass(frozen=True)
class ShiftClock:
    """When a unit's shifts start; the night starts later the same day than the day shift."""

    day_start: dt.time = dt.time(7)
    night_start: dt.time = dt.time(19)

    def __post_init__(self) -> None:
        if not self.day_start < self.night_start:
            raise ValidationError(
                f"The night shift starts at {format_hm(self.night_start)}, not after the day "
                f"shift's start at {format_hm(self.day_start)}. Shifts start the same day, "
                "the night after the day."
            )

    @classmethod
    def parse(cls, day_start: str = "07:00", night_start: str = "19:00") -> ShiftClock:
        return cls(parse_hm(day_start), parse_hm(night_start))

    @classmethod
    def of(cls, unit: ShiftHours) -> ShiftClock:
        """The clock of a unit (or of anything holding its two "HH:MM" start times)."""
        return cls.parse(unit.day_shift_start, unit.night_shift_start)

    def starts_at(self, shift: Shift | str) -> dt.time:
        return self.day_start if shift == "day" else self.night_start

    def label(self, shift: Shift | str) -> str:
        """The shift's start as "HH:MM"."""
        return format_hm(self.starts_at(shift))

    def shift_of(self, local: dt.datetime) -> tuple[dt.date, Shift]:
        """The huddle day and shift of a local time; a night after midnight belongs to
        the day before."""
        t = local.time()
        if self.day_start <= t < self.night_start:
            return local.date(), "day"
        if t >= self.night_start:
            return local.date(), "night"
        return local.date() - dt.timedelta(days=1), "night"

    def start(self, day: dt.date, shift: Shift | str) -> dt.datetime:
        """The local start of the shift of a huddle day."""
        return dt.datetime.combine(day, self.starts_at(shift))

    def start_of(self, local: dt.datetime) -> dt.datetime:
        """The local start of the shift a local time falls in."""
        return self.start(*self.shift_of(local))

    def next_start(self, local: dt.datetime) -> dt.datetime:
        """The local start of the shift after the one a local time falls in."""
        day, shift = self.shift_of(local)
        if shift == "day":
            return self.start(day, "night")
        return self.start(day + dt.timedelta(days=1), "day")

    def shifts(self, since: dt.date, until: dt.date) -> Iterator[tuple[dt.date, Shift]]:
        """Every (day, shift) from ``since`` up to but not including ``until``, in order."""
        day = since
        while day < until:
            for shift in SHIFTS:
                yield day, shift
            day += dt.timedelta(days=1)
