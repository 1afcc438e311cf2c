"""A newcomer puts the pulse aside and comes back to it: told when it returns, answers
kept on screen (never stored) until sent or discarded, gone at a lock; results name
their items."""

from __future__ import annotations

import datetime as dt

from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from hrohuddle.services import people, pulses
from hrohuddle.store.models import Draft, PulseResponse


def _newcomer(team: Team) -> int:
    return people.save_person(
        team.db,
        team.admin,
        people.PersonInput(
            "Nina New",
            "nursing",
            ["staff"],
            start_date=dt.date.today() - dt.timedelta(days=8),
            pin="5827",
        ),
    )


def test_later_keeps_answers_on_screen_and_says_when_the_pulse_returns(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    _newcomer(sqlite_team)
    window.show_signin()  # the roster, with the newcomer on it
    sign_in_as(qtbot, window, "Nina New", "5827")
    assert window.actor is not None and window.actor.display_name == "Nina New"
    assert window.open_pulse(), window.pulse_keeper.last_message
    dialog = window.pulse_keeper.dialog
    screen = dialog.screen().availableGeometry()
    assert dialog.height() <= screen.height() - 40
    first = next(iter(dialog.groups.values()))
    first.button(6).setChecked(True)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Escape puts it aside, answers kept
    assert not dialog.isVisible()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert f"{tomorrow.day} {tomorrow:%b %Y}" in dialog.later_note.text()
    assert pulses.due_pulse(sqlite_team.db, window.actor) is None  # not offered again today
    with sqlite_team.db.read() as s:  # nothing of the answers stored, linked or not
        assert s.query(PulseResponse).count() == 0
        assert s.query(Draft).count() == 0
    assert window.open_pulse()  # the File menu entry opens it again, answers still there
    assert window.pulse_keeper.dialog is dialog and first.checkedId() == 6
    dialog.discard()
    assert first.checkedId() == -1
    assert window.open_pulse()
    again = window.pulse_keeper.dialog
    next(iter(again.groups.values())).button(3).setChecked(True)
    window.lock()  # the next person at the workstation sees nothing of it
    assert window.pulse_keeper.dialog is None


def test_results_show_the_words_of_each_item(qtbot, window, sqlite_team: Team) -> None:
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    page = window.open_page("pulses")
    header = page.items.horizontalHeaderItem(0)
    assert header is None or "E1" not in header.text()
    assert all(
        page.table.horizontalHeaderItem(c).text() != "E1" for c in range(page.table.columnCount())
    )


def test_home_opens_the_due_pulse_when_its_line_is_chosen(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    _newcomer(sqlite_team)
    window.show_signin()
    sign_in_as(qtbot, window, "Nina New", "5827")
    home = window.open_page("home")
    lines = [home.list.item(i) for i in range(home.list.count())]
    due = next(item for item in lines if "pulse is due" in item.text())
    opened: list[bool] = []
    monkeypatch.setattr(window, "open_pulse", lambda: opened.append(True) or True)
    home.list.itemActivated.emit(due)
    assert opened == [True]
