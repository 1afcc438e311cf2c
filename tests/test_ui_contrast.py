"""The visual language, measured on what is drawn: a walker over the board and the main screens.

Text contrast 7:1 on the board and 4.5:1 elsewhere (measured on the rendered
pixels of each text widget), focus indicators at least 3:1 against what they
replace (the widget drawn with and without focus), touch targets of 44 px on the
board, no focus stop without a name or without a size, and Larger text applied to
what is already open.
"""

from __future__ import annotations

from collections import Counter

from conftest import PINS, Team, sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)


def _lum(c: QColor) -> float:
    def ch(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.red()) + 0.7152 * ch(c.green()) + 0.0722 * ch(c.blue())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_lum(a), _lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _pixels(img: QImage, inset: int) -> Counter[int]:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    counts: Counter[int] = Counter()
    for y in range(inset, img.height() - inset):
        for x in range(inset, img.width() - inset, 1):
            counts[img.pixel(x, y) & 0xFFFFFF] += 1
    return counts


def text_contrast(widget: QWidget) -> float | None:
    """Contrast of the drawn text against its background: the commonest colour inside the
    widget, against the most distant colour that covers a text stroke's worth of pixels."""
    img = widget.grab().toImage()
    inset = 5 if isinstance(widget, (QLineEdit, QComboBox, QAbstractButton)) else 0
    if img.width() <= 2 * inset or img.height() <= 2 * inset:
        return None
    counts = _pixels(img, inset)
    if len(counts) < 2:
        return None
    (bg_rgb, _count), *rest = counts.most_common()
    background = QColor(bg_rgb)
    ink = sum(n for _rgb, n in rest)
    if ink < 3:
        return None
    # Anti-aliased glyphs: the cores of the strokes carry the text colour, the edges fade
    # into the background. The contrast that a fifth of the drawn pixels reach is the
    # text's (a stray line or border of a few pixels cannot lift it).
    seen = 0
    for c, n in sorted(((contrast(background, QColor(rgb)), n) for rgb, n in rest), reverse=True):
        seen += n
        if seen >= max(3, ink * 0.2):
            return c
    return 1.0


def _texts(root: QWidget) -> list[QWidget]:
    out: list[QWidget] = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or w.width() < 8 or w.height() < 8:
            continue
        label = isinstance(w, QLabel) and bool(w.text().strip()) and w.pixmap().isNull()
        pressable = isinstance(w, QAbstractButton) and bool(w.text().strip())
        field = (
            isinstance(w, QLineEdit)
            and not isinstance(w.parent(), QComboBox)
            and bool(w.text() or w.placeholderText())
        )
        if label or pressable or field:
            out.append(w)
    return out


def focus_change(widget: QWidget) -> tuple[int, float]:
    """Pixels changed by focus, and the contrast of the change at the weakest quarter."""
    widget.clearFocus()
    QApplication.processEvents()
    before = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    after = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    changes: list[float] = []
    for y in range(min(before.height(), after.height())):
        for x in range(min(before.width(), after.width())):
            a, b = before.pixel(x, y), after.pixel(x, y)
            if a != b:
                changes.append(contrast(QColor(a), QColor(b)))
    widget.clearFocus()
    if not changes:
        return 0, 1.0
    changes.sort(reverse=True)
    # A ring one pixel wide all round must change at 3:1.
    ring = 2 * (widget.width() + widget.height())
    strong = [c for c in changes if c >= 3.0]
    return len(strong), (len(strong) / ring)


def _walk(root: QWidget, minimum: float, name: str) -> list[str]:
    low = []
    for w in _texts(root):
        c = text_contrast(w)
        label = w.text() if hasattr(w, "text") else w.accessibleName()
        if c is not None and c < minimum:
            low.append(f"{name}: “{(label or w.placeholderText())[:40]}” {c:.2f}:1")
    return low


def _focus_stops(root: QWidget) -> list[QWidget]:
    return [
        w
        for w in root.findChildren(QWidget)
        if w.isVisibleTo(root)
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and not isinstance(w.parent(), QComboBox)
        and w.metaObject().className() not in ("QScrollBar",)
    ]


def _board(qtbot, window, team: Team):  # type: ignore[no-untyped-def]
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "tools"))
    import busy_huddle

    from hrohuddle.services import huddles

    busy_huddle.reports_before_the_huddle(team.db, team.admin.unit_id)
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    row = huddles.start_or_resume(team.db, window.actor)
    busy_huddle.fill(team.db, window.actor, row.id)
    page = window.open_page("huddle")
    page.show_board(row.id)
    window.show()
    window.resize(1920, 1080)
    qtbot.wait(50)
    return page.board


def test_board_text_reads_at_7_to_1_and_every_control_is_a_44_px_target(
    qtbot, window, sqlite_team: Team, styled
) -> None:
    board = _board(qtbot, window, sqlite_team)
    board.lists["look_back"].setCurrentRow(0)
    assert _walk(board, 7.0, "board") == []
    # The list rows' selected text: white on dark blue.
    small = [
        f"{w.accessibleName()} {w.width()}x{w.height()}"
        for w in _focus_stops(board)
        if w.height() < 44 or w.width() < 44
    ]
    assert small == []
    people = board.people_list
    assert all(people.visualItemRect(people.item(i)).height() >= 44 for i in range(people.count()))


def test_every_focus_stop_is_named_visible_and_shows_a_3_to_1_indicator(
    qtbot, window, sqlite_team: Team, styled
) -> None:
    board = _board(qtbot, window, sqlite_team)
    window.activateWindow()
    unnamed = [w.metaObject().className() for w in _focus_stops(board) if not w.accessibleName()]
    assert unnamed == []
    weak = []
    for w in _focus_stops(board):
        if isinstance(w, (QAbstractButton, QLineEdit)):
            _count, ring = focus_change(w)
            if ring < 0.9:
                weak.append(f"{w.accessibleName()} ({ring:.2f} of a ring at 3:1)")
    assert weak == []


def test_main_screens_read_at_4_5_to_1(qtbot, window, sqlite_team: Team, styled) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    window.show()
    window.resize(1366, 768)
    low = []
    for key in ("home", "huddle", "events"):
        page = window.open_page(key)
        qtbot.wait(20)
        low += _walk(page, 4.5, key)
    low += _walk(window.top_bar, 4.5, "top bar")
    from hrohuddle.ui.capture import CaptureDialog, ReceiptDialog

    capture = CaptureDialog(window.db, window.actor, window)
    qtbot.addWidget(capture)
    capture.show()
    capture.kind_buttons["incident"].setChecked(True)
    capture.submit()  # every field in error: the messages must read too
    qtbot.wait(20)
    low += _walk(capture, 4.5, "capture")
    receipt = ReceiptDialog("ABCD-EFGH-JKMN", window)
    qtbot.addWidget(receipt)
    receipt.show()
    low += _walk(receipt, 4.5, "receipt")
    assert low == []


def test_larger_text_applies_to_what_is_open(qtbot, window, sqlite_team: Team, styled) -> None:
    sign_in_as(qtbot, window, "Cai Charge", PINS["charge_nurse"])
    window.show()
    home = window.open_page("home")
    labels = [w for w in home.findChildren(QLabel) if w.isVisibleTo(home)]
    before = [w.font().pointSizeF() for w in labels]
    window.scale_text(1)
    try:
        after = [w.font().pointSizeF() for w in labels]
        assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    finally:
        window.scale_text(0)
