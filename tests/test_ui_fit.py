"""Every window fits the screens the unit has: the board on the wall, dialogs on a laptop.

The board in board mode, with a busy huddle, at 1920x1080 and 1366x768: the page
does not scroll, no button is clipped, every section shows its heading and its
first items; lists with more scroll inside themselves. Dialogs, in each state,
fit the available geometry of 1366x768 and of 1920x1080 at the larger text sizes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QListWidget, QWidget

sys.path.insert(0, str(Path(__file__).parent / "tools"))

import busy_huddle

SCREENS = ((1920, 1080), (1366, 768))


def _visible_rows(lst: QListWidget) -> int:
    view = lst.viewport().rect()
    shown = 0
    for i in range(lst.count()):
        r = lst.visualItemRect(lst.item(i))
        if r.isValid() and view.contains(r.topLeft()) and r.bottom() <= view.bottom() + 1:
            shown += 1
    return shown


def _clipped(root: QWidget) -> list[str]:
    """Buttons whose text does not fit them, or that lie outside the window."""
    out = []
    area = QRect(QPoint(0, 0), root.size())
    for b in root.findChildren(QAbstractButton):
        if not b.isVisibleTo(root) or not b.text():
            continue
        need = b.fontMetrics().horizontalAdvance(b.text().replace("&", "")) + 16
        where = QRect(b.mapTo(root, QPoint(0, 0)), b.size())
        if need > b.width() or not area.contains(where):
            out.append(
                f"{b.text()} ({b.width()} px for {need}, hint {b.sizeHint().width()},"
                f" font {b.font().pixelSize()} {b.font().pointSize()})"
            )
    return out


def busy_board(qtbot, window, team: Team):  # type: ignore[no-untyped-def]
    from hrohuddle.services import huddles

    busy_huddle.reports_before_the_huddle(team.db, team.admin.unit_id)
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    charge = window.actor
    row = huddles.start_or_resume(team.db, charge)
    busy_huddle.fill(team.db, charge, row.id)
    page = window.open_page("huddle")
    page.show_board(row.id)
    return page.board


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_busy_board_fits_the_wall_screen_without_scrolling_the_page(
    qtbot, window, sqlite_team: Team, size: tuple[int, int], capsys, monkeypatch
) -> None:
    width, height = size
    board = busy_board(qtbot, window, sqlite_team)
    window.show()
    # The offscreen screen is 800x800: a window of the wall screen's size stands in for it.
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    monkeypatch.setattr(window, "setGeometry", lambda *a: None)
    board.board_mode_button.setChecked(True)
    window.setFixedSize(width, height)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (width, height))
    QApplication.processEvents()
    board.refresh()
    qtbot.wait(100)
    assert board.scroll.verticalScrollBar().maximum() == 0, "the page scrolls"
    assert board.scroll.horizontalScrollBar().maximum() == 0, "the page scrolls sideways"
    clipped = _clipped(window)
    assert clipped == [], "; ".join(clipped)
    counts = {
        "look back": (_visible_rows(board.lists["look_back"]), board.lists["look_back"].count()),
        "look ahead": (_visible_rows(board.lists["look_ahead"]), board.lists["look_ahead"].count()),
        "follow up": (_visible_rows(board.follow_list), board.follow_list.count()),
        "teaching point": (_visible_rows(board.lists["teach"]), board.lists["teach"].count()),
        "recognition": (_visible_rows(board.lists["recognise"]), board.lists["recognise"].count()),
        "attendance": (_visible_rows(board.people_list), board.people_list.count()),
    }
    with capsys.disabled():
        print(
            f"\nboard at {width}x{height}: "
            + ", ".join(f"{k} {v[0]} of {v[1]}" for k, v in counts.items())
        )
    for name, (shown, total) in counts.items():
        assert shown >= min(total, 2 if height < 1000 else 3), name
    # Inputs and the attendance line are on screen, not below a fold.
    for widget in (*board.inputs.values(), board.mix_label, board.count_spin):
        if not widget.isVisibleTo(window):
            continue
        where = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        assert QRect(0, 0, width, height).contains(where), widget.accessibleName()
    board.board_mode_button.setChecked(False)


def test_esc_leaves_board_mode_and_the_toggle_says_what_it_will_do(
    qtbot, window, sqlite_team: Team
) -> None:
    from PySide6.QtCore import Qt

    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    page = window.open_page("huddle")
    page.start()
    board = page.board
    window.show()
    assert board.board_mode_button.text() == "Full screen (F11)"
    board.board_mode_button.setChecked(True)
    assert board.board_mode_button.text() == "Leave full screen (Esc)"
    board.lists["look_back"].setFocus()
    qtbot.keyClick(board.lists["look_back"], Qt.Key.Key_Escape)
    assert not board.board_mode_button.isChecked()
    assert window.nav.isVisible() and board.board_mode_button.text() == "Full screen (F11)"


TEXT_SIZES = (
    ((1366, 768), 1.0),
    ((1366, 768), 1.15),
    ((1920, 1080), 1.15**2),
    ((1920, 1080), 1.15**3),
)


def _dialog_states(window, team: Team):  # type: ignore[no-untyped-def]
    """Every dialog of the huddle and the capture loop, in each state it has."""
    from hrohuddle.services import huddles, people
    from hrohuddle.ui.events import CaptureDialog, ReceiptDialog
    from hrohuddle.ui.huddle_board import ActionDialog, TeachingPointDialog

    actor = window.actor
    capture = CaptureDialog(team.db, actor, window)
    yield "capture, empty", capture, capture.submit_button
    capture.kind_buttons["incident"].setChecked(True)
    yield "capture, incident", capture, capture.submit_button
    capture.more_button.setChecked(True)
    yield "capture, incident with more detail", capture, capture.submit_button
    capture.submit()
    yield "capture, every field in error", capture, capture.submit_button
    capture.kind_buttons["near_miss"].setChecked(True)
    yield "capture, near miss with more detail", capture, capture.submit_button
    team_rows = people.list_people(team.db, actor)
    action = ActionDialog(window, "Order spare pump tubing for the whole ward", team_rows)
    yield "new action", action, action.title
    row = huddles.start_or_resume(team.db, actor)
    point = huddles.add_item(team.db, actor, row.id, "teach", "Read back verbal orders")
    principles = [("sensitivity_to_operations", "Sensitivity to operations")]
    teach = TeachingPointDialog(window, point, team_rows, principles)
    yield "edit teaching point", teach, teach.text
    receipt = ReceiptDialog("ABCD-EFGH-JKMN", window)
    yield "receipt", receipt, receipt.print_button
    page = window.open_page("huddle")
    page.show_board(row.id)
    yield (
        "HRO reflection",
        page.board.reflection_dialog,
        page.board.reflection["deference_to_expertise"],
    )


@pytest.mark.parametrize("screen,scale", TEXT_SIZES, ids=lambda v: str(v))
def test_every_dialog_fits_the_screen_at_larger_text(
    qtbot, window, sqlite_team: Team, monkeypatch, screen, scale
) -> None:
    from PySide6.QtCore import QSize

    from hrohuddle.ui import common

    width, height = screen
    room = QSize(width, height - 40)  # a task bar
    monkeypatch.setattr(common, "available_size", lambda _w: room)
    app = QApplication.instance()
    original = app.font()
    font = app.font()
    font.setPointSizeF(original.pointSizeF() * scale)
    app.setFont(font)
    try:
        sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
        too_big = []
        for name, dialog, last in _dialog_states(window, sqlite_team):
            dialog.show()
            common.fit_to_screen(dialog)
            QApplication.processEvents()
            size = dialog.size()
            where = QRect(last.mapTo(dialog, QPoint(0, 0)), last.size())
            if (
                size.width() > room.width()
                or size.height() > room.height()
                or dialog.minimumSizeHint().height() > room.height()
                or dialog.minimumSizeHint().width() > room.width()
                or not dialog.rect().contains(where)
            ):
                too_big.append(f"{name}: {size.width()}x{size.height()}")
            dialog.hide()
        assert too_big == [], f"at {width}x{height}, text x{scale:.2f}"
    finally:
        app.setFont(original)
