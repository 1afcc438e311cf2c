"""The tier screens after the floor trial: the escalation dialogs in the wall's type, a
mark per answer that says what it is, the hospital's answer filed under the hospital,
the owner asked only of an accepted one, a closing note kept when it is refused, a
second workstation told what was answered first, an accepted one's follow-up recorded
on the department's board, and an item already with the department not sent twice."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from conftest import Team
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_escalations import IT, _escalate_item, _hospital, _tier_id
from test_tier_screens_in_use import _board

from hrohuddle.services import escalations, huddles, tiers
from hrohuddle.ui.escalation_dialogs import (
    AnswerDialog,
    CloseTierHuddleDialog,
    EscalateDialog,
    describe,
)
from hrohuddle.ui.huddle_board import upward_line, upward_text
from hrohuddle.ui.tier_board import TierBoardPage, _figures, escalation_line


def _row(team: Team, lead: Any, esc_id: int, code: str = "MED") -> escalations.EscalationRow:
    board = escalations.tier_board(team.db, lead, _tier_id(team.db, code))
    return next(e for u in board.units for e in u.escalations if e.id == esc_id)


def _page(qtbot: Any, team: Team, lead: Any) -> TierBoardPage:
    page = TierBoardPage(team.db, lead)
    qtbot.addWidget(page)
    page.resize(1920, 1080)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.mark.postgres
def test_the_answer_dialog_reads_in_the_walls_type_with_full_size_targets(
    qtbot: Any, pg_team: Team, styled: Any
) -> None:
    lead = _hospital(pg_team.db)["med"]
    _h, esc = _escalate_item(pg_team)
    page = _page(qtbot, pg_team, lead)
    page.window().resize(1920, 1080)
    dialog = AnswerDialog(page, _row(pg_team, lead, esc), can_go_up=True)
    dialog.show()
    qtbot.waitExposed(dialog)
    for widget in (dialog.text, dialog.owner, dialog.about, *dialog.outcomes.values()):
        assert widget.fontInfo().pixelSize() >= 20, widget.accessibleName()
    for button in dialog.outcomes.values():
        assert button.height() >= 44
    # A refusal's message takes room of its own: the answers keep their height.
    dialog.outcomes["declined"].setChecked(True)
    dialog.save = lambda: escalations.answer(
        pg_team.db, lead, esc, dialog.version, outcome="declined", text=""
    )
    dialog.accept()
    QApplication.processEvents()
    assert not dialog.problem.isHidden() and dialog.isVisible()
    for button in dialog.outcomes.values():
        assert button.height() >= 44
    dialog.reject()


@pytest.mark.postgres
def test_the_owner_is_asked_only_of_an_accepted_escalation(qtbot: Any, pg_team: Team) -> None:
    lead = _hospital(pg_team.db)["med"]
    _h, esc = _escalate_item(pg_team)
    page = _page(qtbot, pg_team, lead)
    dialog = AnswerDialog(page, _row(pg_team, lead, esc), can_go_up=True)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.owner.isVisible()
    for outcome in ("declined", "resolved", "escalated"):
        dialog.outcomes[outcome].setChecked(True)
        assert not dialog.owner.isVisible(), outcome
    dialog.outcomes["accepted"].setChecked(True)
    assert dialog.owner.isVisible()
    dialog.reject()


@pytest.mark.postgres
def test_each_answer_has_a_mark_that_says_what_it_is(pg_team: Team) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    _h, esc = _escalate_item(pg_team)
    row = _row(pg_team, lead, esc)
    escalations.answer(db, lead, esc, row.version, outcome="declined", text="Use the bank")
    declined = _row(pg_team, lead, esc)
    for text in (escalation_line(declined), upward_text(declined), upward_line(declined)):
        assert "✓" not in text and "✗ Declined" in text
    further = dataclasses.replace(declined, status="escalated")
    assert "✓" not in escalation_line(further) and "↑" in escalation_line(further)
    accepted = dataclasses.replace(declined, status="accepted")
    assert "✓ Accepted" in escalation_line(accepted)


@pytest.mark.postgres
def test_the_hospitals_answer_is_filed_under_the_hospital_on_the_units_board(
    qtbot: Any, pg_team: Team
) -> None:
    db = pg_team.db
    leaders = _hospital(db)
    _h, esc = _escalate_item(pg_team)
    row = _row(pg_team, leaders["med"], esc)
    escalations.answer(
        db, leaders["med"], esc, row.version, outcome="escalated", text="Needs the hospital"
    )
    up = next(
        e
        for u in escalations.tier_board(db, leaders["exec"], _tier_id(db, "HOSP")).units
        for e in u.escalations
    )
    assert "sent on by Medicine" in describe(up) and "Needs the hospital" in describe(up)
    escalations.answer(
        db, leaders["exec"], up.id, up.version, outcome="accepted", text="Agency", owner="Site"
    )
    board = _board(qtbot, pg_team)
    lst = board.follow_list
    texts = [lst.item(i).text() for i in range(lst.count())]
    assert "From the hospital (St Elsewhere)" in texts
    heading = texts.index("From the hospital (St Elsewhere)")
    assert any("Accepted" in t for t in texts[heading + 1 : heading + 2])


@pytest.mark.postgres
def test_a_refused_closing_note_stays_in_the_box_to_edit(
    qtbot: Any, pg_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = _hospital(pg_team.db)["med"]
    _escalate_item(pg_team)
    page = _page(qtbot, pg_team, lead)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    seen: list[tuple[str, bool]] = []

    def type_and_close(dialog: CloseTierHuddleDialog) -> int:
        dialog.note.setPlainText("Bed for MRN 12345678 sorted")
        dialog.accept()
        seen.append((dialog.note.toPlainText(), not dialog.problem.isHidden()))
        return dialog.result()

    monkeypatch.setattr(CloseTierHuddleDialog, "exec", type_and_close)
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert seen == [("Bed for MRN 12345678 sorted", True)]
    assert page.state is not None and page.state.huddle is not None
    assert page.state.huddle.is_open


@pytest.mark.postgres
def test_the_second_workstation_is_told_what_was_answered_and_may_follow_it_up(
    qtbot: Any, pg_team: Team
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    _h, esc = _escalate_item(pg_team)
    page = _page(qtbot, pg_team, lead)
    stale = _row(pg_team, lead, esc)
    escalations.answer(
        db, lead, esc, stale.version, outcome="accepted", text="Float pool", owner="Bed manager"
    )
    dialog = AnswerDialog(page, stale, can_go_up=True)
    dialog.reread = lambda: page.reread(esc)
    dialog.save = lambda: escalations.answer(
        db,
        lead,
        esc,
        dialog.version,
        outcome=dialog.outcome(),
        text=dialog.text.toPlainText(),
        owner=dialog.owner.text() or None,
    )
    dialog.show()
    dialog.outcomes["declined"].setChecked(True)
    dialog.text.setPlainText("Use the bank")
    dialog.accept()
    said = dialog.problem.text()
    assert "answered first" in said and "Accepted" in said and "Bed manager" in said
    assert "resolved" in said and dialog.outcome() == "resolved"
    # What it says above the answers is where it stands now: theirs, not "waiting".
    assert "Float pool" in dialog.about.text() and "Bed manager" in dialog.about.text()
    # On top of theirs: its follow-up goes through, not the same refusal again.
    dialog.text.setPlainText("Two float nurses came on nights")
    dialog.accept()
    assert dialog.result() == 1
    assert _row(pg_team, lead, esc).status == "resolved"


@pytest.mark.postgres
def test_an_accepted_escalation_has_its_follow_up_on_the_department_board(
    qtbot: Any, pg_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    _h, esc = _escalate_item(pg_team)
    row = _row(pg_team, lead, esc)
    escalations.answer(db, lead, esc, row.version, outcome="accepted", text="On it", owner="BM")
    page = _page(qtbot, pg_team, lead)
    card = page.cards[0]
    assert card.answer_button is None and len(card.follow_up_buttons) == 1

    def resolve(dialog: AnswerDialog) -> int:
        assert [k for k, b in dialog.outcomes.items() if not b.isHidden()] == ["resolved"]
        dialog.text.setPlainText("Two float nurses came")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(AnswerDialog, "exec", resolve)
    qtbot.mouseClick(card.follow_up_buttons[0], Qt.MouseButton.LeftButton)
    assert _row(pg_team, lead, esc).status == "resolved"


@pytest.mark.postgres
def test_each_follow_up_button_sits_under_the_escalation_it_follows_up(
    qtbot: Any, pg_team: Team
) -> None:
    db = pg_team.db
    lead = _hospital(db)["med"]
    nurse = pg_team["charge_nurse"]
    h, first = _escalate_item(pg_team)
    item = huddles.add_item(db, nurse, h, "look_ahead", "Hoist slings short", category="equipment")
    second = escalations.escalate(
        db,
        nurse,
        title="Hoist slings short",
        reason="Laundry",
        criteria=["resources"],
        huddle_item_id=item.id,
    ).id
    for esc, owner in ((first, "Bed manager"), (second, "Facilities")):
        row = _row(pg_team, lead, esc)
        escalations.answer(db, lead, esc, row.version, outcome="accepted", text="On", owner=owner)
    page = _page(qtbot, pg_team, lead)
    card = page.cards[0]
    layout = card.layout()
    assert len(card.follow_up_buttons) == 2
    for button in card.follow_up_buttons:
        # Two alike at the foot of the card would not say which is which.
        title = button.accessibleName().removeprefix("Record the follow-up: ")
        above = layout.itemAt(layout.indexOf(button) - 1).widget()
        assert above is not None and above.text().startswith(title + "\n")


@pytest.mark.postgres
def test_an_answer_shown_already_reads_where_it_stands(pg_team: Team) -> None:
    lead = _hospital(pg_team.db)["med"]
    _h, esc = _escalate_item(pg_team)
    row = _row(pg_team, lead, esc)
    escalations.answer(
        pg_team.db, lead, esc, row.version, outcome="accepted", text="Old", owner="BM"
    )
    shown = dataclasses.replace(_row(pg_team, lead, esc), answer_shown=True)
    assert shown.follow_up_words in upward_text(shown)
    assert "Old" not in upward_text(shown)


@pytest.mark.postgres
def test_an_item_already_with_the_department_is_not_sent_twice(
    qtbot: Any, pg_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = pg_team.db
    _hospital(db)
    nurse = pg_team["charge_nurse"]
    h = huddles.start_or_resume(db, nurse)
    huddles.add_item(db, nurse, h.id, "look_ahead", "No bariatric bed for tonight")
    board = _board(qtbot, pg_team)
    lst = board.lists["look_ahead"]
    lst.setCurrentRow(0)
    board.last_chosen_in = "look_ahead"
    told: list[str] = []
    monkeypatch.setattr("hrohuddle.ui.board_follow_up.tell", lambda _p, _t, text: told.append(text))
    opened: list[EscalateDialog] = []

    def send(dialog: EscalateDialog) -> int:
        opened.append(dialog)
        meets = escalations.next_meeting(db, nurse)
        assert meets is not None
        q = dialog.needed_by.date()
        assert (q.year(), q.month(), q.day()) == (meets.year, meets.month, meets.day)
        dialog.reason.setPlainText("Every bed store is empty")
        dialog.criteria["resources"].setChecked(True)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(EscalateDialog, "exec", send)
    board.escalate()
    # What was sent is said over the board, which goes on beneath it.
    assert len(opened) == 1 and not told
    assert board.sent_box is not None and board.sent_box.isVisible()
    assert board.sent_box.text().startswith("Sent to Medicine: it meets next on")
    lst.setCurrentRow(0)
    board.escalate()
    assert len(opened) == 1
    assert told[-1].startswith("This is already with the department (Medicine)")


@pytest.mark.postgres
def test_a_unit_that_moved_says_where_it_went(pg_team: Team) -> None:
    lead = _hospital(pg_team.db)["med"]
    _h, esc = _escalate_item(pg_team)
    row = _row(pg_team, lead, esc)
    escalations.answer(
        pg_team.db, lead, esc, row.version, outcome="accepted", text="On it", owner="BM"
    )
    tiers.place_unit(pg_team.db, IT, "4W", "SURG")
    board = escalations.tier_board(pg_team.db, lead, _tier_id(pg_team.db, "MED"))
    moved = next(u for u in board.units if u.code == "4W")
    assert _figures(moved) == ["Moved to Surgery"]
