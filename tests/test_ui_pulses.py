"""The pulse on a shared workstation: offered at sign-in, answered, then gone from screen."""

from __future__ import annotations

import datetime as dt
import re

from conftest import PINS, Team, sign_in_as
from PySide6.QtWidgets import QMessageBox

from hrohuddle.services import anonymity, people, pulses, signin
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
    me = signin.sign_in(db, pid, "5827")
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


def test_results_page_says_what_is_hidden_and_why_without_showing_it(
    qtbot, window, sqlite_team: Team
) -> None:
    db = sqlite_team.db
    start = dt.date(2026, 7, 1)
    full = {i.code: 5 for i in pulses.instrument().items}
    newcomers = []
    for n in range(8):
        pid = people.save_person(
            db,
            sqlite_team.admin,
            people.PersonInput(
                f"Newcomer {chr(65 + n)}son",
                "nursing",
                ["staff"],
                start_date=start if n < 6 else dt.date(2026, 5, 1),
                pin="5827",
            ),
        )
        newcomers.append(signin.sign_in(db, pid, "5827"))
    # Six at day 7, two (who started in May) at day 60, stored as a unit where enough
    # people had answered both milestones stores them (services.anonymity).
    with db.write() as s:
        for n, _me in enumerate(newcomers):
            s.add(
                PulseResponse(
                    id=anonymity.new_key(),
                    unit_id=sqlite_team.admin.unit_id,
                    instrument_key=pulses.instrument().key,
                    instrument_version=pulses.instrument().version,
                    milestone_day=7 if n < 6 else 60,
                    period="2026-Q3",
                    answers=dict(full),
                )
            )
    sign_in_as(qtbot, window, "Mo Manager", PINS["manager"])
    page = window.open_page("pulses")
    assert page is not None and page.period.currentData() == "2026-Q3"
    cells = [[page.table.item(r, c).text() for c in range(5)] for r in range(page.table.rowCount())]
    # Day 60 has 2 answers: hidden, and Day 7 with it, or it could be worked out.
    assert cells == [
        ["Day 7", "hidden", "hidden", "hidden", "hidden"],
        ["Day 60", "hidden", "hidden", "hidden", "hidden"],
        ["All milestones", "8", "8", "4.14 (n=8)", "57% (n=56)"],
    ]
    notes = page.notes.text()
    assert "2 groups hidden in 2026-Q3" in notes and "worked out from the total" in notes
    assert not re.search(r"\b6\b", notes) and "2 answers" not in notes  # why, never what
