"""Screens that close, lock or sign out stop their timers and leave no connection behind.

Every screen is opened with something typed and a draft pending, then the person locks,
signs out or quits; the database is closed and the event loop runs on past every
timer's interval. Nothing may touch the database after that, and nothing may warn.
"""

from __future__ import annotations

import gc
import sqlite3
import warnings
from pathlib import Path

import pytest
from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import event

from hrohuddle.paths import DataPaths
from hrohuddle.services import people, signin
from hrohuddle.store.database import Database

EVERY_SCREEN = ("Alex All", "nursing", ["admin", "manager", "charge_nurse", "preceptor", "staff"])
PIN = "3141"


class Connections:
    """Every DB-API connection the engine opens, and whether any opened after closing."""

    def __init__(self, db: Database) -> None:
        self.opened: list[object] = []
        self.after_close = 0
        self.closed = False
        event.listen(db.engine, "connect", self._connect)

    def _connect(self, dbapi_conn: object, _record: object) -> None:
        self.opened.append(dbapi_conn)
        if self.closed:
            self.after_close += 1

    def still_open(self) -> int:
        count = 0
        for conn in self.opened:
            try:
                _ = conn.total_changes  # type: ignore[attr-defined]
            except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
                continue
            count += 1
        return count


def _active_timers() -> list[str]:
    """Running timers of every widget still alive (the app's own tooling aside)."""
    found = []
    for widget in QApplication.allWidgets():
        for timer in widget.findChildren(QTimer, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if timer.isActive():
                found.append(f"{type(widget).__name__}.{timer.objectName() or 'timer'}")
    return found


def _visit_every_screen(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    for key in list(win.page_keys):
        page = win.open_page(key)
        assert page is not None
        qtbot.wait(10)
        if key == "huddle":
            if page.board is None:
                page.start()
            board = page.board
            assert board is not None
            qtbot.keyClicks(board.inputs["look_ahead"].edit, "Two nurses short")
            assert board.inputs["look_ahead"].timer.isActive()  # a draft is pending


def _type_a_report_then(qtbot, win, then) -> None:  # type: ignore[no-untyped-def]
    def type_then() -> None:
        dialog = win.capture
        assert dialog is not None
        qtbot.keyClicks(dialog.narrative, "Pump alarm silenced")
        assert dialog.draft_timer.isActive()
        then()

    QTimer.singleShot(50, type_then)
    win.report_event()  # modal until ``then`` closes it


@pytest.fixture
def everyone(sqlite_team: Team) -> Team:
    name, profession, roles = EVERY_SCREEN
    people.save_person(
        sqlite_team.db, sqlite_team.admin, people.PersonInput(name, profession, roles, pin=PIN)
    )
    return sqlite_team


@pytest.mark.parametrize("leave", ["lock", "sign out", "quit"])
def test_every_screen_left_behind_touches_nothing_once_closed(
    qtbot, everyone: Team, data_paths: DataPaths, tmp_path: Path, monkeypatch, leave: str
) -> None:
    from hrohuddle.ui import huddle_board
    from hrohuddle.ui.main_window import MainWindow

    monkeypatch.setattr(huddle_board, "REFRESH_MS", 200)  # the board polls within the wait
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gc.collect()  # what earlier tests left is theirs (the suite's own fixture names them)
    db = everyone.db
    connections = Connections(db)
    win = MainWindow(data_paths, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win.offer_pulses = False
    qtbot.addWidget(win)
    win.attach(db, everyone.admin.unit_id)
    win.show()
    qtbot.waitExposed(win)
    sign_in_as(qtbot, win, EVERY_SCREEN[0], PIN)
    _visit_every_screen(qtbot, win)
    win.open_page("huddle")

    if leave == "lock":
        _type_a_report_then(qtbot, win, win.lock)
        assert win.capture is None and win.signin is not None
        assert _active_timers() == [], "a locked screen keeps working behind the lock"
        sign_in_as(qtbot, win, EVERY_SCREEN[0], PIN)  # the same person comes back
        assert win.open_page("huddle").board.poll.isActive()  # type: ignore[union-attr]
        _type_a_report_then(qtbot, win, win.lock)
    elif leave == "sign out":
        _type_a_report_then(qtbot, win, win.sign_out)
    else:
        _type_a_report_then(qtbot, win, win.close)
    win.close()
    qtbot.wait(50)  # deleteLater runs
    assert connections.still_open() == 0 or db.engine.pool.checkedout() == 0
    db.dispose()
    connections.closed = True

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        qtbot.wait(1500)  # past every draft delay and the board's poll
        gc.collect()
    assert connections.after_close == 0, "a screen opened the database after it was closed"
    assert connections.still_open() == 0
    assert _active_timers() == []
    assert [str(w.message) for w in caught] == []


def test_drafts_typed_just_before_signing_out_are_kept(qtbot, everyone: Team, data_paths, tmp_path):  # type: ignore[no-untyped-def]
    """Stopping a timer must not lose what it was about to save."""
    from hrohuddle.services import drafts
    from hrohuddle.ui.huddle_board import DRAFT_KIND
    from hrohuddle.ui.main_window import MainWindow

    db = everyone.db
    win = MainWindow(data_paths, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win.offer_pulses = False
    qtbot.addWidget(win)
    win.attach(db, everyone.admin.unit_id)
    win.show()
    qtbot.waitExposed(win)
    sign_in_as(qtbot, win, EVERY_SCREEN[0], PIN)
    page = win.open_page("huddle")
    page.start()
    board = page.board
    qtbot.keyClicks(board.inputs["teach"].edit, "Read-back for verbal orders")
    actor = win.actor
    win.sign_out()
    # The ended session reads nothing; the same person, signed in again, finds the draft.
    again = signin.sign_in(db, actor.person_id, PIN)
    saved = drafts.load_all(db, again, DRAFT_KIND, f"{board.huddle_id}:")
    assert saved[f"{board.huddle_id}:teach"] == {"text": "Read-back for verbal orders"}
    sign_in_as(qtbot, win, "Cai Charge", PINS["charge_nurse"])  # somebody else: no draft
    other = win.open_page("huddle")
    assert other.board is not None and other.board.inputs["teach"].edit.text() == ""
