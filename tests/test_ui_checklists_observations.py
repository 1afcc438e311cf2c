"""An observation session on the floor, and a learner observation acknowledged, via the UI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import PINS, Team, sign_in_as
from pypdf import PdfReader
from PySide6.QtCore import Qt

from hrohuddle.services import checklists, observations
from hrohuddle.store.models import Person


def test_observer_runs_a_session_with_keys_and_taps(qtbot, window, sqlite_team: Team) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("checklists")
    tab = page.observe
    tab.template.setCurrentIndex(tab.template.findText("Error-prevention behaviours (v2)"))
    tab.context.setCurrentIndex(tab.context.findData("handoff"))
    tab.start()
    panel = tab.panel
    assert panel is not None and not panel.rating
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_O)  # STAR observed, moves to the next
    qtbot.keyClick(panel, Qt.Key.Key_M)  # CHECK_BACK missed
    qtbot.keyClick(panel, Qt.Key.Key_N)  # SBAR not applicable
    panel.rows[3].buttons["observed"].click()  # a tap on CALL_OUT
    big = [b for r in panel.rows for b in r.buttons.values() if b.height() < 44]
    assert big == []
    assert panel.finish(confirm=lambda question: "4 of" in question)  # asked: not all answered
    assert tab.panel is None and "saved" in tab.done_label.text()
    sid = checklists.open_session(sqlite_team.db, sqlite_team["charge_nurse"])
    assert sid is None
    today = dt.date.today()
    rel = {
        r.label: (r.observed, r.opportunities)
        for r in checklists.reliability(sqlite_team.db, sqlite_team["manager"], today, today)
    }
    assert rel["Uses STAR before a critical step: stop, think, act, review"] == (1, 1)
    check_back = next(label for label in rel if label.startswith("Closes the loop"))
    assert rel[check_back] == (0, 1)
    assert rel["Calls out critical information so the whole team hears it"] == (1, 1)
    assert len(rel) == 3  # N/A is not an opportunity


def test_learner_reads_and_acknowledges_a_preceptor_note(
    qtbot, window, sqlite_team: Team, tmp_path: Path, monkeypatch
) -> None:
    db = sqlite_team.db
    learner = sqlite_team["learner"]
    with db.write() as s:
        s.get(Person, learner.person_id).start_date = dt.date.today() - dt.timedelta(days=20)
    observations.assign(
        db,
        sqlite_team["manager"],
        sqlite_team["preceptor"].person_id,
        learner.person_id,
        dt.date.today() - dt.timedelta(days=20),
    )
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    assert page.learner.currentText() == "Lee Learner"
    from hrohuddle.ui.observations import LogDialog

    dialog = LogDialog(db, window.actor, learner.person_id, "Lee Learner", page)
    qtbot.addWidget(dialog)
    dialog.domains["C"].setChecked(True)
    dialog.behaviours.item(2).setCheckState(Qt.CheckState.Checked)
    dialog.rating.button(4).setChecked(True)
    qtbot.keyClicks(dialog.strengths, "Calm SBAR to the registrar")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.message.text()
    window.sign_out()
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    page = window.open_page("observations")
    assert page.list.count() == 1 and "NOT YET ACKNOWLEDGED" in page.list.item(0).text()
    page.list.setCurrentRow(0)
    assert "Calm SBAR" in page.detail.text()
    qtbot.keyClicks(page.reply, "Thank you")
    page.acknowledge()
    assert "NOT YET" not in page.list.item(0).text()
    assert "acknowledged" in page.list.item(0).text()
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(tmp_path / "summary.pdf"), "PDF"),
    )
    page.save_pdf()
    text = PdfReader(tmp_path / "summary.pdf").pages[0].extract_text()
    assert "Lee Learner" in text and "Calm SBAR" in text


def test_staff_without_learners_see_no_observations_screen(qtbot, window) -> None:
    sign_in_as(qtbot, window, "Sol Staff", PINS["staff"])
    assert window.open_page("observations") is None
    assert window.open_page("checklists") is not None  # staff may observe
