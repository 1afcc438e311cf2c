"""One way to write a date for people, used by every screen and report, and the one
conversion between the naive UTC the database stores and the workstation's local time."""

from __future__ import annotations

import datetime as dt


def to_utc(local: dt.datetime) -> dt.datetime:
    """A local wall-clock time (naive, or aware) as the naive UTC the database stores."""
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def to_local(utc: dt.datetime) -> dt.datetime:
    """A stored naive UTC time as the workstation's local wall-clock time (naive)."""
    return utc.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def local_date(utc: dt.datetime) -> dt.date:
    """The local day a stored naive UTC time falls on."""
    return to_local(utc).date()


def day(d: dt.date | dt.datetime | None) -> str:
    """A day as people read it: "Fri 27 Nov 2026" (an em dash when there is none)."""
    if d is None:
        return "—"
    return f"{d:%a} {d.day} {d:%b %Y}"


def day_time(t: dt.datetime | None) -> str:
    """A moment as people read it: "Fri 27 Nov 2026 14:05"."""
    if t is None:
        return "—"
    return f"{day(t)} {t:%H:%M}"


def week_span(monday: dt.date) -> str:
    """The days of an ISO week: "Mon 23 Nov to Sun 29 Nov 2026"."""
    sunday = monday + dt.timedelta(days=6)
    return f"{monday:%a} {monday.day} {monday:%b} to {day(sunday)}"


def week_label(label: str, monday: dt.date) -> str:
    """A week code with its dates: "2026-W48 (Mon 23 Nov to Sun 29 Nov 2026)"."""
    return f"{label} ({week_span(monday)})"
