"""The Shared lessons screen and the review's "Share as a lesson…", as the people of three
units on the hospital's shared server use them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from test_bulletin import report
from test_lessons import Hospital, _closed, _share
from test_lessons import hospital as hospital  # the fixture, for these tests too

from hrohuddle.services import huddles, lessons, tiers
from hrohuddle.ui.events import ReviewTab
from hrohuddle.ui.lessons import LessonsPage, ShareLessonDialog, open_share_dialog


def _when_modal(kind: type, act: Callable[[QWidget], None]) -> list[QWidget]:
    """Act on the next modal window of ``kind`` as soon as it is open (it blocks the test
    until closed); the windows acted on are returned."""
    seen: list[QWidget] = []

    def look() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, kind):
            seen.append(modal)
            act(modal)
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(20, look)
    return seen


def _texts(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


@pytest.mark.postgres
def test_another_units_staff_read_the_lesson_and_raise_it_at_their_huddle(
    qtbot, hospital: Hospital
) -> None:
    h = hospital
    _share(h, h.team["charge_nurse"], h.med, "Check pump lines")
    huddle = huddles.start_or_resume(h.db, h.east["charge_nurse"]).id
    page = LessonsPage(h.db, h.east["staff"])
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 1
    assert page.model.cell(page.model.rows[0], 1, full=False) == "Ward 4 West"
    assert page.title.text() == "Check pump lines"
    assert "from Ward 4 West" in page.meta.text() and "Medicine" in page.meta.text()
    # Staff do not adopt or share for the unit: no button offers it.
    assert page.adopt_button.isHidden() and page.share_button.isHidden()
    page.raise_button.click()
    assert "teaching point" in page.status.text()
    board = huddles.board(h.db, h.east["staff"], huddle)
    assert [i.text for i in board.items["teach"]] == [
        "Lesson from Ward 4 West: Check pump lines. Trace every line."
    ]


@pytest.mark.postgres
def test_a_charge_nurse_marks_we_adopted_this_once(qtbot, hospital: Hospital) -> None:
    h = hospital
    _share(h, h.team["charge_nurse"], h.hosp, "Check pump lines")
    page = LessonsPage(h.db, h.south["charge_nurse"])
    qtbot.addWidget(page)
    page.show()
    assert page.adopt_button.isVisible() and page.adopt_button.isEnabled()
    page.adopt_button.click()
    assert page.model.cell(page.model.rows[0], 5, full=False) == "1 unit, yours too"
    assert "Your unit adopted this" in page.adoption.text()
    assert not page.adopt_button.isEnabled()
    own = LessonsPage(h.db, h.team["manager"])
    qtbot.addWidget(own)
    own.show()
    assert not own.adopt_button.isEnabled()  # a unit does not adopt its own lesson
    assert own.withdraw_button.isVisible()
    assert own.model.cell(own.model.rows[0], 1, full=False) == "Your unit"


@pytest.mark.postgres
def test_a_name_in_a_lesson_is_marked_and_the_dialog_keeps_what_was_typed(
    qtbot, hospital: Hospital
) -> None:
    h = hospital
    cn = h.team["charge_nurse"]
    dialog = ShareLessonDialog(None, h.db, cn, lessons.share_targets(h.db, cn))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.title.setText("Pump lines")
    dialog.text.setPlainText("Ezra Staff traced the lines before the infusion.")
    dialog.accept()
    assert dialog.problem.isVisible() and "“Ezra Staff”" in dialog.problem.text()
    assert dialog.text.extraSelections()  # marked where it is
    assert dialog.text.toPlainText().startswith("Ezra Staff")
    assert lessons.feed(h.db, cn) == []
    dialog.text.setPlainText("The nurse traced the lines before the infusion.")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.shared_id is not None
    assert [r.title for r in lessons.feed(h.db, h.east["learner"])] == ["Pump lines"]


@pytest.mark.postgres
def test_share_as_a_lesson_from_a_review_starts_from_the_summary_never_the_narrative(
    qtbot, hospital: Hospital
) -> None:
    h = hospital
    cn = h.team["charge_nurse"]
    event = report(
        h.db, h.team["learner"], "near_miss", "Lee crossed the Quorvex lines", named=True
    )
    _closed(h.db, cn, event, "Two infusion lines were crossed at the pump")
    tab = ReviewTab(h.db, cn)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.table.selectRow(0)
    shown: dict[str, str] = {}
    # A summary typed but not saved yet: saved first, so the lesson starts from it.
    tab.summary.setPlainText("Something newer, not saved")
    warned = _when_modal(QMessageBox, lambda box: box.close())
    tab.share_lesson()
    assert warned and "Save the review first" in warned[0].text()  # type: ignore[attr-defined]
    assert lessons.feed(h.db, cn) == []
    tab.summary.setPlainText("Two infusion lines were crossed at the pump")

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ShareLessonDialog)
        shown["title"], shown["text"] = dialog.title.text(), dialog.text.toPlainText()
        shown["all"] = _texts(dialog)
        dialog.accept()  # shared as it stands

    def acknowledge(box: QWidget) -> None:
        shown["told"] = box.text() if isinstance(box, QMessageBox) else ""
        box.close()

    opened = _when_modal(ShareLessonDialog, fill)
    told = _when_modal(QMessageBox, acknowledge)
    tab.share_lesson()
    assert opened and told
    assert shown["text"] == "Two infusion lines were crossed at the pump"
    assert shown["title"] == "Near miss: Medication or Other Substance"
    assert "Quorvex" not in shown["all"] and "Lee Learner" not in shown["all"]
    assert "Shared lessons" in shown["told"]
    row = lessons.feed(h.db, h.east["staff"])[0]
    assert row.text == shown["text"] and "Quorvex" not in repr(row)


def test_on_its_own_file_the_unit_is_told_plainly_that_lessons_need_the_shared_server(
    qtbot, sqlite_team
) -> None:
    db, cn = sqlite_team.db, sqlite_team["charge_nurse"]
    page = LessonsPage(db, cn)
    qtbot.addWidget(page)
    assert tiers.NEEDS_SHARED_SERVER in _texts(page)
    assert page.share_button.isHidden()
    said: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        box.close()

    _when_modal(QMessageBox, read_and_close)
    assert open_share_dialog(page, db, cn, event_id=1) is None
    assert said == [tiers.NEEDS_SHARED_SERVER]


def test_the_screen_is_listed_only_on_a_shared_server(window, sqlite_team) -> None:
    assert "lessons" not in [s.key for s in window.page_specs(sqlite_team["staff"])]


@pytest.mark.postgres
def test_everyone_signed_in_on_the_shared_server_finds_shared_lessons(
    qtbot, hospital: Hospital, data_paths, tmp_path
) -> None:
    from PySide6.QtCore import QSettings

    from hrohuddle.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(data_paths, settings)
    win.offer_pulses = False
    qtbot.addWidget(win)
    win.attach(hospital.db, hospital.east["learner"].unit_id)
    for role in ("learner", "staff", "charge_nurse", "manager", "admin"):
        specs = {s.key: s.label for s in win.page_specs(hospital.east[role])}
        assert specs.get("lessons") == "Shared lessons"
