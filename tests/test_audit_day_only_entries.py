"""Sign-in, unlock, lock and sign-out entries keep the day only (THREAT_MODEL.md): the
audit log viewer and its export show them as a day, never as a made-up midnight."""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PINS, Team, sign_in_as

from hrohuddle.services import audit, dates, people


@pytest.fixture
def west_of_utc() -> Iterator[None]:
    """A local time zone behind UTC, where a stored UTC midnight is the evening before."""
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


def _session_entries(team: Team) -> list[audit.AuditRow]:
    people.lock_session(team.db, team["staff"])
    return audit.entries(team.db, team.admin, where=audit.AuditFilter())


def test_rows_say_which_entries_keep_the_day_only(sqlite_team: Team) -> None:
    rows = _session_entries(sqlite_team)
    by_action = {r.action: r for r in rows}
    assert by_action["signin"].day_only and by_action["screen.locked"].day_only
    timed = [r for r in rows if r.action not in audit.DAY_ONLY_ACTIONS]
    assert timed and not any(r.day_only for r in timed)


def test_the_viewer_shows_a_day_only_entry_as_its_day(
    qtbot, window, sqlite_team: Team, west_of_utc: None
) -> None:
    from hrohuddle.ui.admin import AuditTab

    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    log = window.open_page("admin").findChild(AuditTab)
    log.reload()
    rows = log.model.rows
    signin = next(i for i, r in enumerate(rows) if r.action == "signin")
    shown = log.model.index(signin, 0).data()
    # The day as it was kept (UTC), written as every day is: no time, no shift of a day.
    assert shown == dates.day(rows[signin].at)
    assert ":" not in shown
    timed = next(i for i, r in enumerate(rows) if not r.day_only)
    assert ":" in log.model.index(timed, 0).data()


def test_the_export_writes_a_day_only_entry_as_a_date(
    qtbot, window, sqlite_team: Team, tmp_path: Path
) -> None:
    from hrohuddle.ui.admin import AuditTab

    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    log = window.open_page("admin").findChild(AuditTab)
    out = tmp_path / "audit.csv"
    assert log.export(str(out))
    with open(out, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    signin = next(r for r in rows if r["action"] == "signin")
    assert dt.date.fromisoformat(signin["at_utc"])  # a date alone: 2026-11-27
    assert "T" not in signin["at_utc"] and "00:00" not in signin["at_utc"]
    timed = next(r for r in rows if r["action"] not in audit.DAY_ONLY_ACTIONS)
    assert "T" in timed["at_utc"]


def test_the_period_filter_counts_local_days_and_keeps_a_day_only_entry_of_an_overlapping_day(
    sqlite_team: Team, west_of_utc: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 21:00 on Friday in New York it is already Saturday in UTC: what happened then
    is listed under Friday, the sign-in (kept as Saturday, UTC) too."""
    friday_evening_utc = dt.datetime(2027, 3, 6, 2, 0)
    monkeypatch.setattr(audit, "utcnow", lambda: friday_evening_utc)
    with sqlite_team.db.write() as s:
        audit.record(s, "signin", actor=sqlite_team["staff"])
        audit.record(s, "census.set", actor=sqlite_team["manager"], detail={"week": "x"})
    friday = dt.date(2027, 3, 5)

    def listed(since: dt.date | None, until: dt.date | None) -> set[str]:
        flt = audit.AuditFilter(since=since, until=until)
        rows = audit.entries(sqlite_team.db, sqlite_team.admin, where=flt)
        return {r.action for r in rows if r.at.date() >= friday}

    assert listed(friday, friday) == {"signin", "census.set"}
    assert listed(None, friday - dt.timedelta(days=1)) == set()
    assert listed(friday + dt.timedelta(days=1), None) == {"signin"}  # its UTC day
