"""A preceptor logs an observation on a 1366x768 laptop: the form fits the width, so
nothing of a rating's wording, a domain or a behaviour is cut off at the right."""

from __future__ import annotations

import pytest
from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import QPoint, QSize
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QRadioButton

from hrohuddle.services import checklists, observations


@pytest.mark.parametrize("screen", [QSize(1366, 768), QSize(1920, 1080)])
def test_the_observation_form_fits_the_width_of_the_screen(
    qtbot, window, sqlite_team: Team, monkeypatch, screen: QSize
) -> None:
    from hrohuddle.ui import common
    from hrohuddle.ui.observations import LogDialog

    monkeypatch.setattr(common, "available_size", lambda _w: screen)
    lee = sqlite_team["learner"].person_id
    observations.assign(
        sqlite_team.db,
        sqlite_team["manager"],
        sqlite_team["preceptor"].person_id,
        lee,
        __import__("datetime").date.today(),
    )
    checklists.sync_templates(sqlite_team.db)
    sign_in_as(qtbot, window, "Pat Preceptor", PINS["preceptor"])
    page = window.open_page("observations")
    dialog = LogDialog(sqlite_team.db, window.actor, lee, "Lee Learner", page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    assert dialog.width() <= screen.width() - 40 and dialog.height() <= screen.height() - 60
    assert dialog.width() >= min(900, screen.width() - 40)
    scroll = dialog.form_area
    assert scroll.horizontalScrollBar().maximum() == 0, "the form scrolls sideways"
    room = scroll.viewport().width()
    widgets = [w for kind in (QRadioButton, QCheckBox, QLabel) for w in dialog.findChildren(kind)]
    for widget in widgets:
        if not widget.isVisibleTo(dialog) or not scroll.isAncestorOf(widget):
            continue
        left = widget.mapTo(scroll.viewport(), QPoint(0, 0)).x()
        assert left + widget.width() <= room, widget.text()[:60]
        if isinstance(widget, (QRadioButton, QCheckBox)):
            need = widget.fontMetrics().horizontalAdvance(widget.text()) + 20
            assert widget.width() >= need, widget.text()
    # Each level of the scale reads in full: its words, and what it means.
    levels = observations.scale_data()["levels"]
    shown = " ".join(w.text() for w in dialog.findChildren(QLabel) if w.isVisibleTo(dialog))
    for level in levels:
        assert level["descriptor"] in shown
    behaviours = dialog.behaviours
    assert behaviours.horizontalScrollBar().maximum() == 0
