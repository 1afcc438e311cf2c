"""The weekly PDF read back as a manager holds it: every chart on one page with its
caption and notes, no heading left at the foot of a page, no page mostly empty; and a
unit in its first weeks gets charts that begin with its data and no false signals."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from conftest import Team
from pypdf import PdfReader
from sqlalchemy import DateTime, bindparam, text

from hrohuddle.reports import weekly
from hrohuddle.services import reporting
from hrohuddle.services.reporting import Week
from hrohuddle.store.models import Huddle, SafetyEvent

HEADINGS = {
    "Headlines",
    "Signals this week",
    "Huddles",
    "Safety events",
    "HRO behaviours",
    "Good catches to recognise",
    "Actions",
    "Onboarding pulses",
    "Learners",
    "Closing the loop",
    "You said, we did",
}
CAPTIONS = (
    "Huddles held, share of the 14 expected per week",
    "Near misses and good catches reported per week",
    "Safety reports per 1,000 patient-days",
    "HRO behaviours observed, share of applicable opportunities",
    "Reporters who heard back within 7 days, by week of report (target 90%)",
    "Median days to first feedback, by week of report",
)


def _pages(path: Path) -> list[list[str]]:
    out = []
    for page in PdfReader(path).pages:
        lines = [" ".join(x.split()) for x in page.extract_text().splitlines()]
        # Leave out the running header and footer.
        lines = [
            x
            for x in lines
            if x and "weekly report 20" not in x and not x.startswith(("HRO Huddle ", "Page "))
        ]
        out.append(lines)
    return out


def test_demo_report_keeps_charts_with_their_notes_and_headings_with_their_text(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "HROHUDDLE_DATA_DIR": str(tmp_path)}
    env.pop("HROHUDDLE_DATABASE_URL", None)

    def run(*a: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hrohuddle", *a],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert run("demo-data", "--years", "1").returncode == 0
    made = run("report", "weekly", "--out", str(tmp_path / "w.pdf"))
    assert made.returncode == 0, made.stderr
    pages = _pages(tmp_path / "w.pdf")
    # Closing the loop adds its figures and two charts: a page more than before.
    assert 3 <= len(pages) <= 6, len(pages)
    for number, lines in enumerate(pages, 1):
        assert lines[-1] not in HEADINGS, f"heading at the foot of page {number}"
        for caption in CAPTIONS:
            if caption in lines:
                after = lines[lines.index(caption) :]
                assert any(x.startswith("Rules used:") for x in after), (caption, number)
        # No page but the last is mostly empty: a chart or a long table fills it.
        if number < len(pages):
            assert len(lines) >= 25, f"page {number} has only {len(lines)} lines"
    everything = [x for p in pages for x in p]
    assert all(c in everything for c in CAPTIONS)
    assert sum(x in HEADINGS for x in everything) == len(HEADINGS)


def _new_unit_with_steady_weeks(team: Team, first: dt.date, weeks: int) -> None:
    """Fourteen huddles and five near misses every week from ``first``, nothing before."""
    with team.db.write() as s:
        s.execute(
            text("UPDATE units SET created_at = :d").bindparams(bindparam("d", type_=DateTime)),
            {"d": dt.datetime(2026, 1, 1)},
        )
        for w in range(weeks):
            for d in range(7):
                day = first + dt.timedelta(days=7 * w + d)
                for shift, hour in (("day", 7), ("night", 19)):
                    at = dt.datetime.combine(day, dt.time(hour, 40))
                    s.add(
                        Huddle(
                            unit_id=team.admin.unit_id,
                            huddle_date=day,
                            shift=shift,
                            status="closed",
                            started_at=at,
                            ended_at=at + dt.timedelta(minutes=12),
                        )
                    )
            for i in range(5):
                at = dt.datetime.combine(first + dt.timedelta(days=7 * w + i), dt.time(11))
                s.add(
                    SafetyEvent(
                        unit_id=team.admin.unit_id,
                        kind="near_miss",
                        category="medication",
                        narrative="Steady week",
                        occurred_at=at,
                        shift="day",
                        reported_on=at.date(),
                    )
                )


def test_a_unit_in_its_first_weeks_gets_no_signal_from_its_own_start(
    sqlite_team: Team, tmp_path: Path
) -> None:
    first = Week(2026, 3).monday
    _new_unit_with_steady_weeks(sqlite_team, first, 8)
    week = Week(2026, 10)
    figures = reporting.weekly_figures(
        sqlite_team.db, sqlite_team["manager"], week, today=dt.date(2026, 3, 20)
    )
    assert figures.event_run.weeks[0] == "2026-W03"
    assert figures.huddle_p.weeks[0] == "2026-W03"
    assert len(figures.event_run.weeks) == 8
    assert figures.signals == []
    assert "outside the control limits" not in " ".join(figures.signals)
    out = weekly.write(sqlite_team.db, sqlite_team["manager"], week, tmp_path / "w10.pdf")
    words = " ".join(" ".join(p) for p in _pages(out))
    assert "Unusually long run" not in words and "No chart shows a signal this week." in words
    assert "Near misses and good catches reported per week" in words  # the caption, as text
