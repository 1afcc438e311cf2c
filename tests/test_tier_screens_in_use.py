"""The tier screens as a charge nurse and a department lead meet them: an escalation's
reason kept while it is typed, a workstation on its own file that says what it lacks,
a lead whose role is taken away, headings read in full, the department's answers on the
unit's wall board, the tier board's picker and detail read from across the room, and a
closed department huddle that says what its figures covered."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PINS, Clock, Team, sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QListWidget
from test_escalations import IT, _escalate_item, _hospital, _tier_id

from hrohuddle.services import drafts, escalations, huddles, tiers
from hrohuddle.ui.escalation_dialogs import DRAFT_KIND, CloseTierHuddleDialog, EscalateDialog
from hrohuddle.ui.huddle_board import HuddleBoard
from hrohuddle.ui.tier_board import TierBoardPage


def _rows(lst: QListWidget) -> list[str]:
    return [lst.item(i).text() for i in range(lst.count())]


def _choose(qtbot: Any, lst: QListWidget, row: int) -> None:
    where = lst.visualItemRect(lst.item(row)).center()
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert lst.currentRow() == row


def _board(qtbot: Any, team: Team, height: int = 1080) -> HuddleBoard:
    nurse = team["charge_nurse"]
    h = huddles.start_or_resume(team.db, nurse)
    board = HuddleBoard(team.db, nurse, h.id, lambda _id: None, height)
    qtbot.addWidget(board)
    board.show()
    qtbot.waitExposed(board)
    return board


@pytest.mark.postgres
def test_the_reason_being_typed_survives_the_app_closing_and_goes_when_sent(
    qtbot: Any, pg_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = pg_team.db
    _hospital(db)
    nurse = pg_team["charge_nurse"]
    h = huddles.start_or_resume(db, nurse)
    item = huddles.add_item(db, nurse, h.id, "look_ahead", "No bariatric bed for tonight")
    board = _board(qtbot, pg_team)
    _choose(qtbot, board.lists["look_ahead"], 0)
    key = f"item:{item.id}"

    def type_then_crash(dialog: EscalateDialog) -> int:
        dialog.show()
        qtbot.keyClicks(dialog.reason, "Every bed store is empty")
        dialog.criteria["resources"].setChecked(True)
        # Kept while typing, before anything is sent or closed.
        qtbot.waitUntil(lambda: drafts.load(db, nurse, DRAFT_KIND, key) is not None, timeout=5000)
        return 0  # the app is killed here: the dialog never closes

    monkeypatch.setattr(EscalateDialog, "exec", type_then_crash)
    qtbot.mouseClick(board.escalate_button, Qt.MouseButton.LeftButton)
    kept = drafts.load(db, nurse, DRAFT_KIND, key)
    assert kept is not None and kept["reason"] == "Every bed store is empty"

    def reopen_and_send(dialog: EscalateDialog) -> int:
        assert dialog.reason.toPlainText() == "Every bed store is empty"
        assert dialog.chosen() == ["resources"]
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(EscalateDialog, "exec", reopen_and_send)
    qtbot.mouseClick(board.escalate_button, Qt.MouseButton.LeftButton)
    assert drafts.load(db, nurse, DRAFT_KIND, key) is None
    assert any("No bariatric bed" in r for r in _rows(board.follow_list))


@pytest.mark.postgres
def test_the_reason_box_reads_in_the_same_type_as_the_other_fields(
    qtbot: Any, pg_team: Team, styled: Any
) -> None:
    _hospital(pg_team.db)
    board = _board(qtbot, pg_team)
    dialog = EscalateDialog(board, "Hoist broken", "Medicine")
    dialog.show()
    qtbot.waitExposed(dialog)
    size = dialog.title.fontInfo().pixelSize()
    assert size > QApplication.font().pixelSize()  # the board's type, not the default
    assert dialog.reason.fontInfo().pixelSize() == size
    dialog.reject()


def test_on_its_own_file_the_follow_up_says_what_escalating_needs(qtbot: Any, window: Any) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    board = page.board
    note = board.follow_note
    assert note.isVisible()
    assert "shared server" in note.text() and "manager" in note.text()
    assert "tier_board" not in window.page_keys and "department" not in window.page_keys


@pytest.mark.postgres
def test_on_the_shared_server_the_follow_up_has_no_such_note(qtbot: Any, pg_team: Team) -> None:
    _hospital(pg_team.db)
    board = _board(qtbot, pg_team)
    assert not board.follow_note.isVisible()


@pytest.mark.postgres
def test_a_closed_department_huddle_says_what_its_figures_covered(
    qtbot: Any, pg_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = _hospital(pg_team.db)["med"]
    _escalate_item(pg_team)
    page = TierBoardPage(pg_team.db, lead)
    qtbot.addWidget(page)
    page.show()
    assert "figures since" in page.summary.text()
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)

    def close_with_a_note(dialog: CloseTierHuddleDialog) -> int:
        dialog.note.setPlainText("Done")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(CloseTierHuddleDialog, "exec", close_with_a_note)
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    text = page.summary.text()
    assert "Held" in text and "figures since" not in text
    assert "this huddle reviewed" in text and "the next huddle counts from" in text


@pytest.mark.postgres
def test_the_tier_picker_is_a_readable_control(qtbot: Any, pg_team: Team, styled: Any) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    tiers.grant_role(db, IT, "HOSP", lead.person_id, "executive_on_call")
    page = TierBoardPage(db, lead)
    qtbot.addWidget(page)
    page.setFixedSize(1920, 1080)
    page.show()
    qtbot.waitExposed(page)
    chooser = page.chooser
    assert chooser.isVisible() and chooser.count() == 2
    assert chooser.height() >= 44
    body = page.title.fontInfo().pixelSize()
    assert chooser.fontInfo().pixelSize() >= 20 and body > 20
    widest = max(chooser.fontMetrics().horizontalAdvance(chooser.itemText(i)) for i in range(2))
    assert chooser.width() >= widest
    view = chooser.view()
    assert view.fontInfo().pixelSize() >= 20
    assert view.minimumWidth() >= widest
    assert chooser.accessibleName() == "Which tier's board"


@pytest.mark.postgres
def test_the_department_lead_whose_role_is_taken_away_sees_the_figures_go(
    qtbot: Any, pg_team: Team, clock: Clock
) -> None:
    from test_department import build_hospital
    from test_ui_department import _page

    week = build_hospital(pg_team.db, clock.today)
    lead = pg_team["manager"]
    tiers.grant_role(pg_team.db, IT, "MED", lead.person_id, "department_lead")
    page = _page(qtbot, pg_team, lead, week)
    assert page.table.rowCount() == 2
    tiers.revoke_role(pg_team.db, IT, "MED", lead.person_id)
    page.week.setCurrentIndex(page.week.currentIndex() + 1)
    qtbot.waitUntil(lambda: page.figures is None, timeout=30_000)
    assert page.table.rowCount() == 0 and page.together.rowCount() == 0
    assert page.escalations.rowCount() == 0 and not page.canvases
    said = page.summary.text()
    assert said.startswith("No figures shown") and "Only the tier's leaders" in said
    assert not page.print_button.isEnabled()


@pytest.mark.postgres
def test_the_department_views_headings_are_read_in_full_at_1366(
    qtbot: Any, pg_team: Team, clock: Clock, styled: Any
) -> None:
    from test_department import build_hospital
    from test_ui_department import _page

    from hrohuddle.services import department

    week = build_hospital(pg_team.db, clock.today)
    lead = pg_team["manager"]
    tiers.grant_role(pg_team.db, IT, "MED", lead.person_id, "department_lead")
    page = _page(qtbot, pg_team, lead, week)
    page.setFixedSize(1366 - 220, 768 - 40)  # the page beside the navigation
    QApplication.processEvents()
    for table in (page.table, page.together):
        header = table.horizontalHeader()
        metrics = header.fontMetrics()
        for i in range(table.columnCount()):
            item = table.horizontalHeaderItem(i)
            room = header.sectionSize(i) - 8
            for line in item.text().split("\n"):
                assert metrics.horizontalAdvance(line) <= room, f"{line!r} is cut"
            assert (
                header.sectionViewportPosition(i) + header.sectionSize(i)
                <= (header.viewport().width())
                or table.horizontalScrollBar().maximum() > 0
            )
        lines = max(table.horizontalHeaderItem(i).text().count("\n") + 1 for i in range(13))
        assert header.height() >= lines * metrics.lineSpacing()
        for i, full in enumerate(department.HEADERS):
            item = table.horizontalHeaderItem(i + 1)
            assert item.toolTip() == full
            assert item.data(Qt.ItemDataRole.AccessibleTextRole) == full


@pytest.mark.postgres
def test_the_departments_answers_are_on_the_wall_board_without_scrolling(
    qtbot: Any, pg_team: Team, styled: Any
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    nurse = pg_team["charge_nurse"]
    h = huddles.start_or_resume(db, nurse)
    for n in range(3):
        item = huddles.add_item(db, nurse, h.id, "look_ahead", f"Risk number {n}")
        esc = escalations.escalate(
            db,
            nurse,
            title=f"Risk number {n} needs the department",
            reason="We cannot fix it on the unit",
            criteria=["resources"],
            huddle_item_id=item.id,
        )
        row = next(
            e
            for e in escalations.tier_board(db, lead, _tier_id(db, "MED")).units[0].escalations
            if e.id == esc.id
        )
        escalations.answer(
            db,
            lead,
            esc.id,
            row.version,
            outcome="accepted",
            text="The bed manager takes it on today and calls the unit back",
            owner="Bed manager",
        )
    board = _board(qtbot, pg_team)
    board.window().resize(1920, 1080)
    board.setFixedSize(1920, 1080)
    QApplication.processEvents()
    board.refresh()
    lst = board.follow_list
    answers = [
        lst.item(i)
        for i in range(lst.count())
        if (lst.item(i).data(Qt.ItemDataRole.UserRole) or ("",))[0] == "escalation"
    ]
    assert len(answers) == 3
    for item in answers:
        # One line each: what, the answer in a word, who and when.
        text = item.text()
        assert "\n" not in text and "Accepted" in text and "Dee Lead" in text
        rect = lst.visualItemRect(item)
        assert rect.top() >= 0 and rect.bottom() <= lst.viewport().height(), text
        assert item.font().pixelSize() >= 22 or lst.fontInfo().pixelSize() >= 22
        full = item.data(Qt.ItemDataRole.AccessibleTextRole)
        assert "The bed manager takes it on today" in full and "owner Bed manager" in full
    # Chosen, the answer reads in full.
    _choose(qtbot, lst, lst.row(answers[0]))
    assert "The bed manager takes it on today" in lst.currentItem().text()
