"""HRO checklists → Reliability: the chart says which weeks it covers and which of them
are cut by the period or not over yet."""

from __future__ import annotations

import datetime as dt

from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import QDate
from test_ui_checklist_sessions import _start

from hrohuddle.services.reporting import Week


def test_the_reliability_chart_names_its_weeks_a_cut_first_week_and_the_unfinished_one(
    qtbot, window, sqlite_team: Team
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("checklists")
    _tab, panel = _start(qtbot, page, "TeamSTEPPS Team Performance")
    panel.rows[0].choose(5)
    panel.rows[1].choose(4)
    assert panel.finish(confirm=lambda _q: True)
    rel = page.reliability
    today = dt.date.today()
    this_week = Week.of(today)
    # From today: after this week's Monday unless today is one.
    since = today
    rel.since.setDate(QDate(since.year, since.month, since.day))
    rel.reload()
    assert rel.canvas is not None
    note = rel.period_note.text()
    assert note.startswith(f"Weeks {this_week.label} to {this_week.label}, Monday to Sunday.")
    if since > this_week.monday:
        assert "counts only from" in note and "the From date" in note
    assert f"{this_week.label} is not over: its point counts the observations so far." in note
    # From months ago: the chart begins at the first week with an observation, and says so.
    rel.since.setDate(QDate.currentDate().addDays(-60))
    rel.reload()
    assert f"{this_week.label} is the first week with an observation since" in (
        rel.period_note.text()
    )
