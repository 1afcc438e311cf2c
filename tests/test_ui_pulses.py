"""The pulse on a shared workstation: offered at sign-in, answered, then gone from screen."""

from __future__ import annotations

import datetime as dt

from conftest import PINS, Team, sign_in_as
from PySide6.QtWidgets import QMessageBox

from hrohuddle.services import anonymity, people, pulses
from hrohuddle.store.models import PulseResponse
from hrohuddle.ui.pulses import PulseDialog


def test_newcomer_answers_and_nothing_stays_on_screen(
    qtbot, window, sqlite_team: Team, monkeypatch
) -> None:
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    db = sqlite_team.db
    pid = people.save_person(
        db,
        sqlite_team.admin,
        people.PersonInput(
            "Nina New",
            "nursing",
            ["staff"],
            start_date=dt.date.today() - dt.timedelta(days=8),
            pin="5827",
        ),
    )
    me = people.sign_in(db, pid, "5827")
    due = pulses.due_pulse(db, me)
    assert due is not None
    dialog = PulseDialog(db, me, due.invitation_id, window)
    qtbot.addWidget(dialog)
    for n, group in enumerate(dialog.groups.values()):
        group.button(1 + n % 7).setChecked(True)
    dialog.comment.setPlainText("Huddles helped me settle in")
    title_before = window.windowTitle()
    dialog.send()
    assert dialog.done_ok
    assert all(g.checkedId() == -1 for g in dialog.groups.values())
    assert dialog.comment.toPlainText() == "" and not dialog.comment.isUndoRedoEnabled()
    assert window.windowTitle() == title_before
    anonymity.release_due(db, force=True)
    with db.read() as s:
        (row,) = s.query(PulseResponse).all()
    assert row.answers["E1"] == 1 and row.comment == "Huddles helped me settle in"
    assert pulses.due_pulse(db, me) is None


def test_manager_sees_hidden_groups_explained(qtbot, window, sqlite_team: Team) -> None:
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    page = window.open_page("pulses")
    assert page is not None
    assert "fewer than 5" in page.intro.text()
    # No quarter has closed with answers: nothing is shown, and the page says why.
    assert page.period.count() == 0 and page.table.rowCount() == 0
    assert "once it has closed" in page.notes.text()
