"""Where an instrument or vocabulary is used, its source is named: the capture form,
the checklist screen, the learner observation, the pulse, and the weekly report."""

from __future__ import annotations

from pathlib import Path

from conftest import Team
from test_weekly_report import WEEK, _known_week, _pdf_text

from hrohuddle.reports import weekly
from hrohuddle.services import checklists, observations


def test_weekly_report_names_its_sources_and_the_common_formats_mapping(
    sqlite_team: Team, tmp_path: Path
) -> None:
    _known_week(sqlite_team)
    out = weekly.write(sqlite_team.db, sqlite_team["manager"], WEEK, tmp_path / "r.pdf")
    text = _pdf_text(out)
    assert "Source: AHRQ Common Formats for Event Reporting - Hospital, Version 2.0" in text
    assert "Good catch is reported as Near miss (close call)" in text
    assert "Workaround is reported as Unsafe condition" in text
    assert "Sources of the instruments and vocabularies" in text
    assert "Edmondson, Administrative Science Quarterly 1999" in text
    assert "45 CFR 164.514(b)(2)" in text


def test_capture_form_shows_the_class_a_good_catch_reports_as(qtbot, sqlite_team: Team) -> None:
    from hrohuddle.ui.capture import CaptureDialog

    dialog = CaptureDialog(sqlite_team.db, sqlite_team["staff"])
    qtbot.addWidget(dialog)
    dialog.kind_buttons["good_catch"].click()
    assert "Reported to Common Formats as: Near miss (close call)." in dialog.kind_help.text()
    dialog.kind_buttons["workaround"].click()
    assert "Unsafe condition" in dialog.kind_help.text()


def test_checklist_session_and_observation_name_their_source(qtbot, sqlite_team: Team) -> None:
    from hrohuddle.ui.checklists import SessionPanel

    db, cn = sqlite_team.db, sqlite_team["charge_nurse"]
    checklists.sync_templates(db, unit_id=cn.unit_id)
    tpot = next(t for t in checklists.templates(db, cn.unit_id) if t.key == "team_performance")
    session = checklists.start_session(db, cn, tpot.id, "huddle")
    panel = SessionPanel(db, cn, session, lambda: None)
    qtbot.addWidget(panel)
    from PySide6.QtWidgets import QLabel

    labels = " ".join(w.text() for w in panel.findChildren(QLabel))
    assert "Source: AHRQ TeamSTEPPS Team Performance Observation Tool" in labels
    data = observations.scale_data()
    assert data["key"] == "o_score" and "operating room" in data["ward_note"]
    chen = observations.scale_data("chen_2015")
    assert [lv["value"] for lv in chen["levels"]] == [1, 2, 3, 4, 5]
    assert observations.scale_levels("o_score")[3] == "I had to prompt them from time to time"
