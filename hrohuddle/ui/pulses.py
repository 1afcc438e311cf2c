"""The onboarding pulse: one calm screen on a shared workstation, and the results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.errors import UserFacingError
from hrohuddle.services import dates, pulses
from hrohuddle.services.permissions import Actor
from hrohuddle.services.vocabulary import source_line
from hrohuddle.store.database import Database
from hrohuddle.ui import common
from hrohuddle.ui.common import heading, muted, primary_button, readable, tr
from hrohuddle.ui.styles import style_sheet


def offer(parent: QWidget, db: Database, actor: Actor) -> None:
    """If a pulse is due, offer it (the window's keeper holds answers given so far)."""
    keeper = getattr(parent, "pulse_keeper", None)
    if keeper is None:
        keeper = PulseKeeper(parent)
    keeper.offer(db, actor)


def returns_on(day: dt.date) -> str:
    return tr(
        "It will be offered again when you sign in on {day}; you can also open it at any "
        "time from the File menu (Onboarding pulse)."
    ).format(day=dates.day(day))


class PulseKeeper(QObject):
    """The pulse being answered by the signed-in person. Answers given so far stay in the
    open form (in memory, never stored) until sent or discarded; a sign-out or a lock
    discards them, so the next person at the workstation never sees them."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: PulseDialog | None = None
        self.last_message = ""

    def offer(self, db: Database, actor: Actor) -> None:
        try:
            due = pulses.due_pulse(db, actor)
        except UserFacingError:
            return
        if due is None:
            return
        box = QMessageBox(self.window)
        box.setWindowTitle(tr("A one-minute pulse"))
        box.setText(
            tr(
                "This is your day-{days} onboarding pulse. Would you answer ten short "
                "questions about how safe it feels to speak up here? It is anonymous: "
                "nothing you answer is linked to you."
            ).format(days=due.milestone_day)
        )
        now = box.addButton(tr("Answer now"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("Later"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is now:
            self.show(db, actor, due.invitation_id)
        else:
            day = pulses.postpone(db, actor, due.invitation_id)
            self.tell(returns_on(day))

    def open_due(self, db: Database, actor: Actor) -> bool:
        """The menu entry: the form kept from before, or the pulse due (even if postponed)."""
        if self.dialog is not None:
            self.dialog.show()
            return True
        try:
            due = pulses.due_pulse(db, actor, include_postponed=True)
        except UserFacingError as exc:
            self.tell(readable(exc))
            return False
        if due is None:
            self.tell(tr("No onboarding pulse is due for you now. Thank you."))
            return False
        self.show(db, actor, due.invitation_id)
        return True

    def show(self, db: Database, actor: Actor, invitation_id: int) -> None:
        if self.dialog is None or self.dialog.invitation_id != invitation_id:
            self.drop()
            self.dialog = PulseDialog(db, actor, invitation_id, self.window)
            self.dialog.ended.connect(self._ended)
        self.dialog.show()

    def _ended(self, sent: bool) -> None:
        if sent and self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def drop(self) -> None:
        """Sign-out or lock: whatever was answered is cleared and the form goes."""
        if self.dialog is not None:
            self.dialog.clear()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None

    def tell(self, text: str) -> None:
        self.last_message = text
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(tr("Onboarding pulse"))
        box.setText(text)
        box.open()


class PulseDialog(QDialog):
    #: True when the answers were sent; False when the form was put aside or discarded.
    ended = Signal(bool)

    def __init__(
        self, db: Database, actor: Actor, invitation_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pulse")
        self.setStyleSheet(style_sheet("pulse"))
        self.db = db
        self.actor = actor
        self.invitation_id = invitation_id
        self.done_ok = False
        inst = pulses.instrument()
        self.setWindowTitle(tr("Pulse"))
        area = common.available_size(parent if parent is not None else self)
        self.resize(min(1000, area.width() - 40), min(760, area.height() - 60))
        outer = QVBoxLayout(self)
        outer.addWidget(heading(inst.title, 1.2))
        outer.addWidget(
            muted(
                tr("1 = {low}, 7 = {high}. Skip any question you prefer not to answer.").format(
                    low=inst.labels[1], high=inst.labels[7]
                )
            )
        )
        outer.addWidget(muted(source_line("instruments/onboarding_pulse.yaml")))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        grid = QGridLayout(body)
        self.groups: dict[str, QButtonGroup] = {}
        for row, item in enumerate(inst.items):
            label = QLabel(f"{row + 1}. {item.text}")
            label.setWordWrap(True)
            grid.addWidget(label, row * 2, 0, 1, 8)
            group = QButtonGroup(self)
            group.setExclusive(True)
            for value in range(1, inst.points + 1):
                radio = QRadioButton(str(value))
                radio.setAccessibleName(f"{item.text}: {value}, {inst.labels[value]}")
                radio.setToolTip(inst.labels[value])
                group.addButton(radio, value)
                grid.addWidget(radio, row * 2 + 1, value - 1)
            self.groups[item.code] = group
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        outer.addWidget(QLabel(inst.comment_label))
        self.comment = QPlainTextEdit()
        self.comment.setTabChangesFocus(True)
        self.comment.setAccessibleName(inst.comment_label)
        self.comment.setMaximumHeight(100)
        self.comment.setUndoRedoEnabled(False)
        outer.addWidget(self.comment)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        row_buttons = QHBoxLayout()
        row_buttons.addStretch(1)
        discard = QPushButton(tr("Discard answers"))
        discard.clicked.connect(lambda: self.discard())
        later = QPushButton(tr("Later"))
        later.clicked.connect(self._later)
        send = primary_button(tr("Send anonymously"))
        send.clicked.connect(self.send)
        row_buttons.addWidget(discard)
        row_buttons.addWidget(later)
        row_buttons.addWidget(send)
        self.later_note = muted("")
        outer.addWidget(self.later_note)
        outer.addLayout(row_buttons)

    def answers(self) -> dict[str, int | None]:
        return {
            code: (g.checkedId() if g.checkedId() > 0 else None) for code, g in self.groups.items()
        }

    def given(self) -> int:
        return sum(1 for v in self.answers().values() if v is not None) + (
            1 if self.comment.toPlainText().strip() else 0
        )

    def _later(self) -> None:
        """Put the form aside: the answers stay in it, on this screen only, until sent or
        discarded; the invitation comes back the next day."""
        day = pulses.postpone(self.db, self.actor, self.invitation_id)
        self.later_note.setText(returns_on(day))
        self.hide()
        self.ended.emit(False)

    def discard(self) -> None:
        self.clear()
        pulses.postpone(self.db, self.actor, self.invitation_id)
        self.hide()
        self.ended.emit(False)

    def reject(self) -> None:
        # Escape and the window's close button: the answers are kept for later.
        self._later()

    def clear(self) -> None:
        """Nothing of the answers stays on screen or in the widgets."""
        for g in self.groups.values():
            g.setExclusive(False)
            for b in g.buttons():
                b.setChecked(False)
            g.setExclusive(True)
        self.comment.clear()

    def send(self) -> None:
        try:
            pulses.submit(
                self.db, self.actor, self.invitation_id, self.answers(), self.comment.toPlainText()
            )
        except UserFacingError as exc:
            self.message.setText(readable(exc))
            return
        self.clear()
        self.done_ok = True
        self.accept()
        self.ended.emit(True)
        QMessageBox.information(
            self.parentWidget(),
            tr("Thank you"),
            tr("Your answers are saved anonymously. Thank you."),
        )


def _whole_height(table: QTableWidget) -> None:
    """As tall as the header and every row: the page scrolls, not the table."""
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(table.rowCount()))
    if table.horizontalScrollBar().isVisible() or (
        table.horizontalHeader().length() > table.viewport().width() > 0
    ):
        height += table.horizontalScrollBar().sizeHint().height()
    table.setFixedHeight(height + 2)


class PulseResultsPage(QWidget):
    """Closed quarters only; says what is hidden and why, never what."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.results: pulses.Results | None = None
        # The page scrolls as a whole; its tables are as tall as their rows, so that no
        # table shows a part of its few rows behind a scroll bar of its own.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setAccessibleName(tr("Pulse results page"))
        body = QWidget()
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area)
        layout = QVBoxLayout(body)
        layout.addWidget(heading(tr("Onboarding pulses")))
        self.intro = muted("")
        layout.addWidget(self.intro)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Quarter")))
        self.period = QComboBox()
        self.period.setAccessibleName(tr("Quarter"))
        self.period.currentIndexChanged.connect(self.show_period)
        row.addWidget(self.period)
        row.addStretch(1)
        layout.addLayout(row)
        self.table = QTableWidget()
        self.table.setAccessibleName(tr("Pulse results"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        layout.addWidget(self.table)
        self.items = QTableWidget()
        self.items.setAccessibleName(tr("Item by item"))
        self.items.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.items)
        self.notes = muted("")
        self.notes.setAccessibleName(tr("What is hidden and why"))
        layout.addWidget(self.notes)
        layout.addWidget(QLabel(tr("Comments of the quarter (shuffled, undated)")))
        self.comments = QPlainTextEdit()
        self.comments.setReadOnly(True)
        self.comments.setAccessibleName(tr("Comments"))
        self.comments.setMinimumHeight(120)
        self.comments.setMaximumHeight(160)
        layout.addWidget(self.comments)
        layout.addStretch(1)
        self.reload()

    def reload(self) -> None:
        try:
            res = pulses.results(self.db, self.actor)
        except UserFacingError as exc:
            self.notes.setText(readable(exc))
            return
        self.results = res
        self.intro.setText(
            tr(
                "Edmondson's team psychological safety scale (mean of 7 items, 1-7, items 1, 3 "
                "and 5 reversed) and three onboarding items, per closed quarter. A group is "
                "shown only with at least {n} answers and {n} complete answers (fewer than {n} "
                "would identify people), and so is any group that would let a hidden one be "
                "worked out. Means and shares are over complete answers only; comments are "
                "shown only when a quarter has at least {c}. Favourable: an answer of {f} or "
                "more after reversal, the unit's own threshold (Edmondson reports means, not a "
                "cut-off). {source}"
            ).format(
                n=res.min_size,
                c=res.comment_min,
                f=pulses.instrument().favourable_from,
                source=source_line("instruments/onboarding_pulse.yaml"),
            )
        )
        self.period.blockSignals(True)
        self.period.clear()
        for p in res.periods:
            self.period.addItem(
                f"{p.period} ({dates.day(p.first_day)} to {dates.day(p.last_day)})", p.period
            )
        self.period.blockSignals(False)
        self.show_period()

    def show_period(self) -> None:
        res = self.results
        if res is None:
            return
        inst = pulses.instrument()
        headers = [
            tr("Milestone"),
            tr("Answers (n)"),
            tr("Complete (n)"),
            tr("Scale mean"),
            tr("Favourable"),
        ]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        chosen = next((p for p in res.periods if p.period == self.period.currentData()), None)
        if chosen is None:
            self.table.setRowCount(0)
            self.items.setRowCount(0)
            self.notes.setText("\n".join(res.notes))
            self.comments.setPlainText("")
            return
        rows = [*chosen.groups, chosen.total]
        self.table.setRowCount(len(rows))
        for r, g in enumerate(rows):
            cells: list[Any]
            if g.hidden:
                cells = [g.label, tr("hidden"), tr("hidden"), tr("hidden"), tr("hidden")]
            else:
                share = (
                    "—"
                    if g.favourable_share is None
                    else f"{g.favourable_share:.0%} (n={g.favourable_n})"
                )
                mean = "—" if g.scale_mean is None else f"{g.scale_mean:.2f} (n={g.complete})"
                cells = [
                    g.label,
                    str(g.n),
                    str(g.complete),
                    mean,
                    share,
                ]
            for c, value in enumerate(cells):
                cell = QTableWidgetItem(str(value))
                if c:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        _whole_height(self.table)
        # Item by item, with the words of each item (shown groups only).
        shown = [g for g in rows if not g.hidden]
        self.items.clear()
        self.items.setColumnCount(1 + len(shown))
        self.items.setHorizontalHeaderLabels(
            [tr("Item (mean, 1-7, higher is safer: reversed items turned round)")]
            + [g.label for g in shown]
        )
        self.items.setRowCount(len(inst.items))
        for r, item in enumerate(inst.items):
            self.items.setItem(r, 0, QTableWidgetItem(f"{r + 1}. {item.text}"))
            for c, g in enumerate(shown, start=1):
                value = g.item_means.get(item.code)
                cell = QTableWidgetItem("—" if value is None else f"{value:.1f}")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.items.setItem(r, c, cell)
        self.items.setWordWrap(True)
        self.items.resizeColumnsToContents()
        self.items.setColumnWidth(0, 520)
        self.items.resizeRowsToContents()
        _whole_height(self.items)
        self.notes.setText("\n".join([*chosen.notes, *res.notes]))
        self.comments.setPlainText("\n".join(chosen.comments))
