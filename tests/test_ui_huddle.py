"""The huddle board driven as the charge nurse drives it: keyboard, taps, and a crash."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from hrohuddle.services import actions, huddles

DRIVE = Path(__file__).parent / "tools" / "drive.py"


def _rows(lst) -> list[str]:
    return [lst.item(i).text() for i in range(lst.count())]


def test_a_whole_huddle_through_the_board_then_the_action_follows_up(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    board = page.board
    assert board is not None

    # Attendance: tap two people, count two agency nurses.
    for i in range(board.people_list.count()):
        item = board.people_list.item(i)
        if item.text().startswith(("Sol Staff", "Lee Learner")):
            item.setCheckState(Qt.CheckState.Checked)
    board.count_profession.setCurrentIndex(board.count_profession.findData("nursing"))
    board.count_spin.setValue(2)
    board._set_count()
    assert "5 present" in board.mix_label.text()

    # One item in each section, typed and added with Enter.
    for section, text in (
        ("look_back", "Fridge alarm overnight"),
        ("look_ahead", "Two nurses short after 15:00"),
        ("teach", "Read-back for verbal orders"),
        ("recognise", "Thanks to pharmacy"),
    ):
        qtbot.keyClicks(board.inputs[section].edit, text)
        qtbot.keyClick(board.inputs[section].edit, Qt.Key.Key_Return)
        assert board.inputs[section].edit.text() == ""
    assert any("TWO NURSES" in r.upper() for r in _rows(board.lists["look_ahead"]))

    # The look-ahead item becomes an action owned by Sol Staff.
    board.lists["look_ahead"].setCurrentRow(0)

    def fill_action(dialog) -> int:
        dialog.owner.setCurrentIndex(dialog.owner.findText("Sol Staff"))
        dialog.accept()  # "Create action", as the charge nurse presses it
        return dialog.result()

    monkeypatch.setattr("hrohuddle.ui.actions.ActionDialog.exec", fill_action)
    board.make_action("look_ahead")
    assert any("Two nurses short" in r for r in _rows(board.follow_list))

    board.reflection["deference_to_expertise"].setChecked(True)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    board.close_huddle()
    assert page.stack.currentWidget() is page.start_page
    assert "5 present" in page.summary.text() and "touched: 1 of 5" in page.summary.text()
    assert "look back: 1 item;" in page.summary.text()
    assert "1 teaching point;" in page.summary.text() and "1 recognition;" in page.summary.text()
    assert "actions: 1 made" in page.summary.text()

    # The next huddle (the next shift) shows the action under follow-up.
    tomorrow = dt.datetime.now() + dt.timedelta(hours=12)
    nxt = huddles.start_or_resume(sqlite_team.db, sqlite_team["charge_nurse"], local_now=tomorrow)
    page.show_board(nxt.id)
    assert any("Two nurses short" in r and "Sol Staff" in r for r in _rows(page.board.follow_list))


def test_a_patient_identifier_is_marked_and_the_text_kept(qtbot, window, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        "hrohuddle.ui.huddle_board.show_problem", lambda _p, m, t=None: shown.append(m)
    )
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    edit = page.board.inputs["look_back"].edit
    qtbot.keyClicks(edit, "Mrs Patel in bed 4 fell")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert shown and "name with a title" in shown[0]
    assert edit.text() == "Mrs Patel in bed 4 fell"
    assert edit.selectedText() == "Mrs Patel"
    assert page.board.state.items["look_back"] == []


def test_learner_reads_the_board_but_cannot_start_it(qtbot, window) -> None:
    sign_in_as(qtbot, window, "Lee Learner", PINS["learner"])
    page = window.open_page("huddle")
    assert page is not None and not page.start_button.isVisibleTo(page)


def test_board_mode_keeps_the_screen_from_locking(qtbot, window) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    page.board.board_mode_button.setChecked(True)
    assert "huddle board" in window.lock_inhibitors and not window.nav.isVisible()
    window._idle_timeout()
    assert window.stack.currentWidget() is window.shell
    page.board.board_mode_button.setChecked(False)
    assert window.lock_inhibitors == set() and window.nav.isVisible()


def test_board_controls_are_big_enough_to_touch(qtbot, window) -> None:
    from PySide6.QtWidgets import QPushButton

    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    small = [
        b.text()
        for b in page.board.findChildren(QPushButton)
        if b.isVisibleTo(page.board) and (b.height() < 44 or b.width() < 44)
    ]
    assert small == []
    unnamed = [b.text() for b in page.board.findChildren(QPushButton) if not b.accessibleName()]
    assert unnamed == []


@pytest.mark.slow
def test_killed_in_the_middle_of_a_huddle_the_typing_comes_back(
    sqlite_team: Team, tmp_path: Path
) -> None:
    url = sqlite_team.db.url
    sqlite_team.db.dispose()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HROHUDDLE_DATA_DIR": str(tmp_path)}
    args = [
        sys.executable,
        str(DRIVE),
        "--database",
        url,
        "--as",
        "Cai Charge",
        PINS["charge_nurse"],
        "--page",
        "huddle",
        "--start-huddle",
    ]
    typing = subprocess.Popen(
        [*args, "--type", "look_ahead", "Bariatric bed needed for admission at noon"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        assert typing.stdout is not None
        while time.monotonic() < deadline:
            line = typing.stdout.readline()
            if line.strip() == "READY" or not line:
                break
        assert line.strip() == "READY"
    finally:
        typing.send_signal(signal.SIGKILL)
        typing.wait(timeout=30)
        if typing.stdout is not None:
            typing.stdout.close()
    assert typing.returncode == -signal.SIGKILL
    again = subprocess.run(
        [*args, "--print-board", "--quit-after", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "INPUT look_ahead: Bariatric bed needed for admission at noon" in again.stdout, (
        again.stdout + again.stderr
    )


def test_a_past_huddle_summary_previews_for_printing(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    cn = sqlite_team["charge_nurse"]
    h = huddles.start_or_resume(sqlite_team.db, cn)
    huddles.add_item(sqlite_team.db, cn, h.id, "look_back", "Sharps bin overfull")
    huddles.close_huddle(sqlite_team.db, cn, h.id)
    previews: list[int] = []
    monkeypatch.setattr(
        "hrohuddle.ui.preview.PreviewDialog.exec",
        lambda self: previews.append(len(self.images)) or 0,
    )
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.history.setCurrentRow(0)
    page.print_summary()
    assert previews == [1]


def test_tapping_a_name_marks_the_person_present(qtbot, window) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    board = page.board
    window.show()
    lst = board.people_list
    row = next(i for i in range(lst.count()) if lst.item(i).text() == "Sol Staff")
    rect = lst.visualItemRect(lst.item(row))
    # A tap in the middle of the name, well away from the box.
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "2 present" in board.mix_label.text()
    row = next(i for i in range(lst.count()) if lst.item(i).text() == "Sol Staff")
    qtbot.mouseClick(
        lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(lst.item(row)).center()
    )
    assert "1 present" in board.mix_label.text()


def test_an_item_becomes_one_action_titled_by_its_words_and_shows_its_owner(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    board = page.board
    board.inputs["look_ahead"].category.setCurrentIndex(
        board.inputs["look_ahead"].category.findData("staffing")
    )
    qtbot.keyClicks(board.inputs["look_ahead"].edit, "Two nurses short after 15:00")
    qtbot.keyClick(board.inputs["look_ahead"].edit, Qt.Key.Key_Return)
    board.lists["look_ahead"].setCurrentRow(0)
    opened: list[str] = []

    def fill_action(dialog) -> int:
        opened.append(dialog.title.text())
        dialog.owner.setCurrentIndex(dialog.owner.findText("Sol Staff"))
        dialog.accept()  # "Create action", as the charge nurse presses it
        return dialog.result()

    monkeypatch.setattr("hrohuddle.ui.actions.ActionDialog.exec", fill_action)
    board.make_action("look_ahead")
    assert opened == ["Two nurses short after 15:00"], "no display prefix in the title"
    made = actions.open_actions(sqlite_team.db, sqlite_team["charge_nurse"])
    assert [a.title for a in made] == ["Two nurses short after 15:00"]
    shown = _rows(board.lists["look_ahead"])[0]
    assert "Action: Sol Staff, due" in shown and "#" not in shown
    # A second time opens the action it already is: no second action.
    board.lists["look_ahead"].setCurrentRow(0)
    board.make_action("look_ahead")
    assert len(opened) == 1
    assert len(actions.open_actions(sqlite_team.db, sqlite_team["charge_nurse"])) == 1
    assert board.follow_list.currentItem().data(Qt.ItemDataRole.UserRole) == (
        "action",
        made[0].id,
    )
    # Reassign starts from the owner, and the dialog names the action.
    asked: dict[str, object] = {}

    def get_item(_parent, title, label, names, current):  # type: ignore[no-untyped-def]
        asked.update(label=label, start=names[current])
        return names[current], False

    monkeypatch.setattr("hrohuddle.ui.board_follow_up.ask_item", get_item)
    board.reassign()
    assert asked["start"] == "Sol Staff"
    assert "Two nurses short after 15:00" in str(asked["label"])


def test_everybody_teaches_the_teaching_point_is_credited_edited_and_removed(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    board = page.board
    window.show()
    learner = sqlite_team["learner"]
    board.giver.setCurrentIndex(board.giver.findData(learner.person_id))
    qtbot.keyClicks(board.inputs["teach"].edit, "Read back verbal orders")
    qtbot.keyClick(board.inputs["teach"].edit, Qt.Key.Key_Return)
    point = board.state.items["teach"][0]
    assert point.author == "Lee Learner" and point.author_is_learner
    assert "taught by Lee Learner" in _rows(board.lists["teach"])[0]
    # Once given, it is edited or removed, never silently dead.
    assert not board.inputs["teach"].isVisible() and board.edit_teach_button.isVisible()

    def edit(dialog) -> int:
        dialog.text.setText("Read back every verbal order")
        dialog.giver.setCurrentIndex(dialog.giver.findText("Pat Preceptor"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr("hrohuddle.ui.board_widgets.TeachingPointDialog.exec", edit)
    board.edit_teaching_point()
    assert _rows(board.lists["teach"])[0].startswith(
        "Read back every verbal order — taught by Pat Preceptor"
    )
    board.lists["teach"].setCurrentRow(0)
    board.remove_item("teach")
    assert board.state.items["teach"] == [] and board.inputs["teach"].isVisible()


def test_after_closing_the_start_button_does_not_offer_the_closed_huddle(
    qtbot, window, monkeypatch
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    assert page.start_button.text().startswith("Start the")
    page.start()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.board.close_huddle()
    assert page.stack.currentWidget() is page.start_page
    assert "closed" in page.start_button.text() and not page.start_button.isEnabled()


def test_signing_out_during_an_open_huddle_warns_first(qtbot, window, monkeypatch) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda _p, title, *a, **k: asked.append(title) or QMessageBox.StandardButton.No,
    )
    window.request_sign_out()
    assert asked == ["The huddle is still open"] and window.actor is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.request_sign_out()
    assert window.actor is None


def test_history_summary_follows_the_selection_with_that_huddles_own_counts(
    qtbot, window, sqlite_team: Team
) -> None:
    cn, db = sqlite_team["charge_nurse"], sqlite_team.db
    first = huddles.start_or_resume(db, cn, local_now=dt.datetime.now() - dt.timedelta(days=1))
    actions.create_action(db, cn, "Order pump tubing", cn.person_id, None, huddle_id=first.id)
    huddles.close_huddle(db, cn, first.id)
    second = huddles.start_or_resume(db, cn, local_now=dt.datetime.now() - dt.timedelta(hours=12))
    huddles.close_huddle(db, cn, second.id)
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    rows = {
        page.history.item(i).data(Qt.ItemDataRole.UserRole): i for i in range(page.history.count())
    }
    page.history.setCurrentRow(rows[first.id])
    assert "actions: 1 made" in page.summary.text()
    page.history.setCurrentRow(rows[second.id])
    assert "actions: 0 made" in page.summary.text()
    # A search that leaves that huddle out leaves no summary of it behind.
    page.search.setText("no huddle holds these words")
    page.reload_history()
    assert page.history.currentItem() is None or page.history.currentItem().data(
        Qt.ItemDataRole.UserRole
    ) not in (first.id, second.id)
    assert "Huddle of" not in page.summary.text()


def test_a_report_on_the_board_becomes_one_action_and_shows_its_owner(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    from hrohuddle.services import events

    events.report(
        sqlite_team.db,
        sqlite_team["staff"],
        events.EventInput(
            kind="near_miss",
            narrative="Insulin drawn up for the wrong bay",
            category="medication",
            occurred_at=dt.datetime.now(),
        ),
    )
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    board = page.board
    board.lists["look_back"].setCurrentRow(0)
    opened: list[str] = []

    def fill_action(dialog) -> int:
        opened.append(dialog.title.text())
        assert "not the reporter's words" in dialog.title.placeholderText()
        dialog.title.setText("Label each bay's insulin tray")
        dialog.owner.setCurrentIndex(dialog.owner.findText("Sol Staff"))
        dialog.accept()  # "Create action", as the charge nurse presses it
        return dialog.result()

    monkeypatch.setattr("hrohuddle.ui.actions.ActionDialog.exec", fill_action)
    board.make_action("look_back")
    # Its action is told as "you said, we did" now, first; either row opens the action.
    for row in range(board.lists["look_back"].count()):
        board.lists["look_back"].setCurrentRow(row)
        board.make_action("look_back")
    # Never the reporter's own words: the title reaches the board, bulletin and journey.
    assert opened == [""]
    assert len(actions.open_actions(sqlite_team.db, sqlite_team["charge_nurse"])) == 1
    (report,) = [r for r in _rows(board.lists["look_back"]) if r.startswith("Near miss")]
    assert "Action: Sol Staff, due" in report


def test_save_summary_pdf_opens_in_documents_then_where_the_last_file_went(
    qtbot, window, sqlite_team: Team, monkeypatch, tmp_path: Path
) -> None:
    """Never in whatever folder the app was started from."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    cn = sqlite_team["charge_nurse"]
    h = huddles.start_or_resume(sqlite_team.db, cn)
    huddles.close_huddle(sqlite_team.db, cn, h.id)
    chosen = tmp_path / "summaries"
    chosen.mkdir()
    asked: list[str] = []

    def ask(_parent, _title, start, _filter):  # type: ignore[no-untyped-def]
        asked.append(start)
        return str(chosen / Path(start).name), "PDF (*.pdf)"

    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", ask)
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.history.setCurrentRow(0)
    page.save_pdf()
    # Named by its day and shift, as people look for it later, not by a record number.
    name = f"huddle-{h.huddle_date:%Y-%m-%d}-{h.shift}.pdf"
    assert asked == [str(home / "Documents" / name)]
    assert (chosen / name).exists()
    page.save_pdf()
    assert asked[1] == str(chosen / name)
    window.settings.sync()
    assert window.settings.value("files/last_folder") == str(chosen)


def test_closing_from_board_mode_shows_the_summary_and_no_message_storm(
    qtbot, window, monkeypatch
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    window.show()
    page = window.open_page("huddle")
    page.start()
    board = page.board
    board.people_list.item(0).setCheckState(Qt.CheckState.Checked)
    board.board_mode_button.setChecked(True)
    qtbot.wait(20)
    shown: list[str] = []
    monkeypatch.setattr(
        "hrohuddle.ui.huddle_board.show_problem", lambda _p, m, t=None: shown.append(m)
    )
    monkeypatch.setattr("hrohuddle.ui.common.show_problem", lambda _p, m, t=None: shown.append(m))
    saves: list[object] = []
    real_set_present = huddles.set_present
    monkeypatch.setattr(
        huddles, "set_present", lambda *a, **k: saves.append(a) or real_set_present(*a, **k)
    )
    real_mode = window.set_board_mode

    def leave_full_screen(on: bool) -> None:
        # The window manager hands back the old size while the board is still on screen.
        real_mode(on)
        for width in (1800, 1300, 1000):
            board.resize(width, 900)
            qtbot.wait(10)

    monkeypatch.setattr(window, "set_board_mode", leave_full_screen)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    board.close_huddle()
    for size in ((900, 700), (1300, 900), (1000, 760)):
        window.resize(*size)
        board.resize(size[0] - 100, size[1] - 100)
        qtbot.wait(20)
    assert shown == [] and saves == []
    assert page.stack.currentWidget() is page.start_page
    assert "closed" in page.summary.text()
    assert not board.board_mode_button.isChecked()


def test_resizing_the_board_never_saves_attendance(qtbot, window, monkeypatch) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    window.show()
    page = window.open_page("huddle")
    page.start()
    assert page.board is not None
    saves: list[object] = []
    monkeypatch.setattr(huddles, "set_present", lambda *a, **k: saves.append(a))
    for size in ((900, 700), (1400, 1000), (1000, 760)):
        window.resize(*size)
        qtbot.wait(20)
    assert saves == []


def test_a_refused_due_date_keeps_the_action_dialog_open_with_what_was_typed(
    qtbot, window, sqlite_team: Team
) -> None:
    from PySide6.QtCore import QDate

    from hrohuddle.ui.actions import ActionDialog

    cn = sqlite_team["charge_nurse"]
    dialog = ActionDialog(window, "Restock the crash cart", people_for(sqlite_team))
    qtbot.addWidget(dialog)
    dialog.owner.setCurrentIndex(1)
    dialog.due.setDate(QDate.currentDate().addDays(-3))
    dialog.save = lambda: actions.create_action(
        sqlite_team.db, cn, dialog.title.text(), dialog.owner.currentData(), dialog.due_date()
    )
    dialog.show()
    dialog.accept()
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.title.text() == "Restock the crash cart" and dialog.owner.currentIndex() == 1
    assert dialog.problem.isVisibleTo(dialog) and dialog.problem.text()
    assert actions.open_actions(sqlite_team.db, cn) == []


def test_on_the_board_a_refused_action_or_due_date_keeps_its_dialog_and_what_was_typed(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    """Make action without an owner, and a due date in the past, from the running board:
    the problem shows in the dialog, which stays open with the words typed."""
    from PySide6.QtCore import QDate

    from hrohuddle.ui.actions import ActionDialog, DueDateDialog

    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    board = page.board
    qtbot.keyClicks(board.inputs["look_ahead"].edit, "Two nurses short after 15:00")
    qtbot.keyClick(board.inputs["look_ahead"].edit, Qt.Key.Key_Return)
    board.lists["look_ahead"].setCurrentRow(0)
    seen: dict[str, object] = {}

    def no_owner(dialog) -> int:
        dialog.title.setText("Ask the bed manager for a float nurse")
        dialog.accept()  # "Create action" with no owner chosen
        seen["open"] = dialog.result() == 0
        seen["problem"] = dialog.problem.text()
        seen["title"] = dialog.title.text()
        dialog.owner.setCurrentIndex(dialog.owner.findText("Sol Staff"))
        dialog.accept()  # chosen now: saved
        return dialog.result()

    monkeypatch.setattr(ActionDialog, "exec", no_owner)
    board.make_action("look_ahead")
    assert seen["open"] and seen["problem"], seen
    assert seen["title"] == "Ask the bed manager for a float nurse"
    assert any("float nurse" in r for r in _rows(board.follow_list))

    def in_the_past(dialog) -> int:
        dialog.due.setDate(QDate.currentDate().addDays(-2))
        dialog.accept()
        seen["due open"] = dialog.result() == 0 and bool(dialog.problem.text())
        return dialog.result()

    monkeypatch.setattr(DueDateDialog, "exec", in_the_past)
    assert board.show_action(board.state.follow_ups[0].id)
    before = board.state.follow_ups[0].due_on
    board.change_due()
    assert seen["due open"], seen
    assert board.state.follow_ups[0].due_on == before


def people_for(team: Team) -> list:  # type: ignore[type-arg]
    from hrohuddle.services import people

    return people.list_people(team.db, team["charge_nurse"])


def test_larger_text_enlarges_the_open_board(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """The board's type is set in pixels for the wall; Larger text must still reach it."""
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    if page.board is None:
        page.start()
    board = page.board
    assert board is not None
    qtbot.waitUntil(board.isVisible)
    lst = board.lists["look_ahead"]
    before = lst.font().pixelSize()
    try:
        window.scale_text(+1)
        qtbot.wait(10)
        after = lst.font().pixelSize()
        assert after >= round(before * 1.1), (before, after)
    finally:
        window.scale_text(0)
    assert lst.font().pixelSize() == before


def test_an_anonymous_report_on_the_board_names_its_shift_not_a_made_up_time(
    qtbot, window, sqlite_team: Team
) -> None:
    import re

    from hrohuddle.store.models import SafetyEvent, utcnow

    night_start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(19, 0))
    stored = night_start.astimezone().astimezone(dt.UTC).replace(tzinfo=None)
    with sqlite_team.db.write() as s:
        for anonymous, narrative, at in (
            (True, "Syringe driver unlabelled overnight", stored),
            (False, "Wrong patient band noticed at the drug round", utcnow()),
        ):
            s.add(
                SafetyEvent(
                    unit_id=sqlite_team.admin.unit_id,
                    kind="near_miss",
                    category="medication",
                    narrative=narrative,
                    occurred_at=at,
                    shift="night",
                    reported_on=at.date(),
                    anonymous=anonymous,
                )
            )
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    rows = _rows(page.board.lists["look_back"])
    anonymous = next(r for r in rows if "Syringe driver" in r)
    named = next(r for r in rows if "Wrong patient band" in r)
    assert "night shift" in anonymous and not re.search(r"\d\d:\d\d", anonymous)
    assert re.search(r"Near miss \d\d:\d\d", named)


def test_a_wheel_over_the_board_changes_no_choice_box(qtbot, window, monkeypatch) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QComboBox

    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    boxes = [b for b in page.board.findChildren(QComboBox) if b.count() > 1]
    assert boxes
    for box in boxes:
        before = box.currentIndex()
        wheel = QWheelEvent(
            QPointF(5, 5),
            QPointF(box.mapToGlobal(QPoint(5, 5))),
            QPoint(0, 0),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(box, wheel)
        assert box.currentIndex() == before, box.accessibleName()
