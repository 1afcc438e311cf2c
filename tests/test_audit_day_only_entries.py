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

from hrohuddle.services import audit, audit_log, dates, signin


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


def _session_entries(team: Team) -> list[audit_log.AuditRow]:
    signin.lock_session(team.db, team["staff"])
    return audit_log.entries(team.db, team.admin, where=audit_log.AuditFilter())


def test_rows_say_which_entries_keep_the_day_only(sqlite_team: Team) -> None:
    rows = _session_entries(sqlite_team)
    by_action = {r.action: r for r in rows}
    assert by_action["signin"].day_only and by_action["screen.locked"].day_only
    timed = [r for r in rows if r.action not in audit.DAY_ONLY_ACTIONS]
    assert timed and not any(r.day_only for r in timed)


def test_the_viewer_shows_a_day_only_entry_as_its_day(
    qtbot, window, sqlite_team: Team, west_of_utc: None
) -> None:
    from hrohuddle.ui.admin_audit import AuditTab

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
    from hrohuddle.ui.admin_audit import AuditTab

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
        flt = audit_log.AuditFilter(since=since, until=until)
        rows = audit_log.entries(sqlite_team.db, sqlite_team.admin, where=flt)
        return {r.action for r in rows if r.at.date() >= friday}

    assert listed(friday, friday) == {"signin", "census.set"}
    assert listed(None, friday - dt.timedelta(days=1)) == set()
    assert listed(friday + dt.timedelta(days=1), None) == {"signin"}  # its UTC day


def _day_export(team: Team, day: dt.date, tmp_path: Path) -> list[list[str]]:
    out = tmp_path / f"audit-{day}.csv"
    audit_log.export_entries(team.db, team.admin, out, audit_log.AuditFilter(since=day, until=day))
    with open(out, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    # The day itself aside, what could tell one day's story from the other's?
    return [[cell.replace(day.isoformat(), "DAY") for cell in row] for row in rows]


def test_a_sign_in_between_two_timed_entries_cannot_be_placed_by_its_neighbours(
    sqlite_team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two days alike but for when the sign-in happened: before both census saves on the
    first, between them on the second. The viewer and the export tell them apart not."""
    now = {"at": dt.datetime(2027, 3, 5, 9, 0)}
    monkeypatch.setattr(audit, "utcnow", lambda: now["at"])
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    team = sqlite_team

    def census(day: dt.date, hour: int) -> None:
        now["at"] = dt.datetime.combine(day, dt.time(hour, 0))
        with team.db.write() as s:
            audit.record(s, "census.set", actor=team["manager"], detail={"week": hour})

    def sign_in(day: dt.date) -> None:
        now["at"] = dt.datetime.combine(day, dt.time(11, 0))
        with team.db.write() as s:
            audit.record(s, "signin", actor=team["staff"], detail={"workstation": "ws"})

    first, second = dt.date(2027, 3, 5), dt.date(2027, 3, 6)
    sign_in(first)
    census(first, 12)
    census(first, 13)
    census(second, 12)
    sign_in(second)
    census(second, 13)
    now["at"] = dt.datetime(2027, 3, 7, 8, 0)
    try:
        for day in (first, second):
            rows = audit_log.entries(
                team.db, team.admin, where=audit_log.AuditFilter(since=day, until=day)
            )
            assert [r.action for r in rows] == ["signin", "census.set", "census.set"]
        exported = [_day_export(team, day, tmp_path) for day in (first, second)]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert exported[0] == exported[1]
    header = exported[0][0]
    assert "id" not in header and "row" in header
    assert [row[0] for row in exported[0][1:]] == ["1", "2", "3"]


def test_the_audit_tab_lists_what_happened_since_it_was_built_when_shown(
    qtbot, window, sqlite_team: Team, tmp_path: Path
) -> None:
    from hrohuddle.ui.admin_audit import AuditTab

    sign_in_as(qtbot, window, "Ada Admin", PINS["admin"])
    page = window.open_page("admin")
    log = page.findChild(AuditTab)
    signin.reset_pin(sqlite_team.db, sqlite_team.admin, sqlite_team["staff"].person_id, "482915")
    log.hide()
    log.show()
    whats = [log.model.index(i, 1).data() for i in range(log.model.rowCount())]
    assert "PIN reset" in whats
    assert "person.pin_reset" not in whats
    row = whats.index("PIN reset")
    about = log.model.index(row, 3).data()
    assert "{" not in about and "person:" not in about
    assert sqlite_team["staff"].display_name in about
    kinds = [log.kind.itemText(i) for i in range(log.kind.count())]
    assert "People" in kinds and "person" not in kinds
    # A person added after the tab was built is named, on screen as in the export.
    from hrohuddle.services import people

    people.save_person(
        sqlite_team.db,
        sqlite_team.admin,
        people.PersonInput("Zed Tester", "nursing", ["staff"], pin="5173"),
    )
    log.hide()
    log.show()
    abouts = [log.model.index(i, 3).data() for i in range(log.model.rowCount())]
    assert any(a.startswith("Zed Tester") for a in abouts), abouts

    assert log.export(str(tmp_path / "a.csv"))
    assert "Exported" in log.result.text()
    log.kind.setCurrentIndex(log.kind.count() - 1)
    assert log.result.text() == ""


def test_about_says_what_an_entry_is_about_in_words() -> None:
    assert audit_log.about_words("observation:13", {}, {}) == "Observation 13"
    text = audit_log.about_words("person:4", {"roles": ["staff", "manager"]}, {"person:4": "Jo Li"})
    assert text == "Jo Li · roles: staff, manager"
