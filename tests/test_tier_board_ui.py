"""The department's board on screen, and the way there and back from a unit's board: a
risk escalated from the huddle board, answered on the department's board, the answer
under the unit's Follow up; the wall screen with twelve units; a unit on its own file."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QListWidget
from sqlalchemy import select
from test_escalations import IT, _escalate_item, _hospital, _tier_id

from hrohuddle.services import huddles, people, tiers
from hrohuddle.store.database import Database
from hrohuddle.store.models import Escalation, Unit
from hrohuddle.store.unit_models import utcnow
from hrohuddle.ui.escalation_dialogs import AnswerDialog, CloseTierHuddleDialog, EscalateDialog
from hrohuddle.ui.huddle_board import HuddleBoard
from hrohuddle.ui.tier_board import TierBoardPage


def _rows(lst: QListWidget) -> list[str]:
    return [lst.item(i).text() for i in range(lst.count())]


def _choose(qtbot: Any, lst: QListWidget, row: int) -> None:
    """Tap a row, as the charge nurse does."""
    where = lst.visualItemRect(lst.item(row)).center()
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert lst.currentRow() == row


def _card_text(page: TierBoardPage) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(label.text() for card in page.cards for label in card.findChildren(QLabel))


@pytest.mark.postgres
def test_a_risk_goes_up_from_the_board_is_answered_on_the_departments_and_comes_back(
    qtbot: Any, pg_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    nurse = pg_team["charge_nurse"]
    h = huddles.start_or_resume(db, nurse)
    huddles.add_item(db, nurse, h.id, "look_ahead", "No bariatric bed for tonight")
    board = HuddleBoard(db, nurse, h.id, lambda _id: None, 1080)
    qtbot.addWidget(board)
    board.show()
    qtbot.waitExposed(board)
    _choose(qtbot, board.lists["look_ahead"], 0)

    def fill(dialog: EscalateDialog) -> int:
        assert dialog.title.text() == "No bariatric bed for tonight"
        assert "Medicine" in dialog.windowTitle()
        dialog.reason.setPlainText("Every bed store is empty")
        dialog.accept()  # no criteria chosen: refused, the dialog keeps what was typed
        assert not dialog.problem.isHidden() and "criteria" in dialog.problem.text()
        dialog.criteria["resources"].setChecked(True)
        dialog.needed.setText("A bed from another site")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(EscalateDialog, "exec", fill)
    qtbot.mouseClick(board.escalate_button, Qt.MouseButton.LeftButton)
    follow = _rows(board.follow_list)
    assert "From the department (Medicine)" in follow
    assert any("No bariatric bed" in r and "Waiting for an answer" in r for r in follow)

    page = TierBoardPage(db, lead)
    qtbot.addWidget(page)
    page.show()
    assert "Medicine · Department huddle" in page.title.text()
    assert "No bariatric bed for tonight" in _card_text(page)
    card = next(c for c in page.cards if c.answer_button is not None)
    assert card.answer_button is not None
    assert card.answer_button.accessibleName() == "Answer: No bariatric bed for tonight"

    def answer(dialog: AnswerDialog) -> int:
        dialog.outcomes["declined"].setChecked(True)
        assert dialog.owner.isHidden()  # an owner is asked only of an accepted one
        dialog.accept()  # a decline needs its reason
        assert "reason for declining" in dialog.problem.text()
        dialog.outcomes["accepted"].setChecked(True)
        dialog.text.setPlainText("The bed manager borrows one from the day unit")
        dialog.owner.setText("Bed manager")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(AnswerDialog, "exec", answer)
    qtbot.mouseClick(card.answer_button, Qt.MouseButton.LeftButton)
    assert "✓ Accepted · Bed manager" in _card_text(page)
    assert "0 open" in page.summary.text()

    board.refresh()
    (line,) = [r for r in _rows(board.follow_list) if "Accepted" in r]
    assert "\n" not in line and "Dee Lead, department lead" in line  # one line on the wall
    lst = board.follow_list
    row = next(i for i in range(lst.count()) if "Accepted" in lst.item(i).text())
    _choose(qtbot, lst, row)  # chosen, it reads in full
    back = lst.item(row).text()
    assert "owner Bed manager" in back and "Dee Lead, department lead" in back
    assert "The bed manager borrows one from the day unit" in back


@pytest.mark.postgres
def test_the_tier_huddle_starts_and_closes_from_its_board(
    qtbot: Any, pg_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    _escalate_item(pg_team)
    page = TierBoardPage(db, lead)
    qtbot.addWidget(page)
    page.show()
    assert "Not started, due 09:00" in page.summary.text()
    assert not page.chooser.isVisible()  # one tier held: nothing to choose
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert "Running since" in page.summary.text() and page.close_button.isVisible()

    def close_with_a_note(dialog: CloseTierHuddleDialog) -> int:
        dialog.note.setPlainText("Done")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(CloseTierHuddleDialog, "exec", close_with_a_note)
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert "Held" in page.summary.text() and not page.close_button.isVisible()
    assert "1 open" in page.summary.text()  # what was not answered stays


@pytest.mark.postgres
def test_only_a_tiers_leaders_have_its_board_in_the_navigation(
    qtbot: Any, pg_team: Team, request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    from PySide6.QtCore import QSettings

    from hrohuddle.ui.main_window import MainWindow

    db = pg_team.db
    leaders = _hospital(db)
    data_paths = request.getfixturevalue("data_paths")  # after the PINs are set
    win = MainWindow(data_paths, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win.offer_pulses = False
    qtbot.addWidget(win)
    # The window's database and unit, as attach() leaves them (the PINs are not needed).
    win.db, win.unit = db, people.unit_settings(db, pg_team.admin.unit_id)

    def labels(actor: Any) -> dict[str, str]:
        return {s.key: s.label for s in win.page_specs(actor)}

    assert labels(leaders["med"])["tier_board"] == "Department huddle"
    assert labels(leaders["exec"])["tier_board"] == "Hospital huddle"
    for role in ("learner", "staff", "charge_nurse", "manager", "admin"):
        assert "tier_board" not in labels(pg_team[role])


def _twelve_units(db: Database, team: Team) -> None:
    """Eleven more units in Medicine, each with a risk sent up."""
    for n in range(2, 13):
        code = f"U{n:02d}"
        people.create_unit(
            db,
            code=code,
            name=f"Ward {n} (General Medicine)",
            admin=people.PersonInput(f"Admin {code}", "nursing", ["admin"], pin="2580"),
        )
        tiers.place_unit(db, IT, code, "MED")
    med = _tier_id(db, "MED")
    with db.write() as s:
        for unit_id in s.scalars(select(Unit.id).where(Unit.tier_id == med)):
            s.add(
                Escalation(
                    unit_id=unit_id,
                    tier_id=med,
                    title="Two nurses short on nights for the rest of the week",
                    reason="No bank staff",
                    criteria=["resources"],
                    raised_at=utcnow(),
                    updated_at=utcnow(),
                )
            )


@pytest.mark.postgres
@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
def test_twelve_units_fit_the_wall_screen_and_nothing_falls_off_a_small_one(
    qtbot: Any, pg_team: Team, size: tuple[int, int], styled: Any
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    tiers.place_unit(db, IT, "MEDL", None)  # the lead's own unit: out of the twelve
    _twelve_units(db, pg_team)
    page = TierBoardPage(db, lead)
    qtbot.addWidget(page)
    page.setFixedSize(*size)
    page.show()
    qtbot.waitExposed(page)
    QApplication.processEvents()
    page.refresh()
    qtbot.wait(100)
    units = {c.accessibleName().split(":")[0] for c in page.cards}
    assert len(page.cards) == 12 and {"4W", "U12"} <= units
    viewport = page.scroller.viewport()
    for card in page.cards:
        right = card.mapTo(viewport, card.rect().topRight()).x()
        assert right <= viewport.width(), f"{card.accessibleName()} falls off the right"
        assert card.answer_button is not None and card.answer_button.height() >= 44
    if size == (1920, 1080):
        # The wall screen: twelve units with something sent up, without scrolling.
        assert page.scroller.verticalScrollBar().maximum() == 0, "the board scrolls"
    # Headings at least 32 px and body text at least 22 px on the wall; less below.
    heading = page.cards[0].findChildren(type(page.title))[0]
    assert heading.font().pixelSize() >= (32 if size[1] == 1080 else 23)
    # The figures and escalations read from 2 m: larger than the board's body type.
    details = [
        label
        for card in page.cards
        for label in card.findChildren(type(page.title))
        if label.property("role") in ("card-detail", "card-escalation")
    ]
    assert details
    assert min(label.fontInfo().pixelSize() for label in details) >= (26 if size[1] == 1080 else 18)


def test_on_its_own_file_escalating_a_risk_says_it_needs_the_shared_server(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    board = page.board
    qtbot.keyClicks(board.inputs["look_ahead"].edit, "Hoist broken")
    qtbot.keyClick(board.inputs["look_ahead"].edit, Qt.Key.Key_Return)
    assert "shared server" in board.escalate_button.toolTip()
    told: list[str] = []
    monkeypatch.setattr("hrohuddle.ui.board_follow_up.tell", lambda _p, _t, m: told.append(m))
    _choose(qtbot, board.lists["look_ahead"], 0)
    qtbot.mouseClick(board.escalate_button, Qt.MouseButton.LeftButton)
    assert told == [tiers.NEEDS_SHARED_SERVER]
    assert "tier_board" not in window.page_keys


@pytest.mark.postgres
def test_on_a_day_the_tier_does_not_meet_its_board_says_so(qtbot: Any, pg_team: Team) -> None:
    import datetime as dt

    today = dt.date.today().isoweekday()
    lead = _hospital(pg_team.db, days=[d for d in range(1, 8) if d != today])["med"]
    page = TierBoardPage(pg_team.db, lead)
    qtbot.addWidget(page)
    page.show()
    assert "No huddle today: it meets" in page.summary.text()
