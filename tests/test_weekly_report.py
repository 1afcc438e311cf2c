"""The weekly report, built from a known data set and read back as a manager would read it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Clock, Team
from pypdf import PdfReader
from sqlalchemy import DateTime, bindparam, text

from hrohuddle.reports import weekly
from hrohuddle.services import census, events, huddle_record, huddles, reporting
from hrohuddle.services.errors import PermissionDenied, ValidationError
from hrohuddle.services.reporting import Week

WEEK = Week(2026, 45)  # Mon 2 Nov to Sun 8 Nov 2026


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def _known_week(team: Team) -> None:
    db, cn = team.db, team["charge_nurse"]
    with db.write() as s:  # the unit and its people started well before the week
        s.execute(text("UPDATE units SET created_at = '2026-01-01 00:00:00'"))
        s.execute(text("UPDATE people SET created_at = '2026-01-01 00:00:00'"))
    for day in range(3):  # three day-shift huddles, 10 minutes each
        local = dt.datetime(2026, 11, 2 + day, 7, 40)
        h = huddles.start_or_resume(db, cn, local_now=local)
        huddles.set_head_count(db, cn, h.id, "pharmacy", 2)
        huddles.add_item(db, cn, h.id, "teach", f"Teaching point {day}")
        huddles.close_huddle(db, cn, h.id)
        with db.write() as s:
            start = local.astimezone(dt.UTC).replace(tzinfo=None)
            s.execute(
                text("UPDATE huddles SET started_at = :a, ended_at = :b WHERE id = :i").bindparams(
                    bindparam("a", type_=DateTime), bindparam("b", type_=DateTime)
                ),
                {"a": start, "b": start + dt.timedelta(minutes=10), "i": h.id},
            )
    kinds = ["good_catch", "good_catch", "near_miss", "incident"]
    for i, kind in enumerate(kinds):
        events.report(
            db,
            team["learner" if i == 0 else "staff"],
            events.EventInput(
                kind=kind,
                narrative=f"Known event {i}: {'<b>bold</b> & ' if i == 0 else ''}pump",
                category="medication",
                occurred_at=dt.datetime(2026, 11, 4, 10 + i),
                harm="mild" if kind == "incident" else None,
                # The first good catch's reporter agreed to be quoted.
                words_may_be_shared=i == 0,
            ),
            local_now=dt.datetime(2026, 11, 4, 18),
        )
    census.set_week(db, team["manager"], "2026-W45", 180)


def test_report_figures_match_independent_sql(sqlite_team: Team, tmp_path: Path) -> None:
    team = sqlite_team
    _known_week(team)
    out = weekly.write(team.db, team["manager"], WEEK, tmp_path / "w45.pdf")
    body = _pdf_text(out)
    start, end = WEEK.utc_bounds()
    between = (bindparam("a", type_=DateTime), bindparam("b", type_=DateTime))
    with team.db.read() as s:
        held = s.execute(
            text(
                "SELECT count(*) FROM huddles WHERE started_at >= :a AND started_at < :b"
            ).bindparams(*between),
            {"a": start, "b": end},
        ).scalar()
        reports = s.execute(
            text(
                "SELECT count(*) FROM safety_events WHERE occurred_at >= :a AND occurred_at < :b"
            ).bindparams(*between),
            {"a": start, "b": end},
        ).scalar()
        catches = s.execute(
            text("SELECT count(*) FROM safety_events WHERE kind = 'good_catch'")
        ).scalar()
        attendance = s.execute(text("SELECT sum(head_count) FROM huddle_attendance")).scalar()
    assert f"Huddles held (of 14) {held} 0" in body
    assert f"{held} of 14" in body and "Median huddle length 10 min" in body
    assert f"Safety reports {reports} 0 up {reports}" in body
    assert f"Good catches {catches} 0 up {catches}" in body
    assert f"Attendance, all professions (n) {attendance}" in body
    assert "Teaching points 3" in body
    assert "<b>bold</b> & pump" in body  # user text shown, never interpreted
    # One learner's report beside one learner on the unit: counted, never printed.
    assert "Named safety reports by learners hidden: fewer than 5 learners" in body
    assert "Learners on the unit fewer than 5" in body
    assert "Rules used: Anhøj rules" in body and "more reporting, not less" in body
    # The charts begin at the unit's first week of data (W45), which has a census.
    assert "Weeks without a census entry" not in body
    assert "2026-W45" in body and "Page 1" in body
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_an_empty_week_gives_a_short_report_that_says_so(sqlite_team: Team, tmp_path: Path) -> None:
    out = weekly.write(sqlite_team.db, sqlite_team["manager"], Week(2026, 30), tmp_path / "e.pdf")
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    assert "Nothing was recorded this week" in _pdf_text(out)


def test_bad_weeks_and_roles_are_refused(sqlite_team: Team, tmp_path: Path, clock: Clock) -> None:
    future = Week.of(clock.today + dt.timedelta(days=14))
    with pytest.raises(ValidationError, match="has not started"):
        weekly.write(sqlite_team.db, sqlite_team["manager"], future, tmp_path / "f.pdf")
    with pytest.raises(ValidationError, match="ISO week"):
        Week.parse("last tuesday")
    with pytest.raises(ValidationError, match="no week 54"):
        Week.parse("2026-W54")
    with pytest.raises(PermissionDenied):
        weekly.write(sqlite_team.db, sqlite_team["staff"], WEEK, tmp_path / "s.pdf")


def test_a_preview_from_figures_on_screen_still_checks_who_asks(
    sqlite_team: Team, tmp_path: Path
) -> None:
    """The dashboard hands its figures to the preview; a signed-out manager, or a
    colleague without the report, gets no pages from them."""
    from hrohuddle.services import signin
    from hrohuddle.services.errors import SessionEnded

    db, manager = sqlite_team.db, sqlite_team["manager"]
    figures = reporting.weekly_figures(db, manager, WEEK)
    shown = weekly.preview(db, manager, WEEK, tmp_path / "p.pdf", figures=figures)
    assert "weekly report" in _pdf_text(shown)
    with pytest.raises(PermissionDenied):
        weekly.preview(db, sqlite_team["staff"], WEEK, tmp_path / "s.pdf", figures=figures)
    signin.sign_out(db, manager)
    with pytest.raises(SessionEnded):
        weekly.preview(db, manager, WEEK, tmp_path / "o.pdf", figures=figures)
    assert not (tmp_path / "s.pdf").exists() and not (tmp_path / "o.pdf").exists()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_every_page_renders(sqlite_team: Team, tmp_path: Path) -> None:
    _known_week(sqlite_team)
    out = weekly.write(sqlite_team.db, sqlite_team["manager"], WEEK, tmp_path / "r.pdf")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True, timeout=120
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(PdfReader(out).pages) >= 3  # compact: tables side by side
    assert all(p.stat().st_size > 5000 for p in pngs)


def test_census_csv_import_checks_every_row(sqlite_team: Team, tmp_path: Path) -> None:
    good = tmp_path / "census.csv"
    good.write_text("week,patient_days\n2026-W44,175\n2026-11-09,181\n")
    assert census.import_csv(sqlite_team.db, sqlite_team["manager"], good) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("week,patient_days\n2026-W44,175\n=cmd|'/C calc'!A0,12\n")
    with pytest.raises(ValidationError, match="Line 3"):
        census.import_csv(sqlite_team.db, sqlite_team["manager"], bad)
    negative = tmp_path / "neg.csv"
    negative.write_text("2026-W40,-5\n")
    with pytest.raises(ValidationError, match="at least 1 patient-day"):
        census.import_csv(sqlite_team.db, sqlite_team["manager"], negative)
    rows = census.recent(sqlite_team.db, sqlite_team["manager"])
    assert [(r.week_start.isoformat(), r.patient_days) for r in rows] == [
        ("2026-11-09", 181),
        ("2026-10-26", 175),
    ]


def test_weekly_report_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp_path)}

    def run(*a: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hrohuddle", *a],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    assert run("demo-data", "--years", "0.6").returncode == 0
    out = run("report", "weekly", "--out", str(tmp_path / "r.pdf"))
    assert out.returncode == 0, out.stderr
    assert "Weekly safety and learning report" in _pdf_text(tmp_path / "r.pdf")
    assert run("report", "weekly", "--unit", "ZZ", "--out", str(tmp_path / "x.pdf")).returncode == 2
    bad = run("report", "weekly", "--week", "2099-W01", "--out", str(tmp_path / "y.pdf"))
    assert bad.returncode == 2 and "has not started" in bad.stderr
    nowhere = run("report", "weekly", "--out", str(tmp_path / "no" / "dir" / "r.pdf"))
    assert nowhere.returncode == 2 and "cannot be written" in nowhere.stderr


def _huddle_with_a_teaching_point(
    team: Team, day: int, text_: str | None = None, given_by: int | None = None
) -> None:
    db, cn = team.db, team["charge_nurse"]
    local = dt.datetime(2026, 11, day, 7, 40)
    h = huddles.start_or_resume(db, cn, local_now=local)
    if text_ is not None:
        huddles.add_item(db, cn, h.id, "teach", text_, given_by=given_by)
    huddles.close_huddle(db, cn, h.id)
    with db.write() as s:
        start = local.astimezone(dt.UTC).replace(tzinfo=None)
        s.execute(
            text("UPDATE huddles SET started_at = :a, ended_at = :b WHERE id = :i").bindparams(
                bindparam("a", type_=DateTime), bindparam("b", type_=DateTime)
            ),
            {"a": start, "b": start + dt.timedelta(minutes=12), "i": h.id},
        )


def test_everybody_teaches_counts_the_weeks_teaching_points_by_profession_and_learners(
    sqlite_team: Team, tmp_path: Path
) -> None:
    """Three points by the charge nurse (nursing), one by a nursing student, one by a
    pharmacist: the report says who teaches, by profession and by learners."""
    team = sqlite_team
    _known_week(team)
    _huddle_with_a_teaching_point(
        team, 5, "Check the pump's line before the rate", team["learner"].person_id
    )
    _huddle_with_a_teaching_point(
        team, 6, "Ask the pharmacist about crushing tablets", team["preceptor"].person_id
    )
    tally = huddle_record.teaching_tally(
        team.db, team["manager"], WEEK.monday, WEEK.monday + dt.timedelta(days=6)
    )
    assert tally.total == 5 and tally.by_learners == 1
    assert tally.by_profession == {"nursing": 4, "pharmacy": 1}
    body = _pdf_text(weekly.write(team.db, team["manager"], WEEK, tmp_path / "w45.pdf"))
    assert "Teaching points 5" in body  # the huddle figures agree with the section below
    assert "Everybody teaches" in body
    assert "5 teaching points in this week's huddles, 1 of them by a learner." in body
    assert "Teaching points by who gave them n Nursing 4 Pharmacy 1" in body
    assert "Of them by learners (any profession) 1" in body


def test_a_week_without_a_teaching_point_says_so(sqlite_team: Team, tmp_path: Path) -> None:
    team = sqlite_team
    with team.db.write() as s:  # the unit started well before the week
        s.execute(text("UPDATE units SET created_at = '2026-01-01 00:00:00'"))
    _huddle_with_a_teaching_point(team, 3)
    body = _pdf_text(weekly.write(team.db, team["manager"], WEEK, tmp_path / "w45.pdf"))
    assert "Everybody teaches" in body
    assert "No teaching point was given in this week's huddles." in body


def test_huddles_are_expected_at_the_shift_starts_that_have_come(sqlite_team: Team) -> None:
    """Two shifts a day: 14 huddles in a past week; in the week still running, only the
    shift starts by the day of the report (Monday to Wednesday: 6)."""
    team = sqlite_team
    _known_week(team)  # three day-shift huddles, Monday to Wednesday
    mid = reporting.weekly_figures(team.db, team["manager"], WEEK, today=dt.date(2026, 11, 4))
    assert (mid.huddles.held, mid.huddles.expected) == (3, 6)
    assert mid.headlines[0].label == "Huddles held (of 6)"
    assert mid.huddle_p.values[-1] == 0.5
    done = reporting.weekly_figures(team.db, team["manager"], WEEK, today=dt.date(2026, 11, 20))
    assert (done.huddles.held, done.huddles.expected) == (3, 14)
    assert done.headlines[0].label == "Huddles held (of 14)"
    assert done.huddle_p.values[-1] == 3 / 14
    assert done.huddle_p.title == "Huddles held, share of the 14 expected per week"


def test_good_catches_are_recognised_in_the_reviewers_words_unless_the_reporter_agreed(
    sqlite_team: Team, tmp_path: Path
) -> None:
    """A reporter who did not agree to be quoted is recognised by the reviewer's summary
    (or the kind and category), never by their own words; one who agreed is quoted."""
    from hrohuddle.store.models import SafetyEvent

    db = sqlite_team.db
    with db.write() as s:
        s.execute(text("UPDATE units SET created_at = '2026-01-01 00:00:00'"))
    said = {
        "Pump programmed at ten times the rate, caught by a student": (
            False,
            "Pump rate set ten times too high",
        ),
        "Allergy not on the chart, caught before the first dose": (False, None),
        "Wrong bag hung, noticed at the bedside check": (True, None),
    }
    for i, (narrative, (words, summary)) in enumerate(said.items()):
        saved = events.report(
            db,
            sqlite_team["staff"],
            events.EventInput(
                kind="good_catch",
                narrative=narrative,
                category="medication",
                occurred_at=dt.datetime(2026, 11, 4, 10 + i),
                words_may_be_shared=words,
            ),
            local_now=dt.datetime(2026, 11, 4, 18),
        )
        if summary:
            with db.write() as s:
                event = s.get(SafetyEvent, saved.event_id)
                assert event is not None
                event.reviewer_summary = summary
    figures = reporting.weekly_figures(db, sqlite_team["manager"], WEEK, today=dt.date(2026, 12, 1))
    pdf = weekly.preview(db, sqlite_team["manager"], WEEK, tmp_path / "w.pdf", figures=figures)
    body = _pdf_text(pdf)
    catches = body[body.index("Good catches to recognise") :].split("Actions", 1)[0]
    assert "ten times the rate" not in catches and "Allergy not on the chart" not in catches
    assert "Pump rate set ten times too high." in catches
    assert "A good catch about medication or other substance." in catches
    assert "Wrong bag hung, noticed at the bedside check" in catches
