"""A week without a census (patient-days not entered) is a gap in the rate per 1,000
patient-days: no point, no line across it, never a signal, never part of a run; the
dashboard and the weekly PDF say which weeks lack it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import PINS, Team, sign_in_as
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from hrohuddle.analytics import control_chart as cc
from hrohuddle.reports import weekly
from hrohuddle.services import census, events, reporting
from hrohuddle.services.reporting import Week

weeks_of_data = st.lists(
    st.tuples(st.integers(0, 40), st.one_of(st.none(), st.just(0.0), st.floats(0.05, 0.3))),
    min_size=1,
    max_size=40,
)


@given(weeks_of_data, st.integers(0, 1000))
def test_a_week_without_census_changes_nothing_on_the_u_chart(weeks, other_count) -> None:
    counts = [c for c, _n in weeks]
    exposure = [n for _c, n in weeks]
    gaps = [i for i, n in enumerate(exposure) if not n]
    chart = cc.u_chart(counts, exposure)
    assert chart.skipped == gaps
    for i in gaps:
        point = chart.points[i]
        assert point.value is None and point.lcl is None and point.ucl is None
        assert not point.outside and i not in chart.run_points
    # Whatever was reported in a week without census, the chart is the same.
    other = cc.u_chart([other_count if i in gaps else c for i, c in enumerate(counts)], exposure)
    assert other.centre == chart.centre and other.points == chart.points
    assert other.signals == chart.signals and other.run_points == chart.run_points


def test_a_run_is_not_made_of_gaps() -> None:
    # Seven weeks above the centre, then weeks without census, then points that cross
    # the centre each week: the longest run is seven points, no run signal.
    counts = [9] * 7 + [30] * 5 + [1, 9] * 6
    chart = cc.u_chart(counts, [0.2] * 7 + [None] * 5 + [0.2] * 12)
    assert not any("in a row" in s.sentence for s in chart.signals)
    assert not set(range(7, 12)) & set(chart.run_points)


def _unit_with_a_week_without_census(team: Team) -> tuple[Week, Week]:
    """Reports in each of the last six complete weeks; census for all but two of them."""
    from sqlalchemy import text

    with team.db.write() as s:
        s.execute(text("UPDATE units SET created_at = '2025-01-01 00:00:00'"))
    last = Week.last_complete()
    gap = last.shifted(-3)
    for back in range(6):
        week = last.shifted(-back)
        for day in range(3 + back % 3):
            events.report(
                team.db,
                team["staff"],
                events.EventInput(
                    kind="near_miss",
                    narrative=f"Pump programmed wrongly, caught, week {week.label} {day}",
                    category="medication",
                    occurred_at=dt.datetime.combine(
                        week.monday + dt.timedelta(days=day), dt.time(10)
                    ),
                ),
            )
        if week not in (last, gap):
            census.set_week(team.db, team["manager"], week.label, 180)
    return last, gap


def test_weekly_figures_leave_the_weeks_without_census_out(sqlite_team: Team) -> None:
    last, gap = _unit_with_a_week_without_census(sqlite_team)
    figures = reporting.weekly_figures(sqlite_team.db, sqlite_team["manager"], last)
    rate = figures.event_u
    assert rate is not None
    assert rate.missing == [gap.label, last.label]
    for label in (gap.label, last.label):
        assert rate.values[rate.weeks.index(label)] is None
    assert sum(v is not None for v in rate.values) == 4


def test_the_weekly_pdf_says_which_weeks_lack_a_census(sqlite_team: Team, tmp_path: Path) -> None:
    last, gap = _unit_with_a_week_without_census(sqlite_team)
    out = weekly.write(sqlite_team.db, sqlite_team["manager"], last, tmp_path / "w.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "Weeks without a census entry are left out of this chart" in text
    assert f"{gap.label}, {last.label}" in text


def test_the_dashboard_names_the_weeks_without_census_and_draws_them_as_gaps(
    qtbot, window, sqlite_team: Team
) -> None:
    last, gap = _unit_with_a_week_without_census(sqlite_team)
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    panel = window.open_page("dashboard").week_panel
    qtbot.waitUntil(lambda: not panel.loading and len(panel.canvases) == 2, timeout=20000)
    note = panel.census_note.text()
    assert gap.label in note and last.label in note and "census" in note
    panel.chart_choice.setCurrentIndex(panel.chart_choice.findData("rate"))
    qtbot.waitUntil(lambda: not panel.loading and len(panel.canvases) == 2, timeout=20000)
    ys = panel.canvases[0].chart.values
    weeks = panel.figures.event_u.weeks
    assert ys[weeks.index(gap.label)] is None and ys[weeks.index(last.label)] is None
    assert "1,000 patient-days" in panel.canvases[0].accessibleName()
    # A point of the rate opens every report of its week (the rate counts them all).
    panel._picked(weeks.index(last.shifted(-1).label), panel.figures.event_u, every_kind=True)
    assert last.shifted(-1).label in panel.week_dialog.windowTitle()
    assert panel.week_list.count() == 3 + 1 % 3


@pytest.mark.parametrize("days", [0, -3, "0"])
def test_a_week_of_no_patient_days_is_refused_with_what_to_do(
    sqlite_team: Team, days: object
) -> None:
    from hrohuddle.services.errors import ValidationError

    with pytest.raises(ValidationError, match="at least 1 patient-day"):
        census.set_week(sqlite_team.db, sqlite_team["manager"], "2026-W40", days)
    assert census.recent(sqlite_team.db, sqlite_team["manager"]) == []
